package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"hull/database"
	"hull/value"
)

// Scheduled functions live in two system tables:
//
//	_scheduled_functions  one document per job, in exactly the shape user
//	                      code and the CLI see (Convex's virtual table):
//	                      {name, args: [argsObject], scheduledTime (ms),
//	                      completedTime? (ms), state: {kind, error?}};
//	                      every component instance has its own, in its
//	                      namespace, holding the jobs it scheduled
//	_scheduled_jobs       the queue, private, one for all instances (in
//	                      the app's namespace): one document per job that
//	                      still has to run or is running,
//	                      {job: <_scheduled_functions id>, nextTs (ns),
//	                      state: "pending" | "inProgress", systemErrors,
//	                      occErrors, component?: the path of the instance
//	                      whose function it runs, absent for the app},
//	                      indexed by nextTs (the executor's order) and by
//	                      job.
//
// A job is created by one commit that inserts both documents, and finished
// by one commit that sets its final state and deletes its queue entry;
// "inProgress" is committed on its own only for actions (at most once).
const (
	jobsTable     = "_scheduled_functions"
	queueTable    = "_scheduled_jobs"
	queueByNextTS = "by_next_ts"
	queueByJob    = "by_job"
)

// Job states, as _scheduled_functions shows them in state.kind.
const (
	statePending    = "pending"
	stateInProgress = "inProgress"
	stateSuccess    = "success"
	stateFailed     = "failed"
	stateCanceled   = "canceled"
)

// Limits of what one transaction may schedule (Convex's
// TRANSACTION_MAX_NUM_SCHEDULED and
// TRANSACTION_MAX_SCHEDULED_TOTAL_ARGUMENT_SIZE_BYTES), and how far from
// now a job may be scheduled.
const (
	maxScheduledPerTx     = 1000
	maxScheduledArgsBytes = 16 << 20
	maxScheduleDistance   = 5 * 366 * 24 * time.Hour
	// jobDocOverhead is room left in a job document for everything but
	// its arguments (name, times, state).
	jobDocOverhead = 4 << 10
)

// txSchedule is what one mutation's transaction scheduled.
type txSchedule struct {
	count int
	bytes int
	// earliest is the soonest nextTs (ns) among the jobs, 0 when none.
	earliest int64
}

// admit counts one more job whose arguments are size bytes, refusing it
// past the limits of one transaction.
func (s *txSchedule) admit(size int) error {
	if s.count >= maxScheduledPerTx {
		return scheduleError("TooManyFunctionsScheduled", "Too many functions scheduled by this mutation (limit: %d)", maxScheduledPerTx)
	}
	if s.bytes+size > maxScheduledArgsBytes {
		return scheduleError("ScheduledFunctionsArgumentsTooLarge", "Too large total size of the arguments of scheduled functions from this mutation (limit: %d bytes)", maxScheduledArgsBytes)
	}
	s.count++
	s.bytes += size
	return nil
}

// due notes the nextTs of a job the transaction scheduled.
func (s *txSchedule) due(nextTS int64) {
	if s.earliest == 0 || nextTS < s.earliest {
		s.earliest = nextTS
	}
}

// scheduleError is a user error of a scheduler call, worded as Convex
// words it: "Code: message".
func scheduleError(code, format string, args ...any) error {
	return &database.Error{Code: code, Msg: code + ": " + fmt.Sprintf(format, args...)}
}

// ensureSchedulerTables creates the scheduler's and the crons' system
// tables and indexes, so no user mutation has to change the catalog (and
// conflict with others doing the same) when it first schedules.
func (a *App) ensureSchedulerTables(ctx context.Context) error {
	return a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		changed := false
		for _, ix := range []struct {
			table, name string
			fields      []string
		}{
			{queueTable, queueByNextTS, []string{"nextTs"}},
			{queueTable, queueByJob, []string{"job"}},
			{cronsTable, cronsByNextTS, []string{"nextTs"}},
			{cronsTable, cronsByName, []string{"name"}},
			{cronLogsTable, cronLogsByNameTS, []string{"name", "ts"}},
		} {
			c, err := tx.EnsureSystemIndex(ctx, ix.table, ix.name, ix.fields)
			if err != nil {
				return fmt.Errorf("create %s.%s: %w", ix.table, ix.name, err)
			}
			changed = changed || c
		}
		if _, ok := tx.TableNumber(jobsTable); !ok {
			if err := ensureJobsTable(ctx, tx); err != nil {
				return err
			}
			changed = true
		}
		if !changed {
			return nil
		}
		if _, err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("create the scheduler's tables: %w", err)
		}
		return nil
	})
}

// ensureJobsTable creates the _scheduled_functions table of the namespace
// tx views, if it has none.
func ensureJobsTable(ctx context.Context, tx *database.Tx) error {
	return ensureTable(ctx, tx, jobsTable)
}

// ensureTable creates the system table name in the namespace tx views, if
// it has none, so that no user transaction has to change the catalog
// (and conflict with others doing the same) when it first writes there.
func ensureTable(ctx context.Context, tx *database.Tx, name string) error {
	if _, ok := tx.TableNumber(name); ok {
		return nil
	}
	// Creating the table is all this is for: nothing is left behind.
	id, err := tx.SystemInsert(ctx, name, value.MustObject())
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	if _, err := tx.SystemDelete(ctx, id); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return nil
}

// newJob is a validated request to schedule a function.
type newJob struct {
	// target is the function: the scheduling instance's own, or, through
	// a reference or handle, another instance's.
	target Target
	path   FunctionPath
	args   value.Object
	size   int
	// at is the requested time (Unix ns); atMs the same in milliseconds,
	// rounded to the microsecond, as scheduledTime shows it (a time given
	// in whole milliseconds comes back exactly).
	at   int64
	atMs float64
}

// scheduleRequest is the argument of 1.0/schedule and
// 1.0/actions/schedule.
type scheduleRequest struct {
	Name           string   `json:"name"`
	Reference      *string  `json:"reference"`
	FunctionHandle *string  `json:"functionHandle"`
	TS             *float64 `json:"ts"`
	Args           rawJSON  `json:"args"`
}

// rawJSON keeps a JSON value as text (json.RawMessage, but a JSON null
// stays "null").
type rawJSON []byte

func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}

// parseSchedule validates a scheduling request of a function running in
// the instance at caller, checking what Convex checks at the call (the
// time, the function) plus the arguments against the function's
// validator, so a bad call fails where it was made.
func (a *App) parseSchedule(data []byte, caller string, now time.Time) (newJob, error) {
	var r scheduleRequest
	if err := decodeSyscall("scheduler", data, &r); err != nil {
		return newJob{}, err
	}
	if r.Name == "" && r.FunctionHandle == nil && r.Reference == nil {
		return newJob{}, scheduleError("InvalidScheduledFunction", "No function to schedule was given.")
	}
	if r.TS == nil || math.IsNaN(*r.TS) || math.IsInf(*r.TS, 0) {
		return newJob{}, scheduleError("InvalidScheduledFunctionDelay", "The time to run the function at must be a finite number of milliseconds since the epoch or a Date.")
	}
	at := int64(math.Round(*r.TS * 1e9))
	if d := time.Duration(at - now.UnixNano()); d > maxScheduleDistance {
		return newJob{}, scheduleError("InvalidScheduledFunctionDelay", "%s is more than 5 years in the future", time.Unix(0, at).UTC().Format(time.RFC3339))
	} else if d < -maxScheduleDistance {
		return newJob{}, scheduleError("InvalidScheduledFunctionDelay", "%s is more than 5 years in the past", time.Unix(0, at).UTC().Format(time.RFC3339))
	}
	target, err := a.resolve(a.active.Load(), caller, address{Name: r.Name, Reference: r.Reference, FunctionHandle: r.FunctionHandle})
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			return newJob{}, scheduleError("InvalidScheduledFunction", "%s", ae.Message)
		}
		return newJob{}, &database.Error{Code: "InvalidScheduledFunction", Msg: err.Error()}
	}
	path := target.Path
	args := r.Args
	if len(args) == 0 || string(args) == "null" {
		args = rawJSON("{}")
	}
	v, err := value.FromJSON(args)
	if err != nil {
		return newJob{}, scheduleError("InvalidArgument", "Invalid arguments for the scheduled function %s: %v", path, err)
	}
	obj, ok := v.(value.Object)
	if !ok {
		return newJob{}, scheduleError("InvalidArgument", "The arguments of the scheduled function %s must be an object, got %s.", path, string(args))
	}
	if err := a.checkSchedulable(target, args); err != nil {
		return newJob{}, err
	}
	return newJob{target: target, path: path, args: obj, size: value.Size(obj), at: at, atMs: math.Round(*r.TS*1e6) / 1e3}, nil
}

// checkSchedulable checks that the function exists in the live version
// and that the arguments pass its validator.
func (a *App) checkSchedulable(t Target, args []byte) error {
	path := t.Path
	if len(path.Module) >= len("_system/") && path.Module[:len("_system/")] == "_system/" {
		return scheduleError("InvalidScheduledFunction", "System functions cannot be scheduled: %s", path)
	}
	code := a.active.Load().code(t.Component)
	var fi FunctionInfo
	found, moduleFound := false, false
	if code != nil {
		fi, found = code.Functions[path.Module+":"+path.Export]
		if !found {
			for name := range code.Functions {
				if len(name) > len(path.Module) && name[:len(path.Module)+1] == path.Module+":" {
					moduleFound = true
					break
				}
			}
		}
	}
	if !found {
		if !moduleFound {
			return scheduleError("InvalidScheduledFunction", "Attempted to schedule function at nonexistent path: %s", path.Module)
		}
		return scheduleError("InvalidScheduledFunction", "Attempted to schedule function, but no exported function %s found in the file: %s. Did you forget to export it?", path.Export, path.Module)
	}
	if msg := a.checkArgs(t.Component, fi, path, args); msg != "" {
		return &database.Error{Code: "ArgumentValidationError", Msg: msg}
	}
	return nil
}

// jobName is the canonical function name _scheduled_functions shows
// ("messages.js:send").
func jobName(p FunctionPath) string { return p.Module + ":" + p.Export }

func stateValue(kind, errMsg string) value.Object {
	if kind == stateFailed {
		return value.MustObject(value.Field{Name: "kind", Value: value.String(kind)}, value.Field{Name: "error", Value: value.String(errMsg)})
	}
	return value.MustObject(value.Field{Name: "kind", Value: value.String(kind)})
}

func msOf(ns int64) value.Float64 { return value.Float64(float64(ns) / 1e6) }

// insertJob stores a job: its _scheduled_functions document in the
// namespace tx views (the scheduling instance's) and, unless it is born
// canceled (scheduled by an action whose own job was canceled), its queue
// entry. It returns the job's id and its nextTs.
func insertJob(ctx context.Context, tx *database.Tx, j newJob, now int64, canceled bool) (value.ID, int64, error) {
	if j.size > value.MaxDocumentSize-jobDocOverhead {
		return value.ID{}, 0, scheduleError("ScheduledFunctionsArgumentsTooLarge",
			"The arguments of the scheduled function %s are %d bytes; one scheduled function's arguments may be at most %d bytes.", j.path, j.size, value.MaxDocumentSize-jobDocOverhead)
	}
	fields := []value.Field{
		{Name: "name", Value: value.String(jobName(j.path))},
		{Name: "args", Value: value.Array{j.args}},
		{Name: "scheduledTime", Value: value.Float64(j.atMs)},
		{Name: "state", Value: stateValue(statePending, "")},
	}
	if canceled {
		fields[2].Value = msOf(now)
		fields[3].Value = stateValue(stateCanceled, "")
		fields = append(fields, value.Field{Name: "completedTime", Value: msOf(now)})
	}
	id, err := tx.SystemInsert(ctx, jobsTable, value.MustObject(fields...))
	if err != nil {
		return value.ID{}, 0, err
	}
	if canceled {
		return id, 0, nil
	}
	next := max(j.at, now)
	entry := value.MustObject(
		value.Field{Name: "job", Value: value.String(id.String())},
		value.Field{Name: "nextTs", Value: value.Int64(next)},
		value.Field{Name: "state", Value: value.String(statePending)},
		value.Field{Name: "systemErrors", Value: value.Int64(0)},
		value.Field{Name: "occErrors", Value: value.Int64(0)},
	)
	if j.target.Component != "" {
		entry = entry.With("component", value.String(j.target.Component))
	}
	_, err = tx.In("").SystemInsert(ctx, queueTable, entry)
	if err != nil {
		return value.ID{}, 0, err
	}
	return id, next, nil
}

// parentCanceled reports whether the scheduled job a run belongs to was
// canceled: what such a run schedules is created canceled, as on Convex.
func parentCanceled(ctx context.Context, tx *database.Tx, parent string) (bool, error) {
	if parent == "" {
		return false, nil
	}
	id, err := value.ParseID(parent)
	if err != nil {
		return false, nil
	}
	doc, ok, err := tx.SystemGet(ctx, id)
	if err != nil || !ok {
		return false, err
	}
	return jobState(doc) == stateCanceled, nil
}

func jobState(doc value.Object) string {
	st, _ := doc.Get("state")
	if o, ok := st.(value.Object); ok {
		return strField(o, "kind")
	}
	return ""
}

// queueEntry is one document of the _scheduled_jobs queue.
type queueEntry struct {
	id  value.ID
	job value.ID
	// component is the path of the instance whose function the job runs.
	component    string
	nextTS       int64
	state        string
	systemErrors int64
	occErrors    int64
}

func int64Field(o value.Object, name string) int64 {
	v, _ := o.Get(name)
	switch n := v.(type) {
	case value.Int64:
		return int64(n)
	case value.Float64:
		return int64(n)
	}
	return 0
}

func idField(o value.Object, name string) (value.ID, error) {
	return value.ParseID(strField(o, name))
}

func decodeQueueEntry(doc value.Object) (queueEntry, error) {
	id, err := idField(doc, "_id")
	if err != nil {
		return queueEntry{}, fmt.Errorf("scheduler queue entry: %w", err)
	}
	job, err := idField(doc, "job")
	if err != nil {
		return queueEntry{}, fmt.Errorf("scheduler queue entry %s: %w", id, err)
	}
	return queueEntry{
		id: id, job: job, component: strField(doc, "component"), nextTS: int64Field(doc, "nextTs"), state: strField(doc, "state"),
		systemErrors: int64Field(doc, "systemErrors"), occErrors: int64Field(doc, "occErrors"),
	}, nil
}

// queueEntryOf finds the queue entry of a job, if it has one.
func queueEntryOf(ctx context.Context, tx *database.Tx, job value.ID) (queueEntry, bool, error) {
	s, err := tx.In("").SystemQuery(ctx, &database.Query{
		Kind: database.IndexRange, Table: queueTable, Index: queueByJob,
		Range: []database.RangeExpr{{Op: "Eq", Field: "job", Value: value.String(job.String())}},
	})
	if err != nil {
		return queueEntry{}, false, err
	}
	doc, ok, err := s.Next(ctx)
	if err != nil || !ok {
		return queueEntry{}, false, err
	}
	q, err := decodeQueueEntry(doc)
	return q, err == nil, err
}

// queueEntryByID reads a queue entry by its own id (a point read, cheaper
// than queueEntryOf), checking it belongs to job.
func queueEntryByID(ctx context.Context, tx *database.Tx, id, job value.ID) (queueEntry, bool, error) {
	doc, ok, err := tx.SystemGet(ctx, id)
	if err != nil || !ok {
		return queueEntry{}, false, err
	}
	q, err := decodeQueueEntry(doc)
	if err != nil || q.job != job {
		return queueEntry{}, false, err
	}
	return q, true, nil
}

// completeJob gives a job its final state and takes it off the queue
// (its entry is queue when known, else looked up). A job that is already
// complete keeps its state (a canceled job stays canceled when its action
// finishes).
func completeJob(ctx context.Context, tx *database.Tx, job, queue value.ID, state, errMsg string, now int64) error {
	doc, ok, err := tx.SystemGet(ctx, job)
	if err != nil {
		return err
	}
	var q queueEntry
	var found bool
	if queue == (value.ID{}) {
		q, found, err = queueEntryOf(ctx, tx, job)
	} else {
		q, found, err = queueEntryByID(ctx, tx, queue, job)
	}
	if err != nil {
		return err
	}
	if found {
		if _, err := tx.SystemDelete(ctx, q.id); err != nil {
			return err
		}
	}
	if !ok {
		return nil
	}
	switch jobState(doc) {
	case statePending, stateInProgress:
	default:
		return nil
	}
	_, err = tx.SystemPatch(ctx, job, []value.Field{
		{Name: "state", Value: stateValue(state, errMsg)},
		{Name: "completedTime", Value: msOf(now)},
	})
	return err
}

// cancelJob serves scheduler.cancel: a pending or running job becomes
// canceled (a running action is not interrupted); a finished or unknown
// job is left alone.
func cancelJob(ctx context.Context, tx *database.Tx, idArg string, now int64) error {
	id, err := value.ParseID(idArg)
	num, ok := tx.TableNumber(jobsTable)
	if err != nil || !ok || id.Table != num {
		return scheduleError("InvalidArgument", "Invalid argument `id` for `scheduler.cancel`: %q is not an Id<\"_scheduled_functions\">.", idArg)
	}
	return completeJob(ctx, tx, id, value.ID{}, stateCanceled, "", now)
}
