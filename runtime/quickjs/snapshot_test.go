package quickjs_test

import (
	"fmt"
	"strings"
	"testing"

	"hull/runtime/quickjs"
)

func TestRestoreReturnsTheEngineToItsSnapshot(t *testing.T) {
	vm, err := quickjs.New(quickjs.Config{MemoryLimit: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close()
	if _, err := vm.Eval(`globalThis.base = { n: 1 }; globalThis.big = "x".repeat(1 << 16);`); err != nil {
		t.Fatal(err)
	}
	if err := vm.Snapshot(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate string
	}{
		{"changed globals and objects", `base.n = 2; globalThis.extra = 1; delete globalThis.big;`},
		{"patched built-ins", `Object.prototype.polluted = 1; Math.random = () => 0;`},
		{"lots of garbage", `let a = []; for (let i = 0; i < 2e4; i++) a.push({ i, s: "s" + i }); globalThis.keep = a;`},
		{"running out of memory", `const a = []; for (;;) a.push(new Array(1e5).fill(1));`},
		{"pending jobs", `Promise.resolve().then(() => { globalThis.extra = 2; }); new Promise(() => {});`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _ = vm.Eval(tc.mutate)
			if err := vm.Restore(); err != nil {
				t.Fatal(err)
			}
			if vm.MemoryExhausted() {
				t.Fatal("restore kept the out-of-memory mark")
			}
			got, err := vm.Eval(`[base.n, typeof extra, big.length, ({}).polluted, typeof keep, Math.random === Math.random].join(",")`)
			if err != nil {
				t.Fatal(err)
			}
			if got != "1,undefined,65536,,undefined,true" {
				t.Fatalf("after restore: %v", got)
			}
			if n, err := vm.RunJobs(); err != nil || n != 0 {
				t.Fatalf("jobs after restore: %d %v", n, err)
			}
		})
	}
}

func TestTheOutOfMemoryMarkIsSetOnlyByRefusedAllocations(t *testing.T) {
	vm, err := quickjs.New(quickjs.Config{MemoryLimit: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close()
	if _, err := vm.Eval(`"ok".repeat(1000).length`); err != nil || vm.MemoryExhausted() {
		t.Fatalf("a small script: %v, exhausted %v", err, vm.MemoryExhausted())
	}
	_, err = vm.Eval(`const a = []; for (;;) a.push("y".repeat(1 << 16) + a.length);`)
	if err == nil || !vm.MemoryExhausted() {
		t.Fatalf("a runaway allocation: %v, exhausted %v", err, vm.MemoryExhausted())
	}
	if !strings.Contains(err.Error(), "memory") && err.Error() != "null" {
		t.Logf("engine reported %q", err)
	}
}

func TestHostFunctionsSurviveRestore(t *testing.T) {
	vm, err := quickjs.New(quickjs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close()
	calls := 0
	if err := vm.Register("host", func(a []any) (any, error) { calls++; return a[0].(string) + "!", nil }); err != nil {
		t.Fatal(err)
	}
	if err := vm.Snapshot(); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		got, err := vm.Call("host", "hi")
		if err != nil || got != "hi!" {
			t.Fatalf("call %d: %v %v", i, got, err)
		}
		if err := vm.Restore(); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 3 {
		t.Fatalf("host ran %d times, want 3", calls)
	}
}

func TestASnapshotKeepsTheLiveHeapNotTheGarbage(t *testing.T) {
	vm, err := quickjs.New(quickjs.Config{MemoryLimit: 32 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close()
	// Large temporaries freed before the snapshot leave free blocks behind.
	if _, err := vm.Eval(`globalThis.kept = "k".repeat(1000); for (let i = 0; i < 50; i++) { let tmp = "x".repeat(1 << 16) + i; }`); err != nil {
		t.Fatal(err)
	}
	if err := vm.Snapshot(); err != nil {
		t.Fatal(err)
	}
	used, free, snap := vm.HeapStats()
	if free == 0 || snap > used-free+free/4 {
		t.Fatalf("used %d, free %d, snapshot %d: the snapshot should keep roughly used minus free", used, free, snap)
	}
	if _, err := vm.Eval(`globalThis.kept = null; "y".repeat(1 << 18)`); err != nil {
		t.Fatal(err)
	}
	if err := vm.Restore(); err != nil {
		t.Fatal(err)
	}
	if got, err := vm.Eval(`kept.length`); err != nil || got != 1000 {
		t.Fatalf("after restore: %v %v", got, err)
	}
}

// Function sources are kept apart from the rest of the heap (written
// once, never copied back by a restore); toString must read them the
// same before and after restores, for code parsed and code loaded from
// bytecode, and what calls allocate there must be reclaimed by restore.
func TestFunctionSourcesSurviveRestoresAndCallsReclaimTheirs(t *testing.T) {
	vm, err := quickjs.New(quickjs.Config{MemoryLimit: 8 << 20, Load: func(p string) (string, error) {
		return "", fmt.Errorf("%s should come from bytecode", p)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close()
	code, err := quickjs.CompileModule("mod.js", "export function loaded(a) { return a * 2 }\nexport class K { m() { return 1 } }")
	if err != nil {
		t.Fatal(err)
	}
	if err := vm.LoadModule(code); err != nil {
		t.Fatal(err)
	}
	if _, err := vm.Eval(`globalThis.parsed = (x) => x + 1; import("mod.js").then((m) => { globalThis.m = m })`); err != nil {
		t.Fatal(err)
	}
	if _, err := vm.RunJobs(); err != nil {
		t.Fatal(err)
	}
	const sources = `[parsed.toString(), m.loaded.toString(), m.K.toString(), m.K.prototype.m.toString()].join("|")`
	want := "(x) => x + 1|function loaded(a) { return a * 2 }|class K { m() { return 1 } }|m() { return 1 }"
	if got, err := vm.Eval(sources); err != nil || got != want {
		t.Fatalf("sources before the snapshot: %v, %v", got, err)
	}
	if err := vm.Snapshot(); err != nil {
		t.Fatal(err)
	}
	// Each call makes 200 functions with 1 KB sources: 300 calls need
	// 60 MB of sources, more than the engine's region holds unless every
	// restore takes its call's back.
	pad := strings.Repeat(" ", 1000)
	for i := range 300 {
		got, err := vm.Eval(`let fs = []; for (let i = 0; i < 200; i++) fs.push(new Function("a", "return a + " + i + ";` + pad + `")); fs[7].toString().includes("return a + 7;")`)
		if err != nil || got != true {
			t.Fatalf("call %d: %v, %v", i, got, err)
		}
		if err := vm.Restore(); err != nil {
			t.Fatal(err)
		}
		if got, err := vm.Eval(sources); err != nil || got != want {
			t.Fatalf("sources after restore %d: %v, %v", i, got, err)
		}
		if err := vm.Restore(); err != nil {
			t.Fatal(err)
		}
	}
}
