package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"hull/database"
	"hull/runtime"
	"hull/value"
)

// Bounds of what a cron log keeps of a run.
const (
	cronLogMaxLines  = 64
	cronLogMaxBytes  = 16 << 10
	cronResultMaxLen = 1 << 10
)

// runCron runs one due cron: a mutation exactly once (the run, its log
// and the next run commit together), an action at most once (marked in
// progress first). Runs missed while nothing ran are skipped, not
// replayed.
func (s *Scheduler) runCron(ctx context.Context, c cronJob) error {
	a := s.app
	if c.state == stateInProgress {
		s.log.Warn("failing a cron action left in progress by a stopped process", "cron", c.name)
		return a.completeCronRun(ctx, c, cronErrStatus(transientActionError), nil, 0)
	}
	path, err := ParseFunctionPath(c.udfPath)
	v := a.active.Load()
	var fi FunctionInfo
	found := false
	if code := v.code(c.component); err == nil && code != nil {
		fi, found = code.Functions[path.Module+":"+path.Export]
	}
	args := value.ToJSON(c.args)
	if c.args.Len() == 0 {
		args = []byte("{}")
	}
	switch {
	case !found:
		return a.completeCronRun(ctx, c, cronErrStatus(fmt.Sprintf("Could not find function for '%s': it is not in the deployed code.", c.udfPath)), nil, 0)
	case fi.Kind == runtime.KindMutation:
		return s.runCronMutation(ctx, c, path, fi, args)
	case fi.Kind == runtime.KindAction:
		return s.runCronAction(ctx, c, path, args)
	}
	return a.completeCronRun(ctx, c, cronErrStatus(fmt.Sprintf("%s is a %s; only mutations and actions can run as crons.", path, udfType(fi.Kind))), nil, 0)
}

// cronHooks run a cron's mutation: the run, its log and the cron's next
// run commit together.
type cronHooks struct {
	app   *App
	cron  cronJob // its component is the one the function is in
	fi    FunctionInfo
	path  FunctionPath
	start time.Time
}

// currentCron reads a cron in tx and checks it is still what the run
// expects.
func currentCron(ctx context.Context, tx *database.Tx, want value.Object) (cronJob, error) {
	id, err := idField(want, "_id")
	if err != nil {
		return cronJob{}, err
	}
	doc, ok, err := tx.SystemGet(ctx, id)
	if err != nil {
		return cronJob{}, err
	}
	if !ok || !value.Equal(doc, want) {
		return cronJob{}, errRunChanged
	}
	return decodeCronJob(doc)
}

func (h *cronHooks) begin(ctx context.Context, tx *database.Tx) error {
	_, err := currentCron(ctx, tx, h.cron.doc)
	return err
}

func (h *cronHooks) finish(ctx context.Context, tx *database.Tx, res *CallResult) (string, error) {
	if msg := h.app.checkReturns(h.cron.component, h.fi, h.path, res.Value); msg != "" {
		return msg, nil
	}
	_, err := h.app.recordCronRun(ctx, tx, h.cron, cronSuccessStatus(res.Value), res.Logs, time.Since(h.start))
	return "", err
}

func (s *Scheduler) runCronMutation(ctx context.Context, c cronJob, path FunctionPath, fi FunctionInfo, args []byte) error {
	a := s.app
	if msg := a.checkArgs(c.component, fi, path, args); msg != "" {
		return a.completeCronRun(ctx, c, cronErrStatus(msg), nil, 0)
	}
	v := a.active.Load()
	mods, err := a.modulesFor(ctx, v, c.component)
	if err != nil {
		return err
	}
	start := time.Now()
	req := CallRequest{
		Component: c.component, Path: path, Args: args, Kind: runtime.KindMutation, Admin: true, RequestID: newRequestID(), version: v,
		hooks: &cronHooks{app: a, cron: c, fi: fi, path: path, start: start},
	}
	res, err := a.runHookedMutation(ctx, mods, req)
	if errors.Is(err, errRunChanged) {
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil // shutting down: the run happens at the next start
		}
		return fmt.Errorf("run cron %q: %w", c.name, err) // retried shortly
	}
	if res.Err != nil {
		if err := a.completeCronRun(ctx, c, cronErrStatus(res.Err.Message), res.Logs, time.Since(start)); err != nil {
			return err
		}
	}
	res.Kind = runtime.KindMutation
	a.recordExecution(req, res, start)
	return nil
}

func (s *Scheduler) runCronAction(ctx context.Context, c cronJob, path FunctionPath, args []byte) error {
	a := s.app
	var running value.Object
	err := a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := currentCron(ctx, tx, c.doc); err != nil {
			return err
		}
		doc, err := tx.SystemPatch(ctx, c.id, []value.Field{{Name: "state", Value: cronStateValue(stateInProgress)}})
		if err != nil {
			return err
		}
		running = doc
		_, err = tx.Commit(ctx)
		return err
	})
	if errors.Is(err, errRunChanged) {
		return nil
	}
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := a.Call(ctx, CallRequest{Component: c.component, Path: path, Args: args, Kind: runtime.KindAction, Admin: true})
	status, logs := cronSuccessStatus(nil), []LogLine(nil)
	switch {
	case err != nil:
		s.log.Warn("a cron action failed to run", "cron", c.name, "err", err)
		status = cronErrStatus(transientActionError)
	case res.Err != nil:
		status, logs = cronErrStatus(res.Err.Message), res.Logs
	default:
		status, logs = cronSuccessStatus(res.Value), res.Logs
	}
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		status = cronErrStatus(transientActionError)
	}
	c.doc, c.state = running, stateInProgress
	for attempt := 1; ; attempt++ {
		err := a.completeCronRun(ctx, c, status, logs, time.Since(start))
		if err == nil || ctx.Err() != nil {
			return err
		}
		wait := backoff(attempt, systemErrorBackoff, time.Minute)
		s.log.Warn("recording a cron run failed; retrying", "cron", c.name, "err", err, "retry_in", wait.String())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// completeCronRun logs a run and sets the cron's next run, in a
// transaction of its own; a cron changed meanwhile (by a push) is left
// alone.
func (a *App) completeCronRun(ctx context.Context, c cronJob, status value.Object, logs []LogLine, took time.Duration) error {
	var next int64
	err := a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		cur, err := currentCron(ctx, tx, c.doc)
		if err != nil {
			return err
		}
		if next, err = a.recordCronRun(ctx, tx, cur, status, logs, took); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
	if errors.Is(err, errRunChanged) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("complete a run of cron %q: %w", c.name, err)
	}
	a.wakeScheduler(next)
	return nil
}

// recordCronRun writes a run's log and moves the cron to its next run,
// skipping (and logging) the runs already in the past. It returns the
// next run's time.
func (a *App) recordCronRun(ctx context.Context, tx *database.Tx, c cronJob, status value.Object, logs []LogLine, took time.Duration) (int64, error) {
	if err := insertCronLog(ctx, tx, c, c.nextTS, status, logs, took); err != nil {
		return 0, err
	}
	now := time.Now().UnixNano()
	next, skipped, first, err := c.schedule.NextAfterMissed(c.nextTS, now)
	if err != nil {
		return 0, fmt.Errorf("next run of cron %q: %w", c.name, err)
	}
	if skipped > 0 {
		a.log.Warn(fmt.Sprintf("SkippingPastScheduledRuns: Skipping %d run(s) of cron job %q because multiple scheduled runs are in the past", skipped, c.name), "component", "scheduler")
		canceled := value.MustObject(value.Field{Name: "type", Value: value.String("canceled")}, value.Field{Name: "num_canceled", Value: value.Int64(skipped)})
		if err := insertCronLog(ctx, tx, c, first, canceled, nil, 0); err != nil {
			return 0, err
		}
	}
	if err := trimCronLogs(ctx, tx, c.component, c.name, maxLogsPerCron); err != nil {
		return 0, err
	}
	spec, _ := c.doc.Get("cronSpec")
	if _, err := tx.SystemReplace(ctx, c.id, cronJobDoc(c.component, c.name, spec.(value.Object), statePending, c.nextTS, next)); err != nil {
		return 0, err
	}
	return next, nil
}

func insertCronLog(ctx context.Context, tx *database.Tx, c cronJob, ts int64, status value.Object, logs []LogLine, took time.Duration) error {
	lines := value.Array{}
	size, truncated := 0, false
	for _, l := range logs {
		line := "[" + l.Level + "] " + l.Message
		if len(lines) >= cronLogMaxLines || size+len(line) > cronLogMaxBytes {
			truncated = true
			break
		}
		size += len(line)
		lines = append(lines, value.String(line))
	}
	doc := value.MustObject(
		value.Field{Name: "name", Value: value.String(c.name)},
		value.Field{Name: "ts", Value: value.Int64(ts)},
		value.Field{Name: "udfPath", Value: value.String(c.udfPath)},
		value.Field{Name: "udfArgs", Value: value.Array{c.args}},
		value.Field{Name: "status", Value: status},
		value.Field{Name: "logLines", Value: value.MustObject(
			value.Field{Name: "logLines", Value: lines},
			value.Field{Name: "isTruncated", Value: value.Boolean(truncated)},
		)},
		value.Field{Name: "executionTime", Value: value.Float64(took.Seconds())},
	)
	if c.component != "" {
		doc = doc.With("component", value.String(c.component))
	}
	_, err := tx.SystemInsert(ctx, cronLogsTable, doc)
	return err
}

func cronErrStatus(msg string) value.Object {
	return value.MustObject(value.Field{Name: "type", Value: value.String("err")}, value.Field{Name: "error", Value: value.String(msg)})
}

// cronSuccessStatus records a run's result, as JSON text cut to
// cronResultMaxLen.
func cronSuccessStatus(result []byte) value.Object {
	text, truncated := "null", false
	if len(result) > 0 {
		if v, err := value.FromJSON(result); err == nil {
			text = string(value.ToCleanJSON(v))
		}
	}
	if len(text) > cronResultMaxLen {
		text, truncated = strings.ToValidUTF8(text[:cronResultMaxLen], ""), true
	}
	return value.MustObject(
		value.Field{Name: "type", Value: value.String("success")},
		value.Field{Name: "result", Value: value.MustObject(
			value.Field{Name: "value", Value: value.String(text)},
			value.Field{Name: "truncated", Value: value.Boolean(truncated)},
		)},
	)
}
