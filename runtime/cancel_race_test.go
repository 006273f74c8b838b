package runtime_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"hull/runtime"
)

// A call's context that ends just as the call finishes (an HTTP request's
// context ends when its response is done) must not interrupt the next call
// on the same engine.
func TestAContextEndingAsACallFinishesLeavesTheNextCallAlone(t *testing.T) {
	mods := sourceModules(map[string]string{
		"ping.js": `export const ping = Object.assign(() => {}, { isAction: true, invokeAction: async () => JSON.stringify("pong") });`,
	})
	pool := newTestPool(runtime.Options{MaxEnginesPerKey: 1})
	call := runtime.Call{Kind: runtime.KindAction, Module: "ping.js", Export: "ping", Args: []byte("[{}]"), Host: newFakeDB(pool, mods)}
	for i := range 400 {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
			cancel()
		}()
		_, _ = pool.Run(ctx, mods, call) // done, cancelled, or never started
		res, err := pool.Run(context.Background(), mods, call)
		if err != nil {
			t.Fatalf("run %d after a cancelled one: %v", i, err)
		}
		if res.Err != nil || string(res.Value) != `"pong"` {
			t.Fatalf("run %d after a cancelled one: value %s, error %v", i, res.Value, res.Err)
		}
		cancel()
	}
}
