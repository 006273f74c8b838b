package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hull/database"
	"hull/runtime"
	"hull/value"
)

// transientActionError is the failure of an action job or cron run found
// still in progress with nothing running it: the process running it
// stopped. Actions run at most once, so it is never run again.
const transientActionError = "Transient error while executing action"

// errRunChanged ends a run whose job or cron changed since it was read
// (canceled, finished elsewhere, redeployed): there is nothing to do.
var errRunChanged = errors.New("scheduler: the job changed since it was read")

// txHooks tie a mutation to the scheduled job or cron run it carries out:
// begin runs first in every attempt's transaction (errRunChanged when the
// job is no longer due) and finish after a successful run, before the
// commit, recording the outcome in the same transaction. A message
// returned by finish fails the run as a user error. tx views the app's
// namespace, where the scheduler's and the crons' tables are, whichever
// component the mutation runs in.
type txHooks interface {
	begin(ctx context.Context, tx *database.Tx) error
	finish(ctx context.Context, tx *database.Tx, res *CallResult) (string, error)
}

// Retry bounds for a job: system errors reschedule it with backoff (500 ms
// doubling up to 2 h, as Convex); a mutation whose commits keep
// conflicting runs again, waiting 20 ms doubling up to 5 s.
const (
	systemErrorBackoff    = 500 * time.Millisecond
	systemErrorBackoffMax = 2 * time.Hour
	occBackoff            = 20 * time.Millisecond
	occBackoffMax         = 5 * time.Second
)

// runJob runs one due job. It returns an error only when not even the
// failure could be recorded.
func (s *Scheduler) runJob(ctx context.Context, q queueEntry) error {
	a := s.app
	if q.state == stateInProgress {
		// Nothing here runs it: the process that started it stopped.
		s.log.Warn("failing a scheduled action left in progress by a stopped process", "job", q.job.String())
		return a.finishJob(ctx, q, stateFailed, transientActionError)
	}
	doc, ok, err := a.readDoc(ctx, q.job)
	if err != nil {
		return a.rescheduleJob(ctx, q, err)
	}
	if !ok || jobState(doc) != statePending {
		// Canceled meanwhile, or an entry its job no longer needs.
		return a.finishJob(ctx, q, "", "")
	}
	name := strField(doc, "name")
	var args value.Value = value.MustObject()
	if arr, ok := mustGet(doc, "args").(value.Array); ok && len(arr) == 1 {
		args = arr[0]
	}
	argsJSON := value.ToJSON(args)
	path, err := ParseFunctionPath(name)
	if err != nil {
		return a.finishJob(ctx, q, stateFailed, fmt.Sprintf("Invalid scheduled function name %q.", name))
	}
	fi, found := lookupFunction(a.active.Load(), Target{Component: q.component, Path: path})
	switch {
	case !found:
		return a.finishJob(ctx, q, stateFailed, fmt.Sprintf("Could not find function for '%s': it is not in the deployed code any more.", path))
	case fi.Kind == runtime.KindMutation:
		err = s.runMutationJob(ctx, q, path, fi, argsJSON)
	case fi.Kind == runtime.KindAction:
		err = s.runActionJob(ctx, q, path, argsJSON)
	default:
		return a.finishJob(ctx, q, stateFailed, fmt.Sprintf("Unsupported function type. %q in module %q is defined as a %s. Only Mutation and Action can be scheduled.", path.Export, path.Module, udfType(fi.Kind)))
	}
	if err != nil && ctx.Err() == nil {
		return a.rescheduleJob(ctx, q, err)
	}
	return nil
}

func mustGet(o value.Object, name string) value.Value {
	v, _ := o.Get(name)
	return v
}

// readDoc reads a system document at the latest snapshot.
func (a *App) readDoc(ctx context.Context, id value.ID) (value.Object, bool, error) {
	tx, err := a.db.BeginRead(ctx, 0)
	if err != nil {
		return value.Object{}, false, err
	}
	defer tx.Rollback()
	return tx.SystemGet(ctx, id)
}

// jobHooks run a mutation job: the job is staged in progress (the
// mutation sees itself so), and marked succeeded in the mutation's own
// commit.
type jobHooks struct {
	app   *App
	queue queueEntry
	fi    FunctionInfo
	path  FunctionPath
}

// stillPending checks, in tx, that a job and its queue entry are both
// still pending.
func stillPending(ctx context.Context, tx *database.Tx, q queueEntry) error {
	doc, ok, err := tx.SystemGet(ctx, q.job)
	if err != nil {
		return err
	}
	if !ok || jobState(doc) != statePending {
		return errRunChanged
	}
	cur, found, err := queueEntryByID(ctx, tx, q.id, q.job)
	if err != nil {
		return err
	}
	if !found || cur.state != statePending {
		return errRunChanged
	}
	return nil
}

func (h *jobHooks) begin(ctx context.Context, tx *database.Tx) error {
	if err := stillPending(ctx, tx, h.queue); err != nil {
		return err
	}
	_, err := tx.SystemPatch(ctx, h.queue.job, []value.Field{{Name: "state", Value: stateValue(stateInProgress, "")}})
	return err
}

func (h *jobHooks) finish(ctx context.Context, tx *database.Tx, res *CallResult) (string, error) {
	if msg := h.app.checkReturns(h.queue.component, h.fi, h.path, res.Value); msg != "" {
		return msg, nil
	}
	return "", completeJob(ctx, tx, h.queue.job, h.queue.id, stateSuccess, "", time.Now().UnixNano())
}

// runMutationJob runs a mutation job exactly once: its writes and its
// success commit together; a user error fails the job in a transaction
// of its own; conflicts run it again until it commits.
func (s *Scheduler) runMutationJob(ctx context.Context, q queueEntry, path FunctionPath, fi FunctionInfo, args []byte) error {
	a := s.app
	if msg := a.checkArgs(q.component, fi, path, args); msg != "" {
		return a.finishJob(ctx, q, stateFailed, msg)
	}
	v := a.active.Load()
	mods, err := a.modulesFor(ctx, v, q.component)
	if err != nil {
		return err
	}
	req := CallRequest{
		Component: q.component, Path: path, Args: args, Kind: runtime.KindMutation, Admin: true,
		RequestID: newRequestID(), scheduledJob: q.job.String(), version: v,
		hooks: &jobHooks{app: a, queue: q, fi: fi, path: path},
	}
	start := time.Now()
	res, err := a.runHookedMutation(ctx, mods, req)
	if errors.Is(err, errRunChanged) {
		return nil
	}
	if err != nil {
		return err
	}
	if res.Err != nil {
		if err := a.finishJob(ctx, q, stateFailed, res.Err.Message); err != nil {
			return err
		}
	}
	res.Kind = runtime.KindMutation
	a.recordExecution(req, res, start)
	return nil
}

// runHookedMutation runs a mutation carrying hooks until it commits, fails
// with a user error, or fails otherwise: conflicts past the usual retries
// keep it running, slower.
func (a *App) runHookedMutation(ctx context.Context, mods runtime.Modules, req CallRequest) (*CallResult, error) {
	for attempt := 1; ; attempt++ {
		var res *CallResult
		err := a.db.Retry(ctx, func(ctx context.Context) error {
			r, err := a.mutationOnce(ctx, mods, req, 0)
			res = r
			return err
		})
		if !database.IsConflict(err) {
			return res, err
		}
		wait := backoff(attempt, occBackoff, occBackoffMax)
		a.log.Debug("a scheduled mutation keeps conflicting; running it again", "component", "scheduler", "path", req.Path.String(), "attempt", attempt, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// runActionJob runs an action job at most once: it is marked in progress
// in a commit of its own first, then run, then given its outcome.
func (s *Scheduler) runActionJob(ctx context.Context, q queueEntry, path FunctionPath, args []byte) error {
	a := s.app
	err := a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := stillPending(ctx, tx, q); err != nil {
			return err
		}
		if _, err := tx.SystemPatch(ctx, q.job, []value.Field{{Name: "state", Value: stateValue(stateInProgress, "")}}); err != nil {
			return err
		}
		if _, err := tx.SystemPatch(ctx, q.id, []value.Field{{Name: "state", Value: value.String(stateInProgress)}}); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
	if errors.Is(err, errRunChanged) {
		return nil
	}
	if err != nil {
		return err
	}
	res, err := a.Call(ctx, CallRequest{Component: q.component, Path: path, Args: args, Kind: runtime.KindAction, Admin: true, scheduledJob: q.job.String()})
	state, msg := stateSuccess, ""
	switch {
	case err != nil:
		s.log.Warn("a scheduled action failed to run", "job", q.job.String(), "path", path.String(), "err", err)
		state, msg = stateFailed, transientActionError
	case res.Err != nil:
		state, msg = stateFailed, res.Err.Message
	}
	return a.finishAction(ctx, q, state, msg)
}

// finishAction records an action's outcome, retrying until the write
// commits. When the scheduler is being abandoned it still tries briefly;
// if that fails too, the job stays in progress and the next start fails
// it.
func (a *App) finishAction(ctx context.Context, q queueEntry, state, msg string) error {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		state, msg = stateFailed, transientActionError
	}
	for attempt := 1; ; attempt++ {
		err := a.finishJob(ctx, q, state, msg)
		if err == nil || ctx.Err() != nil {
			return err
		}
		wait := backoff(attempt, systemErrorBackoff, time.Minute)
		a.log.Warn("recording a scheduled action's outcome failed; retrying", "component", "scheduler", "job", q.job.String(), "err", err, "retry_in", wait.String())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// finishJob gives a job its final state (state "" only drops its queue
// entry) in a transaction of its own.
func (a *App) finishJob(ctx context.Context, q queueEntry, state, msg string) error {
	err := a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if state == "" {
			if cur, found, err := queueEntryByID(ctx, tx, q.id, q.job); err != nil || !found {
				return err
			} else if _, err := tx.SystemDelete(ctx, cur.id); err != nil {
				return err
			}
		} else if err := completeJob(ctx, tx, q.job, q.id, state, msg, time.Now().UnixNano()); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish scheduled job %s: %w", q.job, err)
	}
	return nil
}

// rescheduleJob puts a job that hit a system error back in the queue a
// little later, counting the failure.
func (a *App) rescheduleJob(ctx context.Context, q queueEntry, cause error) error {
	if ctx.Err() != nil {
		return nil // shutting down: it runs at the next start
	}
	var wait time.Duration
	err := a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		cur, found, err := queueEntryByID(ctx, tx, q.id, q.job)
		if err != nil || !found {
			return err
		}
		wait = backoff(int(cur.systemErrors)+1, systemErrorBackoff, systemErrorBackoffMax)
		if _, err := tx.SystemPatch(ctx, cur.id, []value.Field{
			{Name: "systemErrors", Value: value.Int64(cur.systemErrors + 1)},
			{Name: "nextTs", Value: value.Int64(time.Now().Add(wait).UnixNano())},
		}); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
	a.log.Warn("a scheduled function hit a system error; it runs again later", "component", "scheduler", "job", q.job.String(), "err", cause, "retry_in", wait.String())
	if err != nil {
		return fmt.Errorf("reschedule job %s after %v: %w", q.job, cause, err)
	}
	return nil
}
