package app

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"hull/database"
	"hull/runtime"
)

// runIn runs one function inside an open transaction handle (a top-level
// run or a nested ctx.runQuery/ctx.runMutation).
// tx views the namespace of the instance the function is in.
func (a *App) runIn(ctx context.Context, mods runtime.Modules, kind runtime.Kind, req CallRequest, tx txn, depth int) (*CallResult, error) {
	env, envKey := a.callEnvFor(req.version, req.Component)
	h := &host{app: a, kind: kind, component: req.Component, db: tx.handler(), tx: tx, depth: depth, req: req}
	h.nested = func(ctx context.Context, k runtime.Kind, t Target, args []byte) (*CallResult, error) {
		nreq := CallRequest{Component: t.Component, Path: t.Path, Args: args, Kind: k, Admin: true,
			RequestID: req.RequestID, scheduledJob: req.scheduledJob, version: req.version}
		nreq.Identity, nreq.IdentityError = propagateIdentity(req, req.Component, t.Component)
		return a.nestedCall(ctx, tx.in(t.Component), nreq, depth+1)
	}
	r, err := a.pool.Run(ctx, mods, a.runtimeCall(kind, req, env, envKey, h))
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", req.Path, err)
	}
	return &CallResult{Value: r.Value, Err: r.Err, Logs: mergeLogs(toLogLines(r.Logs), h.nestedLogs)}, nil
}

// mergeLogs interleaves a run's own console lines with its nested runs'
// by time.
func mergeLogs(own, nested []LogLine) []LogLine {
	if len(nested) == 0 {
		return own
	}
	out := append(own, nested...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp.Before(out[j].Timestamp) })
	return out
}

// nestedCall runs ctx.runQuery/ctx.runMutation in the caller's
// transaction (tx views the callee's namespace), in the caller's code
// version. A nested mutation that fails leaves no writes behind.
func (a *App) nestedCall(ctx context.Context, tx txn, req CallRequest, depth int) (*CallResult, error) {
	if depth > maxCallDepth {
		return userErr("MaximumCallDepthExceeded: Cannot call functions nested more than %d levels deep.", maxCallDepth), nil
	}
	v := req.version
	fi, ok := lookupFunction(v, Target{Component: req.Component, Path: req.Path})
	if !ok {
		if req.Component != "" {
			return userErr("Could not find function for '%s' in component %s.", req.Path, req.Component), nil
		}
		return userErr("Could not find function for '%s'.", req.Path), nil
	}
	if fi.Kind != req.Kind {
		return userErr("Trying to execute %s as %s, but it is defined as %s.", req.Path, udfType(req.Kind), udfType(fi.Kind)), nil
	}
	if msg := a.checkArgs(req.Component, fi, req.Path, req.Args); msg != "" {
		return userErr("%s", msg), nil
	}
	mods, err := a.modulesFor(ctx, v, req.Component)
	if err != nil {
		return nil, err
	}
	sp := tx.savepoint()
	res, err := a.runIn(ctx, mods, fi.Kind, req, tx, depth)
	if err != nil {
		tx.rollbackTo(sp)
		return nil, err
	}
	if res.Err != nil {
		tx.rollbackTo(sp)
		return res, nil
	}
	if msg := a.checkReturns(req.Component, fi, req.Path, res.Value); msg != "" {
		tx.rollbackTo(sp)
		return userErr("%s", msg), nil
	}
	return res, nil
}

func (a *App) runQuery(ctx context.Context, mods runtime.Modules, req CallRequest, depth int) (*CallResult, error) {
	tx, err := a.beginRead(ctx, req.At)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	tx = tx.in(req.Component)
	env := a.env.Load()
	if req.Journal != nil {
		tx = withJournal(tx, *req.Journal)
	}
	res, err := a.runIn(ctx, mods, runtime.Kind("query"), req, tx, depth)
	if err != nil {
		return nil, err
	}
	res.TS = tx.snapshotTS()
	res.Deps, res.Journal = queryDeps(tx, req.version, env)
	return res, nil
}

// runMutation runs a mutation in its own transaction. A commit refused
// because of a concurrent write runs the whole mutation again from a fresh
// snapshot (database.DB.Retry: a few retries with jittered backoff, then
// serialized runs, which cannot conflict); should the retries be used up
// all the same, the conflict is the function's error.
func (a *App) runMutation(ctx context.Context, mods runtime.Modules, req CallRequest, depth int) (*CallResult, error) {
	var res *CallResult
	err := a.db.Retry(ctx, func(ctx context.Context) error {
		r, err := a.mutationOnce(ctx, mods, req, depth)
		res = r
		return err
	})
	var ce *database.ConflictError
	if errors.As(err, &ce) && res != nil {
		res.Err = &runtime.UserError{Message: ce.Error()}
		res.Value = nil
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// mutationOnce is one attempt of runMutation. On a commit conflict it
// returns the run's result with the conflict.
func (a *App) mutationOnce(ctx context.Context, mods runtime.Modules, req CallRequest, depth int) (*CallResult, error) {
	if database.Serialized(ctx) {
		// The transaction will hold every other commit back while it
		// runs: wait for a slot to run in first, not during the hold.
		c, release, err := a.pool.Reserve(ctx, runtime.KindMutation)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", req.Path, err)
		}
		defer release()
		ctx = c
	}
	tx, err := a.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	tx = tx.in(req.Component)
	if req.Session != nil && depth == 0 && !req.Session.FirstSocket {
		if res, done, err := replaySession(ctx, tx, *req.Session); err != nil || done {
			return res, err
		}
	}
	if req.hooks != nil {
		if err := req.hooks.begin(ctx, tx.(*dbTxn).tx.In("")); err != nil {
			return nil, err
		}
	}
	res, err := a.runIn(ctx, mods, runtime.Kind("mutation"), req, tx, depth)
	if err != nil {
		return nil, err
	}
	if c := tx.conflict(); c != nil {
		return res, c // whatever the code made of it, the run must be retried
	}
	if res.Err != nil {
		return res, nil
	}
	if req.hooks != nil {
		msg, err := req.hooks.finish(ctx, tx.(*dbTxn).tx.In(""), res)
		if err != nil {
			return nil, err
		}
		if msg != "" {
			res.Err, res.Value = &runtime.UserError{Message: msg}, nil
			return res, nil
		}
	}
	if req.Session != nil && depth == 0 {
		if err := recordSession(ctx, tx, *req.Session, res); err != nil {
			return nil, err
		}
	}
	ts, err := tx.commit(ctx)
	if err != nil {
		if database.IsConflict(err) {
			a.log.Debug("mutation conflicted with a concurrent commit", "path", req.Path.String(), "err", err)
			return res, err
		}
		var ue userFacing
		if errors.As(err, &ue) {
			res.Err = &runtime.UserError{Message: ue.Error()}
			res.Value = nil
			return res, nil
		}
		return nil, fmt.Errorf("commit %s: %w", req.Path, err)
	}
	res.TS = ts
	a.committedSchedules(tx)
	return res, nil
}

func (a *App) runAction(ctx context.Context, mods runtime.Modules, req CallRequest, depth int) (*CallResult, error) {
	env, envKey := a.callEnvFor(req.version, req.Component)
	h := a.actionHost(req, depth)
	r, err := a.pool.Run(ctx, mods, a.runtimeCall(runtime.Kind("action"), req, env, envKey, h))
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", req.Path, err)
	}
	return &CallResult{Value: r.Value, Err: r.Err, Logs: toLogLines(r.Logs)}, nil
}

// actionHost is the host of an action run at depth; HTTP actions use it
// too, so both reach the same syscalls.
func (a *App) actionHost(req CallRequest, depth int) *host {
	return &host{app: a, kind: runtime.Kind("action"), component: req.Component, depth: depth, req: req}
}

// userFacing marks commit errors user code caused (for example a schema
// violation), reported as the function's error rather than a server error.
type userFacing interface {
	error
	UserFacing() bool
}
