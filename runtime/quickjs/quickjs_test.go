package quickjs_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"hull/runtime/quickjs"
)

// newTestVM returns a VM over a small module set, with two host functions.
func newTestVM(t *testing.T) *quickjs.VM {
	t.Helper()
	srcs := map[string]string{
		"main.js":       `import { two } from "./_deps/lib.js"; globalThis.result = two() + 1;`,
		"_deps/lib.js":  `import { one } from "./one.js"; export const two = () => one + 1;`,
		"_deps/one.js":  `export const one = 1;`,
		"throws.js":     `throw new TypeError("bad import");`,
		"missingdep.js": `import "./nowhere.js";`,
	}
	resolve := func(base, name string) (string, error) {
		dir := ""
		if i := strings.LastIndex(base, "/"); i >= 0 {
			dir = base[:i+1]
		}
		return strings.TrimPrefix(dir+strings.TrimPrefix(name, "./"), "/"), nil
	}
	load := func(p string) (string, error) {
		s, ok := srcs[p]
		if !ok {
			return "", fmt.Errorf("no module %s", p)
		}
		return s, nil
	}
	vm, err := quickjs.New(quickjs.Config{MemoryLimit: 8 << 20, Resolve: resolve, Load: load})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = vm.Close() })
	if err := vm.Register("hostEcho", func(a []any) (any, error) { return fmt.Sprint(a...), nil }); err != nil {
		t.Fatal(err)
	}
	if err := vm.Register("hostFail", func([]any) (any, error) { return nil, errors.New("host said no") }); err != nil {
		t.Fatal(err)
	}
	return vm
}

// drain runs pending jobs until none are left.
func drain(t *testing.T, vm *quickjs.VM) {
	t.Helper()
	for {
		n, err := vm.RunJobs()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func TestVMBasics(t *testing.T) {
	tests := []struct {
		name    string
		script  string
		want    any
		wantErr string
	}{
		{"modules import relative paths through the loader",
			`import("main.js").then(() => { globalThis.out = globalThis.result; }); 0`, 3, ""},
		{"an import-time exception rejects the import",
			`import("throws.js").catch((e) => { globalThis.out = String(e); }); 0`, "TypeError: bad import", ""},
		{"a missing dependency rejects the import naming it",
			`import("missingdep.js").catch((e) => { globalThis.out = String(e); }); 0`, "no module nowhere.js", ""},
		{"host functions receive and return Go values",
			`globalThis.out = hostEcho("a", 2); 0`, "a2", ""},
		{"host function errors are thrown into JS",
			`try { hostFail() } catch (e) { globalThis.out = e.message } 0`, "host said no", ""},
		{"exceptions escaping to Go carry the JS text",
			`null.x`, nil, "TypeError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vm := newTestVM(t)
			_, err := vm.Eval(tc.script)
			if tc.wantErr != "" {
				var qe *quickjs.Error
				if !errors.As(err, &qe) || !strings.Contains(qe.Message, tc.wantErr) {
					t.Fatalf("got %v, want a *quickjs.Error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			drain(t, vm)
			got, err := vm.Eval("globalThis.out")
			if err != nil {
				t.Fatal(err)
			}
			if s, ok := tc.want.(string); ok {
				if gs, _ := got.(string); !strings.Contains(gs, s) {
					t.Fatalf("got %v, want it to contain %q", got, s)
				}
				return
			}
			if got != tc.want {
				t.Fatalf("got %v (%T), want %v", got, got, tc.want)
			}
		})
	}
}

func TestCompiledScriptsRunInOtherVMs(t *testing.T) {
	a, err := quickjs.New(quickjs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	code, err := a.Compile(`globalThis.z = 40 + 2; z`)
	if err != nil {
		t.Fatal(err)
	}
	b, err := quickjs.New(quickjs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := b.EvalCompiled(code)
	if err != nil || got != 42 {
		t.Fatalf("got %v, %v; want 42", got, err)
	}
}

func TestTheStackLimitIsCappedBelowAProcessCrash(t *testing.T) {
	vm, err := quickjs.New(quickjs.Config{MaxStackSize: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close()
	got, err := vm.Eval(`let d = 0; const f = () => { d++; f(); }; try { f() } catch (e) {} d`)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := got.(int); d <= 0 || d > quickjs.MaxStackSlots {
		t.Fatalf("recursed %v deep, want at most %d", got, quickjs.MaxStackSlots)
	}
}

func TestModulesLoadFromBytecodeUnderTheirPath(t *testing.T) {
	srcs := map[string]string{
		"_deps/one.js": `export let one = 1; globalThis.order = (globalThis.order ?? "") + "one,";`,
		"_deps/lib.js": `import { one } from "./one.js"; export const two = () => one + 1; globalThis.order += "lib,";`,
		"main.js":      `import { two } from "./_deps/lib.js"; export const three = two() + 1; export const fail = () => { throw new Error("x") };`,
	}
	vm, err := quickjs.New(quickjs.Config{
		Resolve: func(base, name string) (string, error) {
			if strings.HasPrefix(base, "_deps/") && strings.HasPrefix(name, "./") {
				return "_deps/" + name[2:], nil
			}
			return strings.TrimPrefix(name, "./"), nil
		},
		Load: func(p string) (string, error) { return "", fmt.Errorf("%s should come from bytecode", p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close()
	for _, p := range []string{"_deps/one.js", "_deps/lib.js", "main.js"} {
		code, err := quickjs.CompileModule(p, srcs[p])
		if err != nil {
			t.Fatalf("compile %s: %v", p, err)
		}
		if err := vm.LoadModule(code); err != nil {
			t.Fatalf("load %s: %v", p, err)
		}
	}
	if _, err := vm.Eval(`import("main.js").then((m) => { globalThis.out = m.three; try { m.fail() } catch (e) { globalThis.stack = e.stack } })`); err != nil {
		t.Fatal(err)
	}
	for {
		n, err := vm.RunJobs()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	got, err := vm.Eval(`[globalThis.out, globalThis.order, globalThis.stack].join("|")`)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := got.(string)
	if !strings.HasPrefix(s, "3|one,lib,|") || !strings.Contains(s, "main.js") {
		t.Fatalf("got %q, want 3, one module instance each, and a stack naming main.js", s)
	}
}

func TestBytesCrossAsArrayBuffers(t *testing.T) {
	tests := []struct{ name, script, want string }{
		{"a Uint8Array arrives as its bytes", `hostHex(new Uint8Array([1, 2, 255]))`, "0102ff"},
		{"a view's range only", `hostHex(new Uint8Array([9, 1, 2, 9]).subarray(1, 3))`, "0102"},
		{"an ArrayBuffer whole", `hostHex(new Uint16Array([0x0201]).buffer)`, "0102"},
		{"a wider typed array by its bytes", `hostHex(new Uint32Array([0x04030201]))`, "01020304"},
		{"a detached buffer as no bytes", `const b = new ArrayBuffer(4); b.transfer(); hostHex(b)`, ""},
		{"a DataView as text", `hostHex(new DataView(new ArrayBuffer(1)))`, "[object DataView]"},
		{"[]byte comes back as an ArrayBuffer", `const b = hostBytes(); [b instanceof ArrayBuffer, ...new Uint8Array(b)].join()`, "true,104,105"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vm := newTestVM(t)
			if err := vm.Register("hostHex", func(a []any) (any, error) {
				if b, ok := a[0].([]byte); ok {
					return fmt.Sprintf("%x", b), nil
				}
				return fmt.Sprint(a[0]), nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := vm.Register("hostBytes", func([]any) (any, error) { return []byte("hi"), nil }); err != nil {
				t.Fatal(err)
			}
			got, err := vm.Eval(tc.script)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %v, want %q", got, tc.want)
			}
		})
	}
}
