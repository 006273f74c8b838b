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

// getHost answers 1.0/get with one stored document.
type getHost struct{ doc []byte }

func (getHost) Syscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, runtime.UnknownOperation(op)
}

func (h getHost) AsyncSyscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	if op != "1.0/get" {
		return nil, runtime.UnknownAsyncOperation(op)
	}
	return h.doc, nil
}

// BenchmarkGetQuery measures one call of a query doing one ctx.db.get.
func BenchmarkGetQuery(b *testing.B) {
	pool := runtime.NewPool(runtime.Options{})
	mods := loadBundle(b)
	const id = "j57000820c20a1g7104gm2rc1m70ynr8"
	host := getHost{doc: []byte(`{"_id":"` + id + `","_creationTime":1700000000000,"author":"ada","body":"hello"}`)}
	call := runtime.Call{Kind: runtime.KindQuery, Module: "messages.js", Export: "byId", Args: []byte(`[{"id":"` + id + `"}]`), Now: time.Now(), Host: host}
	for b.Loop() {
		res, err := pool.Run(context.Background(), mods, call)
		if err != nil || res.Err != nil {
			b.Fatalf("%v %+v", err, res.Err)
		}
	}
}
