//go:build cgo && hull_v8

package v8

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"strings"
	"testing"
	"time"
)

func newVM(t *testing.T, mods map[string]string) *VM {
	t.Helper()
	vm, err := New(Config{
		MemoryLimit: 32 << 20,
		Resolve: func(base, name string) (string, error) {
			if strings.HasPrefix(name, "./") {
				return path.Join(path.Dir(base), name), nil
			}
			return name, nil
		},
		Load: func(p string) (string, error) {
			src, ok := mods[p]
			if !ok {
				return "", errors.New("no module " + p)
			}
			return src, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vm.Close() })
	return vm
}

func TestScriptsCallsAndHostFunctions(t *testing.T) {
	vm := newVM(t, nil)
	var got []any
	if err := vm.Register("host", func(args []any) (any, error) {
		if len(args) > 0 && args[0] == "fail" {
			return nil, errors.New("host says no")
		}
		got = args
		return "ok:" + args[0].(string), nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		src  string
		want any
	}{
		{"1 + 2", 3},
		{"0.5", 0.5},
		{"'a' + 'b'", "ab"},
		{"true", true},
		{"null", nil},
		{"undefined", nil},
		{"host('x', 2, 2.5, true, null)", "ok:x"},
		{"try { host('fail') } catch (e) { e.message }", "host says no"},
		{"globalThis.f = (a, b) => a + '|' + b; 0", 0},
	} {
		v, err := vm.Eval(tc.src)
		if err != nil || v != tc.want {
			t.Fatalf("%s: got %#v, %v; want %#v", tc.src, v, err, tc.want)
		}
	}
	if len(got) != 5 || got[1] != 2 || got[2] != 2.5 || got[3] != true || got[4] != nil {
		t.Fatalf("host got %#v", got)
	}
	if v, err := vm.Call("f", "é", ""); err != nil || v != "é|" {
		t.Fatalf("call: %#v %v", v, err)
	}
	_, err := vm.Eval("throw new TypeError('bad')")
	var e *Error
	if !errors.As(err, &e) || e.Message != "TypeError: bad" || !strings.Contains(e.Stack, "at <eval>") {
		t.Fatalf("got %#v", err)
	}
}

func TestModulesMicrotasksAndRejections(t *testing.T) {
	vm := newVM(t, map[string]string{
		"a.js":     `import { b } from "./lib/b.js"; export const a = () => "a" + b;`,
		"lib/b.js": `export let b = "b"; await null; b = "B";`,
		"bad.js":   `import "./missing.js";`,
	})
	if _, err := vm.Eval(`globalThis.out = []; import("a.js").then((m) => out.push(m.a()), (e) => out.push("err " + e));
		import("bad.js").catch((e) => out.push(String(e).includes("no module missing.js")));
		Promise.reject(new Error("lost")); 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := vm.RunJobs(); err != nil {
		t.Fatal(err)
	}
	if v, _ := vm.Eval("JSON.stringify(out)"); v != `["aB",true]` && v != `[true,"aB"]` {
		t.Fatalf("out = %v", v)
	}
	if r := vm.UnhandledRejections(); len(r) != 1 || r[0] != "Error: lost" {
		t.Fatalf("rejections %q", r)
	}
}

func TestContinuationData(t *testing.T) {
	vm := newVM(t, nil)
	v, err := vm.Eval(`const get = __hull_continuation_get, set = __hull_continuation_set;
		globalThis.seen = [];
		set("a"); const p = Promise.resolve().then(() => seen.push(get()));
		set("b"); (async () => { await null; seen.push(get()); })();
		set(undefined); 0`)
	if err != nil || v != 0 {
		t.Fatal(v, err)
	}
	vm.RunJobs()
	if v, _ := vm.Eval("JSON.stringify(seen)"); v != `["a","b"]` {
		t.Fatalf("seen %v", v)
	}
}

func TestLimits(t *testing.T) {
	t.Run("a runaway loop is interrupted from another goroutine", func(t *testing.T) {
		vm := newVM(t, nil)
		time.AfterFunc(50*time.Millisecond, vm.Interrupt)
		_, err := vm.Eval("for (;;) {}")
		if err == nil || !strings.Contains(err.Error(), "interrupted") {
			t.Fatalf("got %v", err)
		}
		vm.ClearInterrupt()
		if v, err := vm.Eval("1"); err != nil || v != 1 {
			t.Fatalf("after clear: %v %v", v, err)
		}
	})
	t.Run("an interrupt check stops JS", func(t *testing.T) {
		vm := newVM(t, nil)
		deadline := time.Now().Add(50 * time.Millisecond)
		vm.SetInterruptCheck(func() bool { return time.Now().After(deadline) })
		defer vm.SetInterruptCheck(nil)
		_, err := vm.Eval("for (;;) {}")
		if err == nil || !strings.Contains(err.Error(), "interrupted") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("the heap ceiling ends the run with out of memory", func(t *testing.T) {
		vm := newVM(t, nil)
		_, err := vm.Eval("const a = []; for (;;) a.push(new Array(1e5).fill(1));")
		if err == nil || !strings.Contains(err.Error(), "out of memory") || !vm.MemoryExhausted() {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("array buffers over the ceiling fail", func(t *testing.T) {
		vm := newVM(t, nil)
		v, err := vm.Eval("try { new ArrayBuffer(64 << 20); 'no' } catch (e) { e.name }")
		if err != nil || v != "RangeError" || !vm.MemoryExhausted() {
			t.Fatalf("got %v %v", v, err)
		}
	})
	t.Run("deep recursion throws a RangeError", func(t *testing.T) {
		vm := newVM(t, nil)
		_, err := vm.Eval("const r = (n) => r(n + 1) + 1; r(0)")
		if err == nil || err.Error() != "RangeError: Maximum call stack size exceeded" {
			t.Fatalf("got %v", err)
		}
	})
}

func TestSnapshotsGiveEveryRestoreTheSnapshottedState(t *testing.T) {
	mods := map[string]string{"m.js": `let n = 0; export const bump = () => ++n; export const big = "x".repeat(100);`}
	vms := []*VM{newVM(t, mods), newVM(t, mods)}
	for _, vm := range vms {
		if err := vm.Register("host", func([]any) (any, error) { return "h", nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := vm.Eval(`globalThis.m = null; import("m.js").then((x) => { globalThis.m = x; }); 0`); err != nil {
			t.Fatal(err)
		}
		if _, err := vm.RunJobs(); err != nil {
			t.Fatal(err)
		}
		if err := vm.Snapshot(); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 4 {
		for i, vm := range vms {
			v, err := vm.Eval(`globalThis.leak = (globalThis.leak ?? 0) + 1; m.bump() + ":" + leak + ":" + host()`)
			if err != nil || v != "1:1:h" {
				t.Fatalf("round %d vm %d: %v %v", round, i, v, err)
			}
			// A dynamic import after a restore finds the snapshotted module.
			if _, err := vm.Eval(`import("m.js").then((x) => { globalThis.same = x === m; }); 0`); err != nil {
				t.Fatal(err)
			}
			vm.RunJobs()
			if v, _ := vm.Eval("same"); v != true {
				t.Fatalf("round %d: dynamic import gave another module: %v", round, v)
			}
			if err := vm.Restore(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if vms[0].blob == nil || vms[0].blob != vms[1].blob {
		t.Fatal("VMs with the same recipe do not share one blob")
	}
}

// Every isolate of the process takes its machine code from one code
// range; V8's default one runs out after a few dozen isolates with JIT
// code, which aborts the process. The pool keeps that many engines.
func TestManyIsolatesWithJITCodeLiveTogether(t *testing.T) {
	var vms []*VM
	defer func() {
		for _, vm := range vms {
			vm.Close()
		}
	}()
	for i := range 160 {
		vm, err := New(Config{MemoryLimit: 16 << 20})
		if err != nil {
			t.Fatal(err)
		}
		vms = append(vms, vm)
		v, err := vm.Eval(`let s = ""; for (let i = 0; i < 20; i++) s = "m.js".replace(/\.js$/, "") + /a+b/.exec("aab");
			const f = (x) => x + 1; let n = 0; for (let i = 0; i < 200000; i++) n = f(n); s + n`)
		if err != nil || v != "maab200000" {
			t.Fatalf("isolate %d: %v %v", i, v, err)
		}
	}
}

func TestAtomicsWaitIsRefused(t *testing.T) {
	vm := newVM(t, nil)
	v, err := vm.Eval(`try { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); "waited" } catch (e) { e.name }`)
	if err != nil || v != "TypeError" {
		t.Fatalf("got %v %v", v, err)
	}
}

func TestNoEngineInternalsLeakIntoGlobals(t *testing.T) {
	vm := newVM(t, nil)
	v, err := vm.Eval(`[typeof gc, typeof WebAssembly, typeof __hull_continuation_get, typeof __hull_gc].join()`)
	if err != nil || v != "undefined,undefined,function,function" {
		t.Fatalf("got %v %v", v, err)
	}
}

func TestArrayBuffersOfADroppedContextDoNotCountAgainstTheNext(t *testing.T) {
	vm := newVM(t, nil) // 32 MiB ceiling
	if _, err := vm.Eval(`globalThis.keep = null; 0`); err != nil {
		t.Fatal(err)
	}
	if err := vm.Snapshot(); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		v, err := vm.Eval(`keep = new Uint8Array(24 << 20); keep.length`)
		if err != nil || v != 24<<20 || vm.MemoryExhausted() {
			t.Fatalf("call %d: %v %v (exhausted %v)", i, v, err, vm.MemoryExhausted())
		}
		if err := vm.Restore(); err != nil {
			t.Fatal(err)
		}
	}
}

// Some allocations pass limits V8 itself cannot recover from, in any
// embedder: the process then ends with one line saying so (checked in a
// child process).
func TestAnAllocationPastV8sHardLimitsEndsTheProcessWithAMessage(t *testing.T) {
	if os.Getenv("HV8_TEST_FATAL") == "1" {
		vm, err := New(Config{MemoryLimit: 16 << 20})
		if err != nil {
			os.Exit(9)
		}
		vm.Eval("new Array(2 ** 27).fill(0)")
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAnAllocationPastV8sHardLimitsEndsTheProcessWithAMessage$")
	cmd.Env = append(os.Environ(), "HV8_TEST_FATAL=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "hull: a JavaScript function made V8 fail (out of memory") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func TestVMsSnapshottedUnderOneKeyShareABlob(t *testing.T) {
	var vms []*VM
	for i := range 3 {
		vm := newVM(t, nil)
		// Preparations that differ only in what the key vouches for (here,
		// the clock of the call that prepared each).
		if _, err := vm.Eval(fmt.Sprintf("globalThis.preparedAt = %d; 0", 1000+i)); err != nil {
			t.Fatal(err)
		}
		if err := vm.SnapshotAs("the same module"); err != nil {
			t.Fatal(err)
		}
		vms = append(vms, vm)
	}
	for i, vm := range vms {
		if v, _ := vm.Eval("preparedAt"); v != 1000+i {
			t.Fatalf("vm %d's first call saw %v, want its own preparation", i, v)
		}
		if err := vm.Restore(); err != nil {
			t.Fatal(err)
		}
	}
	if vms[0].blob == nil || vms[1].blob != vms[0].blob || vms[2].blob != vms[0].blob {
		t.Fatal("VMs of one key made separate blobs")
	}
	if v, _ := vms[2].Eval("preparedAt"); v != 1000 {
		t.Fatalf("after a restore: %v, want the first VM's preparation", v)
	}
}
