package runtime_test

import (
	"context"
	"testing"
	"time"

	"hull/runtime"
)

// BenchmarkTrivialQuery measures one call of a query that touches no data,
// in the fixture app (messages.js imports the convex package and zod).
func BenchmarkTrivialQuery(b *testing.B) {
	pool := runtime.NewPool(runtime.Options{})
	mods := loadBundle(b)
	db := newFakeDB(pool, mods)
	call := runtime.Call{Kind: runtime.KindQuery, Module: "messages.js", Export: "state", Args: []byte("[{}]"), Now: time.Now(), Host: db}
	b.ReportAllocs()
	for b.Loop() {
		res, err := pool.Run(context.Background(), mods, call)
		if err != nil || res.Err != nil {
			b.Fatalf("%v %+v", err, res.Err)
		}
	}
}

// BenchmarkTinyModuleQuery measures the floor: a query in a small module
// that does not import the convex package.
func BenchmarkTinyModuleQuery(b *testing.B) {
	pool := runtime.NewPool(runtime.Options{})
	mods := sourceModules(map[string]string{"tiny.js": `
const f = () => 1;
f.isQuery = true;
f.invokeQuery = async (args) => JSON.stringify(JSON.parse(args).length);
export const one = f;
`})
	call := runtime.Call{Kind: runtime.KindQuery, Module: "tiny.js", Export: "one", Args: []byte("[{}]"), Now: time.Now(), Host: newFakeDB(pool, mods)}
	for b.Loop() {
		res, err := pool.Run(context.Background(), mods, call)
		if err != nil || res.Err != nil {
			b.Fatalf("%v %+v", err, res.Err)
		}
	}
}
