package runtime_test

import (
	"context"
	"testing"
	"time"

	"hull/runtime"
)

// reuseModule counts calls in module state and reports the call's clock,
// environment and AsyncLocalStorage store (each call leaves one behind);
// reuse says whether it opts into context reuse.
func reuseModule(reuse bool) map[string]string {
	src := `
let calls = 0;
const als = new AsyncLocalStorage();
const f = () => 1;
f.isQuery = true;
f.invokeQuery = async () => {
  calls++;
  const store = als.getStore() ?? null;
  als.enterWith("left by call " + calls);
  return JSON.stringify({ calls, now: Date.now(), env: process.env.GREETING ?? null, store });
};
export const count = f;
`
	if reuse {
		src += "export const experimental_reuseContext = true;\n"
	}
	return map[string]string{"state.js": src}
}

func TestContextReuse(t *testing.T) {
	tests := []struct {
		name   string
		reuse  bool
		second string
	}{
		{"a module without the opt-in gets fresh module state every call", false, `{"calls":1,"now":2000,"env":"b","store":null}`},
		{"a module exporting experimental_reuseContext keeps its state, with each call's time and env and no store left by the last call", true, `{"calls":2,"now":2000,"env":"b","store":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := runtime.NewPool(runtime.Options{})
			mods := sourceModules(reuseModule(tt.reuse))
			host := newFakeDB(pool, mods)
			run := func(now int64, greeting string) string {
				res, err := pool.Run(context.Background(), mods, runtime.Call{
					Kind: runtime.KindQuery, Module: "state.js", Export: "count", Args: []byte("[{}]"),
					Now: time.UnixMilli(now), Env: map[string]string{"GREETING": greeting}, Host: host,
				})
				if err != nil || res.Err != nil {
					t.Fatalf("run: %v %+v", err, res.Err)
				}
				return string(res.Value)
			}
			if got := run(1000, "a"); got != `{"calls":1,"now":1000,"env":"a","store":null}` {
				t.Fatalf("first call = %s", got)
			}
			if got := run(2000, "b"); got != tt.second {
				t.Fatalf("second call = %s, want %s", got, tt.second)
			}
		})
	}
}
