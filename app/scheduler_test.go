package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hull/value"
)

// jobsModule is a hand-written module in the shape the convex package
// gives registered functions, using the syscalls directly.
const jobsModule = `
const wrap = (kind, body, args) => {
  const f = () => {};
  f["is" + kind] = true;
  f.isPublic = true;
  if (args) f.exportArgs = () => JSON.stringify(args);
  const run = async (argsJSON) => { const v = await body(JSON.parse(argsJSON)[0]); return JSON.stringify(v === undefined ? null : v); };
  if (kind === "Action") f.invokeAction = (requestId, argsJSON) => run(argsJSON);
  else f["invoke" + kind] = run;
  return f;
};
const sys = async (op, args) => JSON.parse(await Convex.asyncSyscall(op, JSON.stringify(args)));
const tagged = { type: "object", value: { tag: { fieldType: { type: "string" }, optional: false } } };

export const record = wrap("Mutation", async (a) => { await sys("1.0/insert", { table: "runs", value: { tag: a.tag } }); }, tagged);
export const fail = wrap("Mutation", async () => { throw new Error("boom"); });
export const act = wrap("Action", async (a) => { await sys("1.0/actions/mutation", { name: "jobs:record", args: { tag: a.tag } }); });
export const slowAct = wrap("Action", async (a) => { await new Promise((r) => setTimeout(r, a.ms)); });
export const list = wrap("Query", async () => null);
export const schedule = wrap("Mutation", async (a) => {
  const id = await sys("1.0/schedule", { name: a.fn, ts: (Date.now() + (a.delay ?? 0)) / 1000, args: a.args ?? {} });
  if (a.thenThrow) throw new Error("rolled back");
  return id;
});
export const scheduleAt = wrap("Mutation", async (a) => sys("1.0/schedule", { name: a.fn, ts: a.ts, args: a.args ?? {} }));
export const scheduleMany = wrap("Mutation", async (a) => {
  for (let i = 0; i < a.n; i++) await sys("1.0/schedule", { name: "jobs:record", ts: (Date.now() + (a.delay ?? 0)) / 1000, args: { tag: "m" + i } });
});
export const scheduleBig = wrap("Mutation", async (a) => {
  const tag = "x".repeat(a.size);
  for (let i = 0; i < a.n; i++) await sys("1.0/schedule", { name: "jobs:record", ts: Date.now() / 1000 + 3600, args: { tag } });
});
export const makeCounter = wrap("Mutation", async () => (await sys("1.0/insert", { table: "counters", value: { n: 0 } }))._id);
export const bump = wrap("Mutation", async (a) => {
  const doc = await sys("1.0/get", { id: a.id });
  await sys("1.0/shallowMerge", { id: a.id, value: { n: doc.n + 1 } });
});
export const scheduleBumps = wrap("Mutation", async (a) => {
  for (let i = 0; i < a.n; i++) await sys("1.0/schedule", { name: "jobs:bump", ts: Date.now() / 1000, args: { id: a.id } });
});
export const scheduleFromAction = wrap("Action", async (a) => sys("1.0/actions/schedule", { name: a.fn, ts: Date.now() / 1000, args: a.args ?? {} }));
export const cancel = wrap("Mutation", async (a) => sys("1.0/cancel_job", { id: a.id }));
export const meta = wrap("Mutation", async () => {
  const m = await sys("1.0/getRequestMetadata", {});
  await sys("1.0/insert", { table: "runs", value: { tag: "meta", job: m.scheduledFunctionId } });
});
export const self = wrap("Mutation", async () => {
  const m = await sys("1.0/getRequestMetadata", {});
  const job = await sys("1.0/get", { id: m.scheduledFunctionId, isSystem: true });
  await sys("1.0/insert", { table: "runs", value: { tag: "self", state: job.state.kind } });
});
`

// deploy pushes modules (path → source) to a as the CLI would.
func deploy(t *testing.T, a *App, modules map[string]string) {
	t.Helper()
	ctx := context.Background()
	req := &StartPushRequest{Functions: "convex/"}
	req.AppDefinition.UDFServerVersion = "1.48.0"
	for p, src := range modules {
		req.AppDefinition.Functions = append(req.AppDefinition.Functions, ModuleConfig{Path: p, Source: src, Environment: "isolate"})
	}
	resp, err := a.StartPush(ctx, req)
	if err != nil {
		t.Fatalf("start_push: %v", err)
	}
	if _, err := a.FinishPush(ctx, &FinishPushRequest{StartPush: *resp}); err != nil {
		t.Fatalf("finish_push: %v", err)
	}
}

// call runs a function and returns its value or its error message.
func call(t *testing.T, a *App, path string, args any) (json.RawMessage, string) {
	t.Helper()
	p, err := ParseFunctionPath(path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(args)
	res, err := a.Call(context.Background(), CallRequest{Path: p, Args: body, Admin: true})
	if err != nil {
		t.Fatalf("%s: system error: %v", path, err)
	}
	if res.Err != nil {
		return nil, res.Err.Message
	}
	return res.Value, ""
}

func mustCall(t *testing.T, a *App, path string, args any) json.RawMessage {
	t.Helper()
	v, msg := call(t, a, path, args)
	if msg != "" {
		t.Fatalf("%s failed: %s", path, msg)
	}
	return v
}

func docs(t *testing.T, a *App, table string) []value.Object {
	t.Helper()
	tx, err := a.db.BeginRead(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	out, err := tx.SystemScan(context.Background(), table)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// eventually polls cond until it holds or the (generous) deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func tags(t *testing.T, a *App) map[string]int {
	out := map[string]int{}
	for _, d := range docs(t, a, "runs") {
		out[strField(d, "tag")]++
	}
	return out
}

func jobStates(t *testing.T, a *App) map[string]int {
	out := map[string]int{}
	for _, d := range docs(t, a, jobsTable) {
		out[jobState(d)]++
	}
	return out
}

func newSchedulerApp(t *testing.T) *App {
	t.Helper()
	a := newStoredApp(t, time.Now)
	deploy(t, a, map[string]string{"jobs.js": jobsModule})
	return a
}

func startScheduler(t *testing.T, a *App, opts SchedulerOptions) *Scheduler {
	t.Helper()
	s := a.StartScheduler(opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s
}

func TestScheduledMutationAndActionEachRunOnce(t *testing.T) {
	a := newSchedulerApp(t)
	startScheduler(t, a, SchedulerOptions{})
	mustCall(t, a, "jobs:schedule", map[string]any{"fn": "jobs:record", "args": map[string]any{"tag": "mutation"}})
	mustCall(t, a, "jobs:schedule", map[string]any{"fn": "jobs:act", "args": map[string]any{"tag": "action"}})
	eventually(t, "both jobs to succeed", func() bool { return jobStates(t, a)[stateSuccess] == 2 })
	time.Sleep(100 * time.Millisecond) // anything run twice would show now
	if got := tags(t, a); got["mutation"] != 1 || got["action"] != 1 || len(got) != 2 {
		t.Fatalf("runs = %v, want each job once", got)
	}
	for _, d := range docs(t, a, jobsTable) {
		if _, ok := d.Get("completedTime"); !ok {
			t.Fatalf("finished job without completedTime: %s", value.ToJSON(d))
		}
		if name := strField(d, "name"); name != "jobs.js:record" && name != "jobs.js:act" {
			t.Fatalf("job name %q, want the canonical path", name)
		}
	}
	if q := docs(t, a, queueTable); len(q) != 0 {
		t.Fatalf("queue still holds %d entries", len(q))
	}
	if _, ok, err := a.NextDue(context.Background()); err != nil || ok {
		t.Fatalf("NextDue with nothing left = %v, %v", ok, err)
	}
}

func TestJobsExistOnlyIfTheSchedulingMutationCommits(t *testing.T) {
	a := newSchedulerApp(t)
	_, msg := call(t, a, "jobs:schedule", map[string]any{"fn": "jobs:record", "args": map[string]any{"tag": "x"}, "thenThrow": true})
	if !strings.Contains(msg, "rolled back") {
		t.Fatalf("error = %q", msg)
	}
	if n := len(docs(t, a, jobsTable)) + len(docs(t, a, queueTable)); n != 0 {
		t.Fatalf("a rolled-back mutation left %d scheduler documents", n)
	}
}

func TestSchedulingMistakesFailAtTheCall(t *testing.T) {
	a := newSchedulerApp(t)
	now := float64(time.Now().UnixMilli()) / 1000
	tests := []struct {
		name string
		fn   string
		args any
		want string
	}{
		{"an unknown module", "nope:record", map[string]any{}, "InvalidScheduledFunction: Attempted to schedule function at nonexistent path: nope.js"},
		{"an unknown export", "jobs:nope", map[string]any{}, "no exported function nope found in the file: jobs.js"},
		{"arguments the validator refuses", "jobs:record", map[string]any{"tag": 5}, "ArgumentValidationError"},
		{"missing arguments", "jobs:record", map[string]any{}, "ArgumentValidationError"},
		{"a system function", "_system/cli/tables:default", map[string]any{}, "InvalidScheduledFunction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, msg := call(t, a, "jobs:schedule", map[string]any{"fn": tt.fn, "args": tt.args})
			if !strings.Contains(msg, tt.want) {
				t.Fatalf("error = %q, want it to contain %q", msg, tt.want)
			}
		})
	}
	times := []struct {
		name string
		ts   any
		want string
	}{
		{"ten years ahead", now + 10*366*24*3600, "more than 5 years in the future"},
		{"ten years ago", now - 10*366*24*3600, "more than 5 years in the past"},
		{"not a time", nil, "InvalidScheduledFunctionDelay"},
	}
	for _, tt := range times {
		t.Run(tt.name, func(t *testing.T) {
			_, msg := call(t, a, "jobs:scheduleAt", map[string]any{"fn": "jobs:record", "ts": tt.ts, "args": map[string]any{"tag": "x"}})
			if !strings.Contains(msg, tt.want) {
				t.Fatalf("error = %q, want it to contain %q", msg, tt.want)
			}
		})
	}
	t.Run("arguments over a document's size", func(t *testing.T) {
		_, msg := call(t, a, "jobs:scheduleBig", map[string]any{"n": 1, "size": 1 << 20})
		if !strings.Contains(msg, "ScheduledFunctionsArgumentsTooLarge") {
			t.Fatalf("error = %q", msg)
		}
	})
	t.Run("more than 1000 in one mutation", func(t *testing.T) {
		_, msg := call(t, a, "jobs:scheduleMany", map[string]any{"n": 1001, "delay": 3600_000})
		if !strings.Contains(msg, "TooManyFunctionsScheduled") {
			t.Fatalf("error = %q", msg)
		}
	})
	if n := len(docs(t, a, jobsTable)); n != 0 {
		t.Fatalf("failed calls left %d jobs", n)
	}
}

func TestCancelStopsAPendingJob(t *testing.T) {
	a := newSchedulerApp(t)
	startScheduler(t, a, SchedulerOptions{})
	var id string
	if err := json.Unmarshal(mustCall(t, a, "jobs:schedule", map[string]any{"fn": "jobs:record", "delay": 60_000, "args": map[string]any{"tag": "late"}}), &id); err != nil {
		t.Fatal(err)
	}
	ms, ok, err := a.NextDue(context.Background())
	if err != nil || !ok || ms < time.Now().Add(50*time.Second).UnixMilli() {
		t.Fatalf("NextDue = %d, %v, %v; want about a minute from now", ms, ok, err)
	}
	mustCall(t, a, "jobs:cancel", map[string]any{"id": id})
	if got := jobStates(t, a); got[stateCanceled] != 1 {
		t.Fatalf("states = %v, want canceled", got)
	}
	if q := docs(t, a, queueTable); len(q) != 0 {
		t.Fatalf("a canceled job stays queued: %v", q)
	}
	// Canceling again, or a finished job, changes nothing.
	mustCall(t, a, "jobs:cancel", map[string]any{"id": id})
	if _, msg := call(t, a, "jobs:cancel", map[string]any{"id": "not-an-id"}); !strings.Contains(msg, "Invalid argument `id`") {
		t.Fatalf("canceling a bad id: %q", msg)
	}
}

func TestAFailingMutationJobIsMarkedFailedAndItsWritesDiscarded(t *testing.T) {
	a := newSchedulerApp(t)
	startScheduler(t, a, SchedulerOptions{})
	mustCall(t, a, "jobs:schedule", map[string]any{"fn": "jobs:fail"})
	eventually(t, "the job to fail", func() bool { return jobStates(t, a)[stateFailed] == 1 })
	d := docs(t, a, jobsTable)[0]
	st, _ := d.Get("state")
	if msg := strField(st.(value.Object), "error"); !strings.Contains(msg, "boom") {
		t.Fatalf("failed job error = %q", msg)
	}
}

func TestAScheduledMutationSeesItselfInProgressAndKnowsItsID(t *testing.T) {
	a := newSchedulerApp(t)
	startScheduler(t, a, SchedulerOptions{})
	var id string
	_ = json.Unmarshal(mustCall(t, a, "jobs:schedule", map[string]any{"fn": "jobs:meta"}), &id)
	mustCall(t, a, "jobs:schedule", map[string]any{"fn": "jobs:self"})
	eventually(t, "both jobs to run", func() bool { return jobStates(t, a)[stateSuccess] == 2 })
	for _, d := range docs(t, a, "runs") {
		switch strField(d, "tag") {
		case "meta":
			if strField(d, "job") != id {
				t.Fatalf("scheduledFunctionId = %q, want %q", strField(d, "job"), id)
			}
		case "self":
			if strField(d, "state") != stateInProgress {
				t.Fatalf("the job saw itself %q, want inProgress", strField(d, "state"))
			}
		}
	}
}

func TestAnActionScheduledFromAnActionRuns(t *testing.T) {
	a := newSchedulerApp(t)
	startScheduler(t, a, SchedulerOptions{})
	mustCall(t, a, "jobs:scheduleFromAction", map[string]any{"fn": "jobs:record", "args": map[string]any{"tag": "from-action"}})
	eventually(t, "the job to run", func() bool { return tags(t, a)["from-action"] == 1 })
}

// crashLeftover stores a job as a process that died while running it
// leaves it.
func crashLeftover(t *testing.T, a *App, fn, state string) value.ID {
	t.Helper()
	ctx := context.Background()
	tx, err := a.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	path, _ := ParseFunctionPath(fn)
	now := time.Now().UnixNano()
	id, _, err := insertJob(ctx, tx, newJob{path: path, args: value.MustObject(value.Field{Name: "tag", Value: value.String("crash")}), at: now - int64(time.Second), atMs: float64(now/1e6 - 1000)}, now, false)
	if err != nil {
		t.Fatal(err)
	}
	q, _, err := queueEntryOf(ctx, tx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.SystemPatch(ctx, id, []value.Field{{Name: "state", Value: stateValue(state, "")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.SystemPatch(ctx, q.id, []value.Field{{Name: "state", Value: value.String(state)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestWhatAStoppedProcessLeftIsPickedUpAtStart(t *testing.T) {
	a := newSchedulerApp(t)
	// Due while nothing ran: a pending job, and an action that was
	// running when its process died.
	mustCall(t, a, "jobs:schedule", map[string]any{"fn": "jobs:record", "args": map[string]any{"tag": "pending"}})
	crashed := crashLeftover(t, a, "jobs:act", stateInProgress)
	ms, ok, err := a.NextDue(context.Background())
	if err != nil || !ok || ms > time.Now().UnixMilli() {
		t.Fatalf("NextDue = %d, %v, %v; want a time already past", ms, ok, err)
	}
	startScheduler(t, a, SchedulerOptions{})
	eventually(t, "the pending job to run and the crashed one to fail", func() bool {
		st := jobStates(t, a)
		return st[stateSuccess] == 1 && st[stateFailed] == 1
	})
	for _, d := range docs(t, a, jobsTable) {
		id, _ := idField(d, "_id")
		if id != crashed {
			continue
		}
		st, _ := d.Get("state")
		if msg := strField(st.(value.Object), "error"); msg != transientActionError {
			t.Fatalf("crashed action error = %q", msg)
		}
	}
	if got := tags(t, a); got["crash"] != 0 || got["pending"] != 1 {
		t.Fatalf("runs = %v: the crashed action must not run again, the pending job once", got)
	}
}

func TestManyDueJobsRunOnceEachWithBoundedConcurrency(t *testing.T) {
	a := newSchedulerApp(t)
	const n, parallel = 60, 3
	mustCall(t, a, "jobs:scheduleMany", map[string]any{"n": n})
	s := startScheduler(t, a, SchedulerOptions{Parallelism: parallel})
	var most atomic.Int64
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			s.mu.Lock()
			r := int64(len(s.running))
			s.mu.Unlock()
			if r > most.Load() {
				most.Store(r)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	eventually(t, "every job to run", func() bool { return jobStates(t, a)[stateSuccess] == n })
	close(stop)
	got := tags(t, a)
	for i := range n {
		if c := got[fmt.Sprintf("m%d", i)]; c != 1 {
			t.Fatalf("job m%d ran %d times", i, c)
		}
	}
	if most.Load() > parallel {
		t.Fatalf("%d jobs ran at once, want at most %d", most.Load(), parallel)
	}
}

func TestStopAbandonsARunningActionAtTheDeadline(t *testing.T) {
	a := newSchedulerApp(t)
	s := a.StartScheduler(SchedulerOptions{})
	mustCall(t, a, "jobs:schedule", map[string]any{"fn": "jobs:slowAct", "args": map[string]any{"ms": 60_000}})
	eventually(t, "the action to start", func() bool { return jobStates(t, a)[stateInProgress] == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if got := jobStates(t, a); got[stateFailed] != 1 {
		t.Fatalf("states = %v, want the abandoned action failed", got)
	}
}

func TestAQueryCannotBeRunAsAJob(t *testing.T) {
	a := newSchedulerApp(t)
	startScheduler(t, a, SchedulerOptions{})
	mustCall(t, a, "jobs:schedule", map[string]any{"fn": "jobs:list"})
	eventually(t, "the job to fail", func() bool { return jobStates(t, a)[stateFailed] == 1 })
	st, _ := docs(t, a, jobsTable)[0].Get("state")
	if msg := strField(st.(value.Object), "error"); !strings.Contains(msg, "Only Mutation and Action can be scheduled") {
		t.Fatalf("error = %q", msg)
	}
}

func TestFinishedJobsPastRetentionAreDeletedInBatches(t *testing.T) {
	a := newSchedulerApp(t)
	ctx := context.Background()
	mustCall(t, a, "jobs:scheduleMany", map[string]any{"n": 250})
	mustCall(t, a, "jobs:schedule", map[string]any{"fn": "jobs:record", "delay": 3600_000, "args": map[string]any{"tag": "later"}})
	startScheduler(t, a, SchedulerOptions{})
	eventually(t, "the due jobs to run", func() bool { return jobStates(t, a)[stateSuccess] == 250 })
	// Nothing finished before an hour ago.
	if n, err := a.trimFinishedJobs(ctx, time.Now().Add(-time.Hour).UnixNano(), 0); err != nil || n != 0 {
		t.Fatalf("trim with an old cutoff deleted %d, %v", n, err)
	}
	n, err := a.trimFinishedJobs(ctx, time.Now().UnixNano(), 0)
	if err != nil || n != 250 {
		t.Fatalf("trim deleted %d, %v; want 250", n, err)
	}
	if got := jobStates(t, a); got[statePending] != 1 || len(got) != 1 {
		t.Fatalf("left %v, want only the pending job", got)
	}
}

func TestConflictingMutationJobsEachCommitOnce(t *testing.T) {
	a := newSchedulerApp(t)
	var id string
	_ = json.Unmarshal(mustCall(t, a, "jobs:makeCounter", map[string]any{}), &id)
	const n = 40
	mustCall(t, a, "jobs:scheduleBumps", map[string]any{"id": id, "n": n})
	startScheduler(t, a, SchedulerOptions{})
	eventually(t, "every bump to commit", func() bool { return jobStates(t, a)[stateSuccess] == n })
	counters := docs(t, a, "counters")
	if got := int64Field(counters[0], "n"); got != n {
		t.Fatalf("counter = %d after %d bumps that all read and write it", got, n)
	}
}

func TestOneTransactionsSchedulingLimits(t *testing.T) {
	tests := []struct {
		name   string
		before txSchedule
		size   int
		want   string
	}{
		{"the first job is admitted", txSchedule{}, 100, ""},
		{"the thousandth job is admitted", txSchedule{count: 999}, 100, ""},
		{"the thousand-and-first is refused", txSchedule{count: 1000}, 100, "TooManyFunctionsScheduled: Too many functions scheduled by this mutation (limit: 1000)"},
		{"arguments up to 16 MiB in total are admitted", txSchedule{count: 16, bytes: 15 << 20}, 1 << 20, ""},
		{"arguments past 16 MiB in total are refused", txSchedule{count: 17, bytes: 16 << 20}, 1, "ScheduledFunctionsArgumentsTooLarge: Too large total size of the arguments of scheduled functions from this mutation (limit: 16777216 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.before
			err := s.admit(tt.size)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == "" && (s.count != tt.before.count+1 || s.bytes != tt.before.bytes+tt.size):
				t.Fatalf("admitted but counted %+v", s)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
