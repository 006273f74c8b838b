package runtime_test

import (
	"context"
	"strings"
	"testing"

	"hull/runtime"
)

// handWritten wraps body as a query export "f" of module "m.js" without the
// convex package: invokeQuery receives the args JSON and returns a string.
func handWritten(body string) memModules {
	return sourceModules(map[string]string{"m.js": `
const f = () => {};
f.isQuery = true;
f.invokeQuery = async (argsJSON) => { ` + body + ` };
export const q = f;
`})
}

func TestEngineLimitsAndEdgeCases(t *testing.T) {
	pool := newTestPool(runtime.Options{MemoryLimit: 16 << 20})
	tests := []struct {
		name      string
		body      string
		wantValue string
		wantErr   string
		wantLogs  int
	}{
		{"a run that exhausts memory fails with an out-of-memory error",
			`const a = []; for (;;) a.push(new Array(1e5).fill(1));`, "", "ran out of memory (maximum memory usage: 16 MB)", 0},
		{"deep recursion fails with a stack error",
			`const r = (n) => r(n + 1) + 1; return String(r(0));`, "", "Maximum call stack size exceeded", 0},
		{"a thrown non-Error value is reported",
			`throw "just text";`, "", "Uncaught 'just text'", 0},
		{"a returned value that is not a string is passed through as JSON",
			`return JSON.stringify({ ok: argsJSON });`, `{"ok":"[{}]"}`, "", 0},
		{"console output stops at 256 lines with an overflow note",
			`for (let i = 0; i < 300; i++) console.log(i); return "null";`, `null`, "", 257},
		{"long log lines are truncated",
			`console.log("x".repeat(40000)); return "null";`, `null`, "", 1},
		{"awaiting a syscall that the host answers keeps the loop going",
			`const r = await Convex.asyncSyscall("1.0/queryStreamNext", JSON.stringify({ queryId: 0 })); return r;`,
			`{"value":null,"done":true}`, "", 0},
		{"queueMicrotask callbacks run before the call ends",
			`let x = 0; queueMicrotask(() => { x = 5; }); await null; return String(x);`, `5`, "", 0},
		{"the frozen clock is whole milliseconds, the same for Date.now and new Date",
			`return JSON.stringify(Number.isInteger(Date.now()) && Date.now() === new Date().getTime());`, `true`, "", 0},
		{"a promise rejected with no handler fails the call",
			`Promise.reject(new Error("forgotten")); await null; return "1";`, "", "Uncaught Error: forgotten", 0},
		{"a rejection handled later in the run is fine",
			`const p = Promise.reject(new Error("late")); await null; p.catch(() => {}); return "1";`, `1`, "", 0},
		{"AsyncLocalStorage keeps its store through run and .then",
			`const als = new AsyncLocalStorage(); const seen = [];
			 await als.run("a", () => { seen.push(als.getStore()); return Promise.resolve().then(() => seen.push(als.getStore())); });
			 seen.push(als.getStore() ?? null);
			 return JSON.stringify(seen);`, `["a","a",null]`, "", 0},
		{"AsyncLocalStorage keeps each run's store across awaits, interleaved",
			`const als = new AsyncLocalStorage(); const seen = [];
			 const work = async (tag) => {
			   await null; seen.push(tag + "1:" + als.getStore());
			   await Convex.asyncSyscall("1.0/queryStreamNext", JSON.stringify({ queryId: 0 }));
			   seen.push(tag + "2:" + als.getStore());
			   await new Promise((r) => Promise.resolve().then(r)); seen.push(tag + "3:" + als.getStore());
			 };
			 await Promise.all([als.run("a", () => work("a")), als.run("b", () => work("b"))]);
			 seen.push("after:" + (als.getStore() ?? "none"));
			 return JSON.stringify(seen.sort());`,
			`["a1:a","a2:a","a3:a","after:none","b1:b","b2:b","b3:b"]`, "", 0},
		{"AsyncLocalStorage nests, exits, and snapshots",
			`const als = new AsyncLocalStorage(); const other = new AsyncLocalStorage(); const seen = [];
			 let snap;
			 await als.run(1, async () => {
			   await other.run("o", async () => { await null; seen.push([als.getStore(), other.getStore()]); snap = AsyncLocalStorage.snapshot(); });
			   seen.push([als.getStore(), other.getStore() ?? null]);
			   await als.exit(async () => { await null; seen.push([als.getStore() ?? null]); });
			   await als.run(2, async () => { await null; seen.push([als.getStore()]); });
			   seen.push([als.getStore()]);
			 });
			 seen.push(snap(() => [als.getStore(), other.getStore()]));
			 const r = new AsyncResource("x");
			 seen.push(als.run(3, () => r.runInAsyncScope(() => als.getStore() ?? null)));
			 als.enterWith(4); await null; seen.push([als.getStore()]);
			 return JSON.stringify(seen);`,
			`[[1,"o"],[1,null],[null],[2],[1],[1,"o"],null,[4]]`, "", 0},
		{"Error.captureStackTrace sets a stack",
			`const o = {}; Error.captureStackTrace(o); return JSON.stringify(typeof o.stack);`, `"string"`, "", 0},
		{"timers are refused in queries",
			`setTimeout(() => {}, 1); return "null";`, "", "Can't use setTimeout in queries and mutations", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mods := handWritten(tc.body)
			res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: "q", Args: []byte("[{}]"), Host: newFakeDB(pool, mods)})
			if err != nil {
				t.Fatalf("system error: %v", err)
			}
			if tc.wantErr != "" {
				if res.Err == nil || !strings.Contains(res.Err.Message, tc.wantErr) {
					t.Fatalf("got value %s err %+v, want error containing %q", res.Value, res.Err, tc.wantErr)
				}
			} else {
				if res.Err != nil {
					t.Fatalf("unexpected error %q", res.Err.Message)
				}
				jsonEqual(t, res.Value, tc.wantValue)
			}
			if len(res.Logs) != tc.wantLogs {
				t.Fatalf("got %d log lines, want %d", len(res.Logs), tc.wantLogs)
			}
			for _, l := range res.Logs {
				if len(l.Message) > 33<<10 {
					t.Fatalf("a log line of %d bytes was kept", len(l.Message))
				}
			}
		})
	}
}
