package runtime_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hull/runtime"
)

// leakyModule tries every way one call could leave state for the next:
// module variables, globals, built-in prototypes, a dependency's module
// state, pending promises and microtasks. Each call reports what it found
// and then leaves its own marks.
const leakyModule = `
import { bump } from "./dep.js";
let calls = 0;
const seen = [];
const f = () => 1;
f.isQuery = true;
f.invokeQuery = async () => {
  calls++;
  const found = {
    calls,
    dep: bump(),
    global: globalThis.leaked ?? null,
    proto: typeof Array.prototype.leaked,
    json: JSON.stringify.leaked ?? null,
    seen: seen.length,
    late: globalThis.late ?? null,
  };
  globalThis.leaked = "yes";
  Array.prototype.leaked = () => 1;
  JSON.stringify.leaked = true;
  seen.push(1);
  new Promise(() => {});                    // never settles
  Promise.resolve().then(() => Promise.resolve().then(() => { globalThis.late = "late"; }));
  return JSON.stringify(found);
};
export const probe = f;
`

func TestEveryCallStartsFromFreshModuleState(t *testing.T) {
	pool := runtime.NewPool(runtime.Options{})
	mods := sourceModules(map[string]string{
		"leaky.js": leakyModule,
		"dep.js":   "let n = 0; export const bump = () => ++n;",
	})
	host := newFakeDB(pool, mods)
	want := `{"calls":1,"dep":1,"global":null,"proto":"undefined","json":null,"seen":0,"late":null}`
	for i := range 5 {
		res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: "leaky.js", Export: "probe", Args: []byte("[{}]"), Now: time.UnixMilli(int64(1000 + i)), Host: host})
		if err != nil || res.Err != nil {
			t.Fatalf("call %d: %v %+v", i, err, res.Err)
		}
		if string(res.Value) != want {
			t.Fatalf("call %d saw state of an earlier call: %s, want %s", i, res.Value, want)
		}
	}
}

func TestACallThatFailsLeavesNothingBehind(t *testing.T) {
	pool := runtime.NewPool(runtime.Options{MemoryLimit: 16 << 20, Timeout: 3 * time.Second})
	mods := sourceModules(map[string]string{"m.js": `
let state = 0;
const q = (body) => { const f = () => 1; f.isQuery = true; f.invokeQuery = body; return f; };
export const oom = q(async () => { state++; globalThis.g = 1; const a = []; for (;;) a.push(new Array(1e5).fill(1)); });
export const loop = q(async () => { state++; globalThis.g = 1; for (;;) {} });
export const deep = q(async () => { state++; globalThis.g = 1; const r = (n) => r(n + 1) + 1; return String(r(0)); });
export const throws = q(async () => { state++; globalThis.g = 1; throw new Error("boom"); });
export const read = q(async () => JSON.stringify({ state, g: globalThis.g ?? null }));
`})
	host := newFakeDB(pool, mods)
	run := func(export string) *runtime.Result {
		res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: export, Args: []byte("[{}]"), Host: host})
		if err != nil {
			t.Fatalf("%s: system error %v", export, err)
		}
		return &res
	}
	for _, tc := range []struct{ export, wantErr string }{
		{"oom", "ran out of memory"},
		{"loop", "timed out"},
		{"deep", "Maximum call stack size exceeded"},
		{"throws", "Uncaught Error: boom"},
	} {
		t.Run(tc.export, func(t *testing.T) {
			res := run(tc.export)
			if res.Err == nil || !strings.Contains(res.Err.Message, tc.wantErr) {
				t.Fatalf("got %s %+v, want error containing %q", res.Value, res.Err, tc.wantErr)
			}
			after := run("read")
			if after.Err != nil || string(after.Value) != `{"state":0,"g":null}` {
				t.Fatalf("the next call saw %s %+v", after.Value, after.Err)
			}
		})
	}
}

func TestTopLevelCodeSeesTheCallsEnvironment(t *testing.T) {
	pool := runtime.NewPool(runtime.Options{})
	mods := sourceModules(map[string]string{"env.js": `
const key = process.env.KEY ?? null;
const f = () => 1; f.isQuery = true;
f.invokeQuery = async () => JSON.stringify({ key, now: process.env.KEY ?? null });
export const read = f;
`})
	host := newFakeDB(pool, mods)
	for _, v := range []string{"one", "two", "one"} {
		res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: "env.js", Export: "read", Args: []byte("[{}]"), Env: map[string]string{"KEY": v}, Host: host})
		if err != nil || res.Err != nil {
			t.Fatalf("%v %+v", err, res.Err)
		}
		if want := `{"key":"` + v + `","now":"` + v + `"}`; string(res.Value) != want {
			t.Fatalf("got %s, want %s", res.Value, want)
		}
	}
}
