package runtime_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hull/runtime"
)

// countingEngine counts the VMs an engine made.
type countingEngine struct {
	runtime.Engine
	n *atomic.Int32
}

func (e countingEngine) NewVM(cfg runtime.EngineConfig) (runtime.VM, error) {
	e.n.Add(1)
	return e.Engine.NewVM(cfg)
}

// opsHost records the syscalls a run made; rewindable, it can also undo
// them (runtime.Rewinder), as a transaction does.
type opsHost struct {
	mu         sync.Mutex
	ops        []string
	rewindable bool
}

func (h *opsHost) Syscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, runtime.UnknownOperation(op)
}

func (h *opsHost) AsyncSyscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, op)
	return []byte("null"), nil
}

func (h *opsHost) seen() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ops)
}

// rewinderHost is an opsHost that implements runtime.Rewinder.
type rewinderHost struct{ *opsHost }

func (h rewinderHost) Checkpoint() func() {
	h.mu.Lock()
	n := len(h.ops)
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		h.ops = h.ops[:n]
		h.mu.Unlock()
	}
}

// tierModule exports "f" of kind whose body is body (argsJSON in scope;
// it returns a string).
func tierModule(kind runtime.Kind, body string) memModules {
	return sourceModules(map[string]string{"t.js": `
const fn = () => {};
fn.isQuery = ` + jsBool(kind == runtime.KindQuery) + `;
fn.isMutation = ` + jsBool(kind == runtime.KindMutation) + `;
fn.isAction = ` + jsBool(kind == runtime.KindAction) + `;
const invoke = async (argsJSON) => { ` + body + ` };
fn.invokeQuery = invoke; fn.invokeMutation = invoke;
fn.invokeAction = (requestId, argsJSON) => invoke(argsJSON);
export const f = fn;
`})
}

func jsBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// spin is JS that computes a number over n iterations: deterministic,
// the same on every engine.
func spin(n string) string {
	return `let h = 7; for (let i = 0; i < ` + n + `; i++) h = (h * 31 + i) % 1000003; `
}

func TestTieredPolicyPicksTheEngineByMeasurement(t *testing.T) {
	const hour = time.Hour
	tests := []struct {
		name           string
		kind           runtime.Kind
		body           string
		promote, retry time.Duration
		calls          int
		rewindable     bool
		wantTier       string
		wantHeavy      bool // the heavy engine made VMs
		wantOpsPerCall int  // syscalls the host saw, per call
	}{
		{"a trivial query stays on fast", runtime.KindQuery, `return JSON.stringify(1);`,
			DefaultPromote, DefaultRetry, 5, false, "fast", false, 0},
		{"a query past the retry budget is run again on heavy, and moves at the second", runtime.KindQuery,
			spin("3e6") + `return JSON.stringify(h);`, hour, 5 * time.Millisecond, 2, false, "heavy", true, 0},
		{"a query whose average passes the promotion threshold moves after a few calls", runtime.KindQuery,
			spin("2e5") + `return JSON.stringify(h);`, 100 * time.Microsecond, hour, 4, false, "heavy", true, 0},
		{"two calls are not enough to judge the average", runtime.KindQuery,
			spin("2e5") + `return JSON.stringify(h);`, 100 * time.Microsecond, hour, 2, false, "fast", false, 0},
		{"a mutation that read before its heavy part is rewound and run again on heavy", runtime.KindMutation,
			`await Convex.asyncSyscall("1.0/get", "{}"); ` + spin("3e6") + `return JSON.stringify(h);`,
			hour, 5 * time.Millisecond, 2, true, "heavy", true, 1},
		{"a mutation whose host cannot rewind finishes on fast, and moves at the second", runtime.KindMutation,
			`await Convex.asyncSyscall("1.0/get", "{}"); ` + spin("3e6") + `return JSON.stringify(h);`,
			hour, 5 * time.Millisecond, 2, false, "heavy", false, 1},
		{"a mutation with no syscall before its heavy part needs no rewind", runtime.KindMutation,
			spin("3e6") + `await Convex.asyncSyscall("1.0/get", "{}"); return JSON.stringify(h);`,
			hour, 5 * time.Millisecond, 2, false, "heavy", true, 1},
		{"a pure action is run again on heavy", runtime.KindAction,
			spin("3e6") + `return JSON.stringify(h);`, hour, 5 * time.Millisecond, 2, false, "heavy", true, 0},
		{"an action that reached outside finishes on fast, and moves at the second", runtime.KindAction,
			`await Convex.asyncSyscall("1.0/get", "{}"); ` + spin("3e6") + `return JSON.stringify(h);`,
			hour, 5 * time.Millisecond, 2, false, "heavy", false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mods := tierModule(tc.kind, tc.body)
			var heavyVMs atomic.Int32
			tiered := newTestPool(runtime.Options{Engine: runtime.Tiered{
				Fast: runtime.QuickJS{}, Heavy: countingEngine{runtime.DefaultEngine(), &heavyVMs},
				PromoteCPU: tc.promote, RetryCPU: tc.retry,
			}})
			want := runOnce(t, newTestPool(runtime.Options{Engine: runtime.QuickJS{}}), mods, tc.kind, &opsHost{})
			if other := runOnce(t, newTestPool(runtime.Options{}), mods, tc.kind, &opsHost{}); other != want {
				t.Fatalf("the default engine returned %s, QuickJS %s", other, want)
			}
			call := runtime.Call{Kind: tc.kind, Module: "t.js", Export: "f"}
			if got := tiered.Tier(mods, call); got != "fast" {
				t.Fatalf("a new function starts on %s", got)
			}
			for i := range tc.calls {
				ops := &opsHost{}
				var host runtime.Host = ops
				if tc.rewindable {
					host = rewinderHost{ops}
				}
				if got := runOnce(t, tiered, mods, tc.kind, host); got != want {
					t.Fatalf("call %d returned %s, want %s as on one engine", i, got, want)
				}
				if n := ops.seen(); n != tc.wantOpsPerCall {
					t.Fatalf("call %d: the host saw %d syscalls, want %d", i, n, tc.wantOpsPerCall)
				}
			}
			if got := tiered.Tier(mods, call); got != tc.wantTier {
				t.Fatalf("after %d calls the function is on %s, want %s", tc.calls, got, tc.wantTier)
			}
			if used := heavyVMs.Load() > 0; used != tc.wantHeavy {
				t.Fatalf("heavy engine used: %v, want %v", used, tc.wantHeavy)
			}
			if tc.wantTier == "heavy" {
				if got := runOnce(t, tiered, mods, tc.kind, &opsHost{}); got != want {
					t.Fatalf("on heavy the function returned %s, want %s", got, want)
				}
				if heavyVMs.Load() == 0 {
					t.Fatalf("a call after the move did not run on heavy")
				}
				if n := tiered.Stats().HeavyFunctions; n != 1 {
					t.Fatalf("stats count %d functions on heavy, want 1", n)
				}
			}
		})
	}
}

// The defaults the table's cheap case runs under.
const (
	DefaultPromote = runtime.DefaultPromoteCPU
	DefaultRetry   = runtime.DefaultRetryCPU
)

func runOnce(t *testing.T, pool *runtime.Pool, mods memModules, kind runtime.Kind, host runtime.Host) string {
	t.Helper()
	res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: kind, Module: "t.js", Export: "f", Args: []byte("[{}]"), Host: host})
	if err != nil {
		t.Fatalf("system error: %v", err)
	}
	if res.Err != nil {
		t.Fatalf("run failed: %s", res.Err.Message)
	}
	return string(res.Value)
}

func TestTieredFunctionsMoveOneByOne(t *testing.T) {
	pool := newTestPool(runtime.Options{Engine: runtime.Tiered{Fast: runtime.QuickJS{}, Heavy: runtime.DefaultEngine(), RetryCPU: 5 * time.Millisecond}})
	mods := sourceModules(map[string]string{"m.js": `
const q = (body) => { const f = () => {}; f.isQuery = true; f.invokeQuery = body; return f; };
export const light = q(async () => "1");
export const heavy = q(async () => { ` + spin("3e6") + ` return JSON.stringify(h); });
`})
	for _, export := range []string{"light", "heavy", "light", "heavy"} {
		res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: export, Args: []byte("[{}]"), Host: &opsHost{}})
		if err != nil || res.Err != nil {
			t.Fatalf("%s: %v %+v", export, err, res.Err)
		}
	}
	for export, want := range map[string]string{"light": "fast", "heavy": "heavy"} {
		if got := pool.Tier(mods, runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: export}); got != want {
			t.Fatalf("%s is on %s, want %s", export, got, want)
		}
	}
	// A new code version starts on heavy the functions that had moved,
	// and prewarming prepares an engine of each tier for their module.
	v2 := memModules{"m.js": runtime.Module{Path: "m.js", Source: mods["m.js"].Source + "\n// v2\n"}}
	for export, want := range map[string]string{"light": "fast", "heavy": "heavy"} {
		if got := pool.Tier(v2, runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: export}); got != want {
			t.Fatalf("after a deploy %s is on %s, want %s", export, got, want)
		}
	}
	before := pool.Stats().EnginesLive
	if n := pool.Prewarm(context.Background(), v2, []runtime.Call{{Kind: runtime.KindQuery, Module: "m.js"}}); n != 2 {
		t.Fatalf("prewarming the new version prepared %d engines, want 2 (fast and heavy)", n)
	}
	if live := pool.Stats().EnginesLive; live != before+2 {
		t.Fatalf("engines alive went from %d to %d, want 2 more", before, live)
	}
}

// workHost answers 1.0/get with how many rounds of work to do.
type workHost struct{ rounds string }

func (h workHost) Syscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, runtime.UnknownOperation(op)
}

func (h workHost) AsyncSyscall(context.Context, string, []byte) ([]byte, error) {
	return []byte(h.rounds), nil
}

func TestTieredOneSlowCallDoesNotMoveAFunction(t *testing.T) {
	mods := tierModule(runtime.KindQuery, `const n = JSON.parse(await Convex.asyncSyscall("1.0/get", "{}")); `+spin("n")+`return JSON.stringify(h);`)
	pool := newTestPool(runtime.Options{Engine: runtime.Tiered{Fast: runtime.QuickJS{}, Heavy: runtime.DefaultEngine(), PromoteCPU: 5 * time.Millisecond, RetryCPU: time.Hour}})
	for i, rounds := range []string{"1e6", "0", "0", "0", "0", "0"} {
		runOnce(t, pool, mods, runtime.KindQuery, workHost{rounds})
		if got := pool.Tier(mods, runtime.Call{Kind: runtime.KindQuery, Module: "t.js", Export: "f"}); got != "fast" {
			t.Fatalf("after call %d (one slow, then quick ones) the function is on %s, want fast", i, got)
		}
	}
}
