//go:build cgo && hull_v8

package runtime_test

import (
	"testing"

	"hull/runtime"
)

// A function that needs all of Intl (QuickJS has a subset) moves to V8 at
// once and its call gives V8's answer. Only the V8 build has the heavy
// engine; CI runs it there (go test -tags hull_v8 ./runtime/...).
func TestTieredMovesFunctionsThatNeedAllOfIntl(t *testing.T) {
	mods := tierModule(runtime.KindQuery, `return JSON.stringify(new Intl.NumberFormat("de-DE").format(1234.5));`)
	want := runOnce(t, newTestPool(runtime.Options{}), mods, runtime.KindQuery, &opsHost{})
	pool := newTestPool(runtime.Options{Engine: runtime.Tiered{Fast: runtime.QuickJS{}, Heavy: runtime.DefaultEngine()}})
	if got := runOnce(t, pool, mods, runtime.KindQuery, &opsHost{}); got != want {
		t.Fatalf("got %s, want %s as on V8", got, want)
	}
	if got := pool.Tier(mods, runtime.Call{Kind: runtime.KindQuery, Module: "t.js", Export: "f"}); got != "heavy" {
		t.Fatalf("the function is on %s, want heavy", got)
	}
}
