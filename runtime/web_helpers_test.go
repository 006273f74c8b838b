package runtime_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hull/runtime"
)

// webCase is JavaScript run as the body of an async function, and the
// JSON of the value it must return.
type webCase struct {
	name string
	js   string
	want string
}

// webModule wraps body into a module exporting one function that can be
// called as a query, a mutation or an action and returns body's value as
// JSON.
func webModule(body string) runtime.MapModules {
	src := `
const run = async () => { ` + body + `
};
const fn = () => {};
const invoke = async () => { const v = await run(); return v === undefined ? "null" : JSON.stringify(v); };
fn.isQuery = true; fn.isMutation = true; fn.isAction = true;
fn.invokeQuery = invoke; fn.invokeMutation = invoke; fn.invokeAction = invoke;
export const f = fn;
`
	return sourceModules(map[string]string{"web.js": src})
}

// runWeb runs body as kind and returns the outcome.
func runWeb(t *testing.T, pool *runtime.Pool, kind runtime.Kind, body string) runtime.Result {
	t.Helper()
	mods := webModule(body)
	res, err := pool.Run(context.Background(), mods, runtime.Call{
		Kind: kind, Module: "web.js", Export: "f", Args: []byte("[{}]"),
		Now: time.UnixMilli(1_700_000_000_000), Seed: [32]byte{7}, Host: newFakeDB(pool, mods),
	})
	if err != nil {
		t.Fatalf("Run: system error: %v", err)
	}
	return res
}

// runWebCases runs every case in each of kinds.
func runWebCases(t *testing.T, kinds []runtime.Kind, cases []webCase) {
	t.Helper()
	pool := newTestPool(runtime.Options{})
	for _, kind := range kinds {
		for _, tc := range cases {
			t.Run(string(kind)+"/"+tc.name, func(t *testing.T) {
				res := runWeb(t, pool, kind, tc.js)
				if res.Err != nil {
					t.Fatalf("unexpected error %s\n%s", res.Err.Message, res.Err.Stack)
				}
				jsonEqual(t, res.Value, tc.want)
			})
		}
	}
}

var allKinds = []runtime.Kind{runtime.KindQuery, runtime.KindMutation, runtime.KindAction}

var actionOnly = []runtime.Kind{runtime.KindAction}

// logText joins a run's log lines.
func logText(res runtime.Result) string {
	var b strings.Builder
	for _, l := range res.Logs {
		b.WriteString(l.Level + " " + l.Message + "\n")
	}
	return b.String()
}

// seededInQueriesOnly runs body twice in a query, a mutation and an
// action: the first two repeat their result exactly (seeded randomness),
// actions do not.
func seededInQueriesOnly(t *testing.T, pool *runtime.Pool, body string) {
	t.Helper()
	for _, kind := range []runtime.Kind{runtime.KindQuery, runtime.KindMutation} {
		first := runWeb(t, pool, kind, body)
		second := runWeb(t, pool, kind, body)
		if first.Err != nil || second.Err != nil {
			t.Fatalf("%s: errors %+v %+v", kind, first.Err, second.Err)
		}
		if string(first.Value) != string(second.Value) {
			t.Errorf("%s: two runs with the same seed differ:\n%s\n%s", kind, first.Value, second.Value)
		}
	}
	a := runWeb(t, pool, runtime.KindAction, body)
	b := runWeb(t, pool, runtime.KindAction, body)
	if a.Err != nil || b.Err != nil {
		t.Fatalf("action: errors %+v %+v", a.Err, b.Err)
	}
	if string(a.Value) == string(b.Value) {
		t.Errorf("action: two runs gave the same result %s", a.Value)
	}
}
