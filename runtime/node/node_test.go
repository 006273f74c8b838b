package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hull/runtime"
)

// needNode fails the test when node is missing (CI always has it); set
// HULL_TEST_NODE=off to skip these tests on a machine without Node.js.
func needNode(t *testing.T) {
	t.Helper()
	if os.Getenv("HULL_TEST_NODE") == "off" {
		t.Skip("HULL_TEST_NODE=off")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not on the PATH; install Node.js or set HULL_TEST_NODE=off")
	}
}

// actionsJS defines test actions the way the convex package shapes them.
const actionsJS = `
import { createHash } from "node:crypto";
const act = (handler) => ({
  isAction: true, isPublic: true,
  invokeAction: async (requestId, argsJSON) => JSON.stringify((await handler(JSON.parse(argsJSON)[0], requestId)) ?? null),
});
const call = async (op, rid, args = {}) => JSON.parse(await Convex.asyncSyscall(op, JSON.stringify({ ...args, requestId: rid })));
export const echo = act(async (args) => args);
export const digest = act(async (args) => createHash("sha256").update(args.text).digest("hex"));
export const viaHost = act(async (args, rid) => call("1.0/actions/query", rid, { name: "q:q", args }));
export const hostFails = act(async (args, rid) => {
  try { await call("test/fail", rid); } catch (e) { return { message: e.message, data: e.data ?? null }; }
});
export const logs = act(async () => {
  console.log("hello", { a: 1 });
  console.warn("careful");
  console.error(new Error("shown").message);
  process.stdout.write("raw line\n");
  await new Promise((r) => setTimeout(r, 50));
  return null;
});
export const env = act(async () => process.env.GREETING ?? null);
export const hostEnvHidden = act(async () => process.env.HULL_SECRET_FOR_TEST ?? null);
export const fails = act(async () => { throw new Error("boom"); });
export const crash = act(async () => { process.exit(7); });
export const hang = act(async () => { for (;;) {} });
export const oom = act(async () => { const keep = []; for (;;) keep.push(new Array(1e5).fill(Math.random())); });
export const throwLater = act(async () => { setTimeout(() => { throw new Error("later"); }, 0); await new Promise((r) => setTimeout(r, 200)); return 1; });
export const gate = act(async (args, rid) => call("test/gate", rid));
export const nested = act(async (args, rid) => call("test/nested", rid));
export const pid = act(async () => process.pid);
export const requireWorks = act(async () => typeof require("node:path").join);
let counter = 0;
export const count = act(async () => ++counter);
export const q = { isQuery: true, isPublic: true, invokeQuery: () => "null" };
export const hidden = {
  isAction: true, isInternal: true, invokeAction: async () => "null",
  exportArgs: () => '{"type":"object","value":{"n":{"fieldType":{"type":"number"},"optional":false}}}',
};
`

func testCode() *Code {
	return &Code{Modules: []runtime.Module{{Path: "acts.js", Source: actionsJS, SHA256: "t1"}}}
}

func newTestExecutor(t *testing.T, opts Options) *Executor {
	t.Helper()
	needNode(t)
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	if opts.ActionTimeout == 0 {
		opts.ActionTimeout = 20 * time.Second
	}
	e := New(opts)
	t.Cleanup(e.Close)
	return e
}

// testHost serves the syscalls the test actions make.
type testHost struct {
	onCall func(ctx context.Context, op string, args []byte) ([]byte, error)
}

func (h *testHost) Syscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, runtime.UnknownOperation(op)
}

func (h *testHost) AsyncSyscall(ctx context.Context, op string, args []byte) ([]byte, error) {
	if h.onCall != nil {
		return h.onCall(ctx, op, args)
	}
	return nil, runtime.UnknownAsyncOperation(op)
}

func run(t *testing.T, e *Executor, ctx context.Context, export, args string, host runtime.Host, env map[string]string) runtime.Result {
	t.Helper()
	if host == nil {
		host = &testHost{}
	}
	res, err := e.Run(ctx, testCode(), runtime.Call{Kind: runtime.KindAction, Module: "acts.js", Export: export,
		Args: []byte("[" + args + "]"), Env: env, Host: host, RequestID: "req-" + export})
	if err != nil {
		t.Fatalf("run %s: %v", export, err)
	}
	return res
}

func value(t *testing.T, res runtime.Result) string {
	t.Helper()
	if res.Err != nil {
		t.Fatalf("action failed: %s", res.Err.Message)
	}
	return string(res.Value)
}

type convexErr struct{ data []byte }

func (c *convexErr) Error() string      { return "custom failure" }
func (c *convexErr) ConvexData() []byte { return c.data }

func TestActionsRun(t *testing.T) {
	t.Setenv("HULL_SECRET_FOR_TEST", "do not leak")
	e := newTestExecutor(t, Options{})
	ctx := context.Background()
	host := &testHost{onCall: func(_ context.Context, op string, args []byte) ([]byte, error) {
		switch op {
		case "1.0/actions/query":
			var a struct {
				Name      string          `json:"name"`
				Args      json.RawMessage `json:"args"`
				RequestID string          `json:"requestId"`
			}
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, err
			}
			return json.Marshal(map[string]any{"name": a.Name, "args": a.Args, "requestId": a.RequestID})
		case "test/fail":
			return nil, &convexErr{data: []byte(`{"code":42}`)}
		}
		return nil, runtime.UnknownAsyncOperation(op)
	}}
	cases := []struct {
		name, export, args string
		env                map[string]string
		want               string
	}{
		{"echoes its arguments", "echo", `{"n":1}`, nil, `{"n":1}`},
		{"uses node:crypto", "digest", `{"text":"abc"}`, nil, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{"calls the host with its request id", "viaHost", `{"x":2}`, nil, `{"args":{"x":2},"name":"q:q","requestId":"req-viaHost"}`},
		{"sees host errors with ConvexError data", "hostFails", `{}`, nil, `{"data":{"code":42},"message":"custom failure"}`},
		{"reads the deployment's environment variables", "env", `{}`, map[string]string{"GREETING": "hi"}, `"hi"`},
		{"does not see hull's own environment", "hostEnvHidden", `{}`, nil, `null`},
		{"has a bare require for bundled CommonJS", "requireWorks", `{}`, nil, `"function"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := run(t, e, ctx, c.export, c.args, host, c.env)
			var got, want any
			if err := json.Unmarshal([]byte(value(t, res)), &got); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal([]byte(c.want), &want)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("got %s, want %s", res.Value, c.want)
			}
		})
	}
}

func TestConsoleOutputBecomesLogLines(t *testing.T) {
	e := newTestExecutor(t, Options{})
	res := run(t, e, context.Background(), "logs", `{}`, nil, nil)
	value(t, res)
	got := map[string]string{}
	for _, l := range res.Logs {
		got[l.Message] = l.Level
	}
	want := map[string]string{"hello { a: 1 }": "LOG", "careful": "WARN", "shown": "ERROR", "raw line": "LOG"}
	for msg, level := range want {
		if got[msg] != level {
			t.Errorf("log %q: level %q, want %q (all: %v)", msg, got[msg], level, res.Logs)
		}
	}
}

func TestThrownErrorsFailTheAction(t *testing.T) {
	e := newTestExecutor(t, Options{})
	res := run(t, e, context.Background(), "fails", `{}`, nil, nil)
	if res.Err == nil || !strings.HasPrefix(res.Err.Message, "Uncaught Error: boom") {
		t.Fatalf("got %+v", res.Err)
	}
	res = run(t, e, context.Background(), "nothere", `{}`, nil, nil)
	if res.Err == nil || !strings.Contains(res.Err.Message, "wasn't registered as a Convex action") {
		t.Fatalf("got %+v", res.Err)
	}
}

func TestModuleStateLastsWithinAProcess(t *testing.T) {
	e := newTestExecutor(t, Options{MaxProcesses: 1})
	ctx := context.Background()
	first := value(t, run(t, e, ctx, "count", `{}`, nil, nil))
	second := value(t, run(t, e, ctx, "count", `{}`, nil, nil))
	if first != "1" || second != "2" {
		t.Fatalf("counter %s then %s, want 1 then 2", first, second)
	}
	// New environment variables mean a fresh import.
	if got := value(t, run(t, e, ctx, "count", `{}`, nil, map[string]string{"A": "b"})); got != "1" {
		t.Fatalf("after an env change the counter is %s, want 1", got)
	}
}

// The pool recovers from every way a process can fail: each case fails
// its action with a reason, and the next action runs.
func TestFailingProcessesAreReplaced(t *testing.T) {
	e := newTestExecutor(t, Options{MaxProcesses: 1, ActionTimeout: 2 * time.Second, MemoryLimit: 32 << 20})
	ctx := context.Background()
	cases := []struct {
		name, export string
		want         string
	}{
		{"a process that exits", "crash", "exited unexpectedly (exit code 7)"},
		{"a process that loops forever", "hang", "Function execution timed out (maximum duration: 2s)"},
		{"a process that runs out of heap", "oom", "ran out of memory (maximum memory usage: 32 MB)"},
		{"an exception thrown outside the action's promise", "throwLater", "Uncaught Error: later"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := value(t, run(t, e, ctx, "pid", `{}`, nil, nil))
			res := run(t, e, ctx, c.export, `{}`, nil, nil)
			if res.Err == nil || !strings.Contains(res.Err.Message, c.want) {
				t.Fatalf("error %+v, want it to contain %q", res.Err, c.want)
			}
			after := value(t, run(t, e, ctx, "pid", `{}`, nil, nil))
			if before == after {
				t.Fatalf("the failed process (pid %s) was reused", before)
			}
			if s := e.Stats(); s.Running != 0 || s.Idle > 1 {
				t.Fatalf("pool after recovery: %+v", s)
			}
		})
	}
}

func TestCancelledCallKillsItsProcess(t *testing.T) {
	e := newTestExecutor(t, Options{MaxProcesses: 1})
	// A warm process first, so the deadline falls inside the action
	// rather than during Node's start on a loaded machine.
	value(t, run(t, e, context.Background(), "echo", `{}`, nil, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	res := run(t, e, ctx, "hang", `{}`, nil, nil)
	if res.Err == nil || !strings.Contains(res.Err.Message, "cancelled") {
		t.Fatalf("got %+v", res.Err)
	}
	value(t, run(t, e, context.Background(), "echo", `{}`, nil, nil))
}

func TestAtMostMaxProcessesRunAtOnce(t *testing.T) {
	const maxProcs, calls = 2, 5
	e := newTestExecutor(t, Options{MaxProcesses: maxProcs})
	var inside, most atomic.Int32
	release := make(chan struct{})
	host := &testHost{onCall: func(ctx context.Context, op string, _ []byte) ([]byte, error) {
		n := inside.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		defer inside.Add(-1)
		select {
		case <-release:
		case <-ctx.Done():
		}
		return []byte("1"), nil
	}}
	var wg sync.WaitGroup
	errs := make(chan string, calls)
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.Run(context.Background(), testCode(), runtime.Call{Kind: runtime.KindAction, Module: "acts.js", Export: "gate", Args: []byte("[{}]"), Host: host, RequestID: "r"})
			switch {
			case err != nil:
				errs <- err.Error()
			case res.Err != nil:
				errs <- res.Err.Message
			}
		}()
	}
	waitFor(t, "two actions inside the host", func() bool { return inside.Load() == maxProcs })
	time.Sleep(300 * time.Millisecond) // room for a third to (wrongly) start
	if s := e.Stats(); s.Running != maxProcs {
		t.Fatalf("running %d processes, want %d", s.Running, maxProcs)
	}
	close(release)
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	if m := most.Load(); m != maxProcs {
		t.Fatalf("at most %d actions ran at once, want %d", m, maxProcs)
	}
}

func TestNestedCallsDoNotDeadlockAtTheBound(t *testing.T) {
	e := newTestExecutor(t, Options{MaxProcesses: 1})
	host := &testHost{}
	host.onCall = func(ctx context.Context, op string, _ []byte) ([]byte, error) {
		res, err := e.Run(ctx, testCode(), runtime.Call{Kind: runtime.KindAction, Module: "acts.js", Export: "echo", Args: []byte(`[{"inner":true}]`), Host: host, RequestID: "inner"})
		if err != nil {
			return nil, err
		}
		return res.Value, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if got := value(t, run(t, e, ctx, "nested", `{}`, host, nil)); got != `{"inner":true}` {
		t.Fatalf("got %s", got)
	}
	waitFor(t, "the extra process to end", func() bool { s := e.Stats(); return s.Running+s.Idle <= 1 })
}

func TestIdleProcessesAreReaped(t *testing.T) {
	e := newTestExecutor(t, Options{IdleTimeout: 200 * time.Millisecond})
	pid := value(t, run(t, e, context.Background(), "pid", `{}`, nil, nil))
	if s := e.Stats(); s.Idle != 1 {
		t.Fatalf("after a run: %+v, want one idle process", s)
	}
	waitFor(t, "the idle process to be reaped", func() bool { return e.Stats().Idle == 0 })
	waitFor(t, "process "+pid+" to exit", func() bool { return !processExists(pid) })
}

func processExists(pid string) bool {
	_, err := os.Stat("/proc/" + pid)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil { // no /proc: ask kill -0
		return exec.Command("kill", "-0", pid).Run() == nil
	}
	return true
}

func TestCodeFolderIsRebuiltWhenItDisappears(t *testing.T) {
	e := newTestExecutor(t, Options{IdleTimeout: time.Hour})
	value(t, run(t, e, context.Background(), "echo", `{}`, nil, nil))
	e.pool.retire(func(*process) bool { return true })
	if err := os.RemoveAll(filepath.Join(e.opts.Dir, "code")); err != nil {
		t.Fatal(err)
	}
	value(t, run(t, e, context.Background(), "echo", `{}`, nil, nil))
}

func TestAnalyzeDescribesExports(t *testing.T) {
	e := newTestExecutor(t, Options{})
	mods, err := e.Analyze(context.Background(), testCode(), map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 1 || mods[0].Path != "acts.js" {
		t.Fatalf("got %+v", mods)
	}
	kinds := map[string]string{}
	for _, f := range mods[0].Functions {
		kinds[f.Name] = string(f.Kind) + "/" + f.Visibility
		if f.Name == "hidden" && !strings.Contains(string(f.Args), `"n"`) {
			t.Errorf("hidden's args validator: %s", f.Args)
		}
	}
	for name, want := range map[string]string{"echo": "action/public", "hidden": "action/internal", "q": "query/public"} {
		if kinds[name] != want {
			t.Errorf("%s: %q, want %q", name, kinds[name], want)
		}
	}
}

func TestAnalyzeReportsImportErrors(t *testing.T) {
	e := newTestExecutor(t, Options{})
	code := &Code{Modules: []runtime.Module{{Path: "bad.js", Source: `throw new Error("at import");`, SHA256: "b"}}}
	_, err := e.Analyze(context.Background(), code, nil)
	if err == nil || !strings.Contains(err.Error(), "Failed to analyze bad.js: Uncaught Error: at import") {
		t.Fatalf("got %v", err)
	}
}

func TestMissingNodeIsReportedWithWhatToInstall(t *testing.T) {
	e := New(Options{Node: filepath.Join(t.TempDir(), "no-node-here"), Dir: t.TempDir()})
	defer e.Close()
	_, err := e.Run(context.Background(), testCode(), runtime.Call{Kind: runtime.KindAction, Module: "acts.js", Export: "echo", Args: []byte("[{}]"), Host: &testHost{}})
	var ue *UnavailableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "Install Node.js") {
		t.Fatalf("got %v", err)
	}
}

func TestCheckVersion(t *testing.T) {
	e := newTestExecutor(t, Options{})
	info, err := e.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, want string
		ok         bool
	}{
		{"the same major version is accepted", fmt.Sprint(info.Major), true},
		{"a v prefix and .x are accepted", fmt.Sprintf("v%d.x", info.Major), true},
		{"another major version is refused", fmt.Sprint(info.Major + 1), false},
		{"a newer minor version is refused", fmt.Sprintf("%d.999", info.Major), false},
		{"nonsense is refused", "latest", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := e.CheckVersion(context.Background(), c.want)
			if (err == nil) != c.ok {
				t.Fatalf("CheckVersion(%q) = %v", c.want, err)
			}
		})
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
