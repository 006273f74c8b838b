package runtime_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hull/runtime"
)

// A call made from inside another (ctx.runQuery) runs on another engine on
// the same thread's stack; its own runaway recursion must fail that call
// with the usual error, not the process.
func TestANestedCallThatOverflowsItsStackFailsAlone(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := sourceModules(map[string]string{"m.js": `
const fn = (kind, body) => { const f = () => 1; f["is" + kind] = true; f["invoke" + kind] = body; return f; };
export const deep = fn("Query", async () => { const r = (n) => r(n + 1) + 1; return String(r(0)); });
export const outer = fn("Mutation", async () => {
  try {
    await Convex.asyncSyscall("1.0/runUdf", JSON.stringify({ udfType: "query", name: "m:deep", args: {} }));
    return JSON.stringify("no error");
  } catch (e) {
    return JSON.stringify(e.message);
  }
});
`})
	db := newFakeDB(pool, mods)
	res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindMutation, Module: "m.js", Export: "outer", Args: []byte("[{}]"), Host: db})
	if err != nil || res.Err != nil {
		t.Fatalf("%v %+v", err, res.Err)
	}
	if !strings.Contains(string(res.Value), "Maximum call stack size exceeded") {
		t.Fatalf("got %s, want the nested call's stack error", res.Value)
	}
}

// Nested calls of one function deeper than the engines kept per function
// module: each level holds its engine while it waits for the next.
func TestNestedCallsDeeperThanThePoolOfAModuleComplete(t *testing.T) {
	pool := newTestPool(runtime.Options{MaxEnginesPerKey: 2})
	mods := sourceModules(map[string]string{"m.js": `
const f = () => 1;
f.isQuery = true;
f.invokeQuery = async (a) => {
  const { n } = JSON.parse(a)[0];
  if (n === 0) return JSON.stringify("bottom");
  return await Convex.asyncSyscall("1.0/runUdf", JSON.stringify({ udfType: "query", name: "m:level", args: { n: n - 1 } }));
};
export const level = f;
`})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := pool.Run(ctx, mods, runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: "level", Args: []byte(`[{"n":6}]`), Host: newFakeDB(pool, mods)})
	if err != nil || res.Err != nil || string(res.Value) != `"bottom"` {
		t.Fatalf("got %s %v %+v", res.Value, err, res.Err)
	}
}
