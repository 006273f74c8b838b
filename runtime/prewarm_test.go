package runtime_test

import (
	"context"
	"testing"
	"time"

	"hull/runtime"
)

// waitIdle waits until the pool holds want idle engines (a snapshotted
// engine is restored off the caller's path before it is idle again).
func waitIdle(t *testing.T, pool *runtime.Pool, want int) runtime.PoolStats {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := pool.Stats()
		if s.EnginesIdle == want {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("pool %+v, want %d idle engines", s, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Prewarm leaves a prepared engine that the first real call of its
// module, kind and environment uses instead of preparing its own.
func TestPrewarmPreparesTheEngineTheFirstCallUses(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := loadBundle(t)
	env := map[string]string{"GREETING": "hi there"} // as run() calls
	n := pool.Prewarm(context.Background(), mods, []runtime.Call{
		{Kind: runtime.KindQuery, Module: "messages.js", Env: env},
		{Kind: runtime.KindQuery, Module: "no_such_module.js", Env: env},
		{Kind: runtime.KindHTTPAction, Module: "messages.js", Env: env},
	})
	if n != 1 {
		t.Fatalf("Prewarm prepared %d engines, want 1 (the unknown module and the HTTP kind are skipped)", n)
	}
	if s := waitIdle(t, pool, 1); s.EnginesLive != 1 {
		t.Fatalf("after Prewarm: %+v", s)
	}
	db := newFakeDB(pool, mods)
	db.seed("messages", map[string]any{"body": "first"})
	res := run(t, pool, mods, db, runtime.KindQuery, "list", `{"limit":1}`)
	if res.Err != nil {
		t.Fatalf("query after Prewarm: %+v", res.Err)
	}
	jsonEqual(t, res.Value, `["first"]`)
	if s := waitIdle(t, pool, 1); s.EnginesLive != 1 {
		t.Fatalf("the call prepared an engine of its own: %+v", s)
	}
}

// A module that throws at import prepares nothing; its first call still
// reports the error.
func TestPrewarmOfAFailingModulePreparesNothing(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := sourceModules(map[string]string{"bad.js": `throw new Error("at import");`})
	if n := pool.Prewarm(context.Background(), mods, []runtime.Call{{Kind: runtime.KindQuery, Module: "bad.js"}}); n != 0 {
		t.Fatalf("Prewarm prepared %d engines", n)
	}
	if s := pool.Stats(); s.EnginesLive != 0 || s.EnginesIdle != 0 {
		t.Fatalf("pool after a failed prewarm: %+v", s)
	}
	res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: "bad.js", Export: "x", Args: []byte("[{}]"), Host: newFakeDB(pool, mods)})
	if err != nil || res.Err == nil {
		t.Fatalf("call of the failing module: %v, %+v", err, res.Err)
	}
}

// Precompile compiles what it can find and skips unknown modules.
func TestPrecompileCompilesTheNamedModules(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := loadBundle(t)
	n := pool.Precompile(context.Background(), mods, []string{"messages.js", "no_such_module.js"})
	want := 1
	if onV8() {
		want = 0 // V8 compiles when it evaluates
	}
	if n != want {
		t.Fatalf("Precompile compiled %d modules, want %d", n, want)
	}
	if s := pool.Stats(); s.EnginesLive != 0 {
		t.Fatalf("Precompile prepared engines: %+v", s)
	}
}
