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

// dbHandler serves the database syscalls of one transaction; handled is
// false for ops that are not database ops.
type dbHandler interface {
	Syscall(ctx context.Context, op string, args []byte) ([]byte, bool, error)
	AsyncSyscall(ctx context.Context, op string, args []byte) ([]byte, bool, error)
}

// host is the runtime.Host of one function run: database ops go to the
// run's transaction (none for actions), calls to other functions and
// identity ops are served here, and everything else gets Convex's
// unknown-operation error.
type host struct {
	app  *App
	kind runtime.Kind
	// component is the path of the instance the function belongs to:
	// names resolve, and the database is viewed, there.
	component string
	db        dbHandler // nil in actions
	tx        txn       // the run's transaction; nil in actions
	depth     int
	req       CallRequest
	// nested runs ctx.runQuery/ctx.runMutation inside the caller's
	// transaction (queries and mutations only).
	nested func(ctx context.Context, kind runtime.Kind, t Target, args []byte) (*CallResult, error)
	// nestedLogs are the console lines of nested runs, shown with the
	// caller's own.
	nestedLogs []LogLine
}

// convexError carries ConvexError data across a syscall boundary.
type convexError struct {
	msg  string
	data []byte
}

func (e *convexError) Error() string      { return e.msg }
func (e *convexError) ConvexData() []byte { return e.data }

// userError turns a failed nested run into the error thrown in the caller.
func userError(e *runtime.UserError) error {
	if e.Data != nil {
		return &convexError{msg: e.Message, data: e.Data}
	}
	return fmt.Errorf("%s", e.Message)
}

// StorageUnavailableMessage is what a caller is told when storage did not
// answer; the details go to the log only.
const StorageUnavailableMessage = "The database is temporarily unavailable; try again shortly."

// systemError marks an error of storage that did not answer as the
// server's failure: a query or mutation cannot catch it, and the call
// fails as unavailable (see runtime.SystemError).
func systemError(err error) error {
	if err == nil || !database.IsUnavailable(err) {
		return err
	}
	if _, ok := runtime.AsSystemError(err); ok {
		return err
	}
	return &runtime.SystemError{Err: err, Public: "StorageUnavailable: " + StorageUnavailableMessage}
}

func (h *host) Syscall(ctx context.Context, op string, args []byte) ([]byte, error) {
	if h.db != nil {
		if out, ok, err := h.db.Syscall(ctx, op, args); ok {
			return out, systemError(err)
		}
	}
	switch op {
	case "1.0/componentArgument":
		return h.componentArgument(args)
	case "1.0/getFunctionMetadata":
		return h.functionMetadata()
	}
	return nil, runtime.UnknownOperation(op)
}

// version is the code version the run belongs to.
func (h *host) version() *Version {
	if h.req.version != nil {
		return h.req.version
	}
	return h.app.active.Load()
}

func (h *host) AsyncSyscall(ctx context.Context, op string, args []byte) ([]byte, error) {
	out, err := h.asyncSyscall(ctx, op, args)
	return out, systemError(err)
}

func (h *host) asyncSyscall(ctx context.Context, op string, args []byte) ([]byte, error) {
	if h.db != nil {
		if out, ok, err := h.db.AsyncSyscall(ctx, op, args); ok {
			return out, err
		}
	}
	if out, ok, err := h.schedulerSyscall(ctx, op, args); ok {
		return out, err
	}
	if out, ok, err := h.storageSyscall(ctx, op, args); ok {
		return out, err
	}
	switch op {
	case "1.0/getUserIdentity":
		if err := h.req.IdentityError; err != nil {
			return nil, err
		}
		if id := h.req.Identity; id != nil {
			return id.JSON, nil
		}
		return []byte("null"), nil
	case "1.0/createFunctionHandle":
		return h.createFunctionHandle(args)
	case "1.0/getFunctionMetadata":
		return h.functionMetadata()
	case "1.0/runUdf":
		if h.db == nil {
			break
		}
		return h.runUdf(ctx, args)
	case "1.0/actions/query", "1.0/actions/mutation", "1.0/actions/action":
		if h.kind != runtime.Kind("action") {
			break
		}
		return h.actionCall(ctx, runtime.Kind(op[len("1.0/actions/"):]), args)
	}
	return nil, runtime.UnknownAsyncOperation(op)
}

type callArgs struct {
	address
	UDFType string          `json:"udfType"`
	Args    json.RawMessage `json:"args"`
}

// parse reads a call's arguments and resolves its function relative to
// the calling instance.
func (c *callArgs) parse(h *host, data []byte) (Target, error) {
	if err := json.Unmarshal(data, c); err != nil {
		return Target{}, fmt.Errorf("invalid syscall arguments: %w", err)
	}
	t, err := h.app.resolve(h.version(), h.component, c.address)
	if err != nil {
		return Target{}, err
	}
	if len(c.Args) == 0 {
		c.Args = json.RawMessage("{}")
	}
	if _, err := value.FromJSON(c.Args); err != nil {
		return Target{}, fmt.Errorf("invalid arguments for %s: %w", t, err)
	}
	return t, nil
}

func (h *host) result(res *CallResult, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		return nil, userError(res.Err)
	}
	return res.Value, nil
}

// runUdf serves ctx.runQuery/ctx.runMutation inside a query or mutation.
func (h *host) runUdf(ctx context.Context, data []byte) ([]byte, error) {
	var c callArgs
	t, err := c.parse(h, data)
	if err != nil {
		return nil, err
	}
	kind := kindOf(c.UDFType)
	switch {
	case kind == runtime.KindQuery:
	case kind == runtime.KindMutation && h.kind == runtime.KindMutation:
	default:
		return nil, fmt.Errorf("InvalidFunctionCall: Cannot call a %s function from a %s function", c.UDFType, h.kind)
	}
	res, err := h.nested(ctx, kind, t, c.Args)
	if res != nil {
		h.nestedLogs = append(h.nestedLogs, res.Logs...)
	}
	return h.result(res, err)
}

// actionCall serves ctx.runQuery/runMutation/runAction inside an action:
// each is its own top-level run with its own transaction.
func (h *host) actionCall(ctx context.Context, kind runtime.Kind, data []byte) ([]byte, error) {
	var c callArgs
	t, err := c.parse(h, data)
	if err != nil {
		return nil, err
	}
	req := CallRequest{Component: t.Component, Path: t.Path, Args: c.Args, Kind: kind, Admin: true, RequestID: h.req.RequestID, scheduledJob: h.req.scheduledJob}
	req.Identity, req.IdentityError = propagateIdentity(h.req, h.component, t.Component)
	start := time.Now()
	res, err := h.app.call(ctx, req, h.depth+1)
	if res != nil {
		h.app.recordExecution(req, res, start)
	}
	return h.result(res, err)
}

// Checkpoint implements runtime.Rewinder for queries and mutations: a run
// stopped to start again on another engine (the tiered engine policy)
// leaves no writes and no nested runs' lines behind. Its reads stay in the
// read set, which only makes conflicts and invalidations conservative.
func (h *host) Checkpoint() (rewind func()) {
	if h.tx == nil {
		return nil
	}
	sp := h.tx.savepoint()
	logs := len(h.nestedLogs)
	return func() {
		h.tx.rollbackTo(sp)
		h.nestedLogs = h.nestedLogs[:logs]
	}
}
