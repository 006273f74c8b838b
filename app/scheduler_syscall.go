package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"hull/database"
	"hull/runtime"
	"hull/value"
)

// schedulerSyscall serves ctx.scheduler (1.0/schedule, 1.0/cancel_job and
// their action forms, which HTTP actions use too) and
// ctx.meta.getRequestMetadata; handled is false for every other op, and
// for ops the run's kind does not have (a query has no scheduler:
// Convex's "Unknown async operation").
func (h *host) schedulerSyscall(ctx context.Context, op string, args []byte) ([]byte, bool, error) {
	var out []byte
	var err error
	switch {
	case op == "1.0/schedule" && h.kind == runtime.KindMutation && h.tx != nil:
		out, err = h.scheduleInMutation(ctx, args)
	case op == "1.0/cancel_job" && h.kind == runtime.KindMutation && h.tx != nil:
		out, err = h.cancelInMutation(ctx, args)
	case op == "1.0/actions/schedule" && (h.kind == runtime.KindAction || h.kind == runtime.KindHTTPAction):
		out, err = h.app.scheduleFromAction(ctx, h.component, h.req, args)
	case op == "1.0/actions/cancel_job" && (h.kind == runtime.KindAction || h.kind == runtime.KindHTTPAction):
		out, err = h.app.cancelFromAction(ctx, h.component, args)
	case op == "1.0/getRequestMetadata":
		out, err = h.requestMetadata()
	default:
		return nil, false, nil
	}
	return out, true, err
}

func decodeSyscall(method string, args []byte, into any) error {
	if err := json.Unmarshal(args, into); err != nil {
		return &database.Error{Code: "InvalidArgument", Msg: fmt.Sprintf("Invalid arguments for %s: %v", method, err)}
	}
	return nil
}

func idResult(id value.ID) []byte { return value.ToJSON(value.String(id.String())) }

// scheduleInMutation schedules a job in the mutation's own transaction:
// the job exists only if the mutation commits.
func (h *host) scheduleInMutation(ctx context.Context, args []byte) ([]byte, error) {
	d := h.tx.(*dbTxn)
	now := time.Now()
	j, err := h.app.parseSchedule(args, h.component, now)
	if err != nil {
		return nil, err
	}
	canceled, err := parentCanceled(ctx, d.tx, h.req.scheduledJob)
	if err != nil {
		return nil, err
	}
	if err := d.scheduled.admit(j.size); err != nil {
		return nil, err
	}
	id, next, err := insertJob(ctx, d.tx, j, now.UnixNano(), canceled)
	if err != nil {
		return nil, err
	}
	if next != 0 {
		d.scheduled.due(next)
	}
	return idResult(id), nil
}

type cancelRequest struct {
	ID string `json:"id"`
}

func (h *host) cancelInMutation(ctx context.Context, args []byte) ([]byte, error) {
	var r cancelRequest
	if err := decodeSyscall("scheduler.cancel", args, &r); err != nil {
		return nil, err
	}
	if r.ID != "" && r.ID == h.req.scheduledJob {
		return nil, scheduleError("ScheduledFunctionCancelingItself", "A mutation cannot cancel itself")
	}
	if err := cancelJob(ctx, h.tx.(*dbTxn).tx, r.ID, time.Now().UnixNano()); err != nil {
		return nil, err
	}
	return []byte("null"), nil
}

// scheduleFromAction schedules a job of an action running in the
// instance at caller, in a transaction of its own.
func (a *App) scheduleFromAction(ctx context.Context, caller string, req CallRequest, args []byte) ([]byte, error) {
	j, err := a.parseSchedule(args, caller, time.Now())
	if err != nil {
		return nil, err
	}
	var id value.ID
	var next int64
	err = a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		canceled, err := parentCanceled(ctx, tx, req.scheduledJob)
		if err != nil {
			return err
		}
		if id, next, err = insertJob(ctx, tx.In(caller), j, time.Now().UnixNano(), canceled); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	a.wakeScheduler(next)
	return idResult(id), nil
}

func (a *App) cancelFromAction(ctx context.Context, caller string, args []byte) ([]byte, error) {
	var r cancelRequest
	if err := decodeSyscall("scheduler.cancel", args, &r); err != nil {
		return nil, err
	}
	err := a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := cancelJob(ctx, tx.In(caller), r.ID, time.Now().UnixNano()); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return []byte("null"), nil
}

// committedSchedules wakes the scheduler for the jobs a mutation's
// transaction scheduled, now that it committed.
func (a *App) committedSchedules(t txn) {
	if d, ok := t.(*dbTxn); ok && d.scheduled.earliest != 0 {
		a.wakeScheduler(d.scheduled.earliest)
	}
}

// wakeScheduler tells the running scheduler that something became due at
// nextTS (Unix ns); 0 is nothing.
func (a *App) wakeScheduler(nextTS int64) {
	if s := a.sched.Load(); s != nil && nextTS != 0 {
		s.wakeFor(nextTS)
	}
}

// requestMetadata serves ctx.meta.getRequestMetadata (mutations and
// actions): the request id, and the id of the scheduled job the run
// belongs to. hull does not carry the caller's address, user agent or
// token into function runs, so those are null.
func (h *host) requestMetadata() ([]byte, error) {
	if h.kind == runtime.KindQuery {
		return nil, &database.Error{Code: "RequestMetadataNotAllowed", Msg: "RequestMetadataNotAllowed: getRequestMetadata() is not available in queries."}
	}
	var job value.Value = value.Null{}
	if h.req.scheduledJob != "" {
		job = value.String(h.req.scheduledJob)
	}
	return value.ToJSON(value.MustObject(
		value.Field{Name: "ip", Value: value.Null{}},
		value.Field{Name: "userAgent", Value: value.Null{}},
		value.Field{Name: "requestId", Value: value.String(h.req.RequestID)},
		value.Field{Name: "scheduledFunctionId", Value: job},
		value.Field{Name: "authToken", Value: value.Null{}},
	)), nil
}
