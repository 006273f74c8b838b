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

// logText joins a run's log lines.
func logText(res runtime.Result) string {
	var b strings.Builder
	for _, l := range res.Logs {
		b.WriteString(l.Level + " " + l.Message + "\n")
	}
	return b.String()
}
