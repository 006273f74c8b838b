package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"hull/auth"
	"hull/runtime"
)

// CallRequest asks to run one function.
type CallRequest struct {
	// Component is the path of the component instance the function is
	// in ("" for the app's own functions).
	Component string
	Path      FunctionPath
	// Args is the Convex-encoded JSON of the single args object.
	Args []byte
	// Kind, when set, is the kind the caller expects (the /api/query,
	// /api/mutation and /api/action endpoints); empty accepts any.
	Kind runtime.Kind
	// Admin callers may run internal functions.
	Admin bool
	// Identity is the user the function runs as (nil: anonymous), what
	// ctx.auth.getUserIdentity() returns: a verified token's (see
	// App.VerifyUserToken) or the one an admin acts as. Functions it
	// calls run as the same user; scheduled ones run as nobody.
	Identity *auth.Identity
	// IdentityError, for an HTTP action whose request carried a token
	// that was refused, is what ctx.auth.getUserIdentity() throws (the
	// action runs all the same, as on Convex: the header may be the
	// app's own).
	IdentityError error
	RequestID     string
	// At, for queries, is the snapshot ts to read at (0: latest).
	At int64
	// Journal, for queries of a sync subscription, is the journal the
	// previous run returned (a paginated query then keeps its page end).
	Journal *string
	// Session makes a mutation idempotent (see SessionRequest).
	Session *SessionRequest

	// scheduledJob is the _scheduled_functions id of the scheduled job
	// this run belongs to, itself or through nested calls ("" otherwise).
	scheduledJob string
	// hooks tie a mutation to the scheduled job or cron run it carries
	// out (nil for other calls); see txHooks.
	hooks txHooks

	version *Version // the code version the call runs
}

// CallResult is the outcome of a function run. A user-level failure is in
// Err, not in the error return.
type CallResult struct {
	Value []byte // Convex-encoded JSON
	Err   *runtime.UserError
	Logs  []LogLine
	Kind  runtime.Kind
	TS    int64 // snapshot ts of a query, commit ts of a mutation
	// Deps and Journal, for queries, are what reactivity needs: what the
	// result depends on (see App.Changed) and the journal to pass to the
	// next run of the same subscription.
	Deps    *Deps
	Journal *string
	// RequestID is the id the call ran under (for the caller to show;
	// set by whoever made the request).
	RequestID string
}

func userErr(format string, args ...any) *CallResult {
	return &CallResult{Err: &runtime.UserError{Message: fmt.Sprintf(format, args...)}}
}

// maxCallDepth bounds nested ctx.run* calls, as Convex does.
const maxCallDepth = 8

// Call runs a function of the active version.
func (a *App) Call(ctx context.Context, req CallRequest) (*CallResult, error) {
	if req.RequestID == "" {
		req.RequestID = newRequestID()
	}
	start := time.Now()
	res, err := a.call(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	res.RequestID = req.RequestID
	a.recordExecution(req, res, start)
	return res, nil
}

func (a *App) call(ctx context.Context, req CallRequest, depth int) (*CallResult, error) {
	if depth > maxCallDepth {
		return userErr("MaximumCallDepthExceeded: Cannot call functions nested more than %d levels deep.", maxCallDepth), nil
	}
	if res, ok, err := a.systemQuery(ctx, req); ok {
		return res, err
	}
	v, err := a.ActiveVersion(ctx)
	if err != nil {
		return nil, err
	}
	if req.Component != "" && v.code(req.Component) == nil {
		if req.Admin {
			return userErr("Could not find component %q: it is not mounted in this deployment.", req.Component), nil
		}
		return userErr("Could not find public function for '%s'. Did you forget to run `npx convex dev` or `npx convex deploy`?", req.Path), nil
	}
	fi, ok := lookupFunction(v, Target{Component: req.Component, Path: req.Path})
	// A public client reaches the app's public functions only; a
	// component's are for its parent (and for admins).
	if !ok || (!req.Admin && (fi.Visibility != "public" || req.Component != "")) {
		if req.Admin {
			return userErr("Could not find function for '%s'. Did you forget to run `npx convex dev`?", req.Path), nil
		}
		return userErr("Could not find public function for '%s'. Did you forget to run `npx convex dev` or `npx convex deploy`?", req.Path), nil
	}
	if req.Kind != "" && fi.Kind != req.Kind {
		return userErr("Trying to execute %s as %s, but it is defined as %s.", req.Path, udfType(req.Kind), udfType(fi.Kind)), nil
	}
	if msg := a.checkArgs(req.Component, fi, req.Path, req.Args); msg != "" {
		return &CallResult{Kind: fi.Kind, Err: &runtime.UserError{Message: msg}}, nil
	}
	req.version = v
	mods, err := a.modulesFor(ctx, v, req.Component)
	if err != nil {
		return nil, err
	}
	var res *CallResult
	switch fi.Kind {
	case runtime.Kind("query"):
		res, err = a.runQuery(ctx, mods, req, depth)
	case runtime.Kind("mutation"):
		res, err = a.runMutation(ctx, mods, req, depth)
	case runtime.Kind("action"):
		if fi.Node {
			res, err = a.runNodeAction(ctx, v, req, depth)
		} else {
			res, err = a.runAction(ctx, mods, req, depth)
		}
	default:
		return userErr("%s is an HTTP action; call it through its route under /http.", req.Path), nil
	}
	if err != nil {
		return nil, err
	}
	res.Kind = fi.Kind
	if res.Err == nil {
		if msg := a.checkReturns(req.Component, fi, req.Path, res.Value); msg != "" {
			res.Err = &runtime.UserError{Message: msg}
			res.Value = nil
		}
	}
	return res, nil
}

// runtimeCall is the runtime's view of req; envKey is env's key when the
// caller has it ("" to have the pool work it out).
func (a *App) runtimeCall(kind runtime.Kind, req CallRequest, env map[string]string, envKey string, host runtime.Host) runtime.Call {
	var seed [32]byte
	_, _ = rand.Read(seed[:])
	return runtime.Call{
		Kind:   kind,
		Module: req.Path.Module,
		Export: req.Path.Export,
		Args:   append(append([]byte("["), req.Args...), ']'),
		Env:    env,
		EnvKey: envKey,
		Now:    time.Now(),
		Seed:   seed,
		Host:   host,
	}
}

func toLogLines(in []runtime.LogLine) []LogLine {
	out := make([]LogLine, 0, len(in))
	for _, l := range in {
		out = append(out, LogLine{Level: l.Level, Message: l.Message, Timestamp: l.Time})
	}
	return out
}

func (a *App) recordExecution(req CallRequest, res *CallResult, start time.Time) {
	if isSystemPath(req.Path) {
		// System functions (the CLI's, dashboards') stay out of the
		// user's function log and metrics, as on Convex.
		return
	}
	e := Execution{
		UDFType:       udfType(res.Kind),
		ComponentPath: req.Component,
		Identifier:    req.Path.String(),
		Logs:          res.Logs,
		Started:       start,
		Duration:      time.Since(start),
		RequestID:     req.RequestID,
		ExecutionID:   newRequestID(),
	}
	if res.Err != nil {
		e.Error = res.Err.Message
		// Callers may see only "Server Error" and the request id: the log
		// keeps what failed.
		a.log.Info("function failed", "request_id", req.RequestID, "function", e.Identifier,
			"component_path", req.Component, "udf_type", e.UDFType, "error", res.Err.Message)
	}
	a.addExecution(e)
}

// addExecution records a finished user function run in the log stream
// and the metrics.
func (a *App) addExecution(e Execution) {
	a.logs.Add(e)
	a.metrics.Record(FunctionMetricKey{Identifier: e.Identifier, UDFType: e.UDFType}, e.Started, e.Duration, e.Error != "")
	if o := a.opts.Observer; o != nil {
		o.FunctionRun(e.UDFType, e.ComponentPath, e.Identifier, e.Error != "", e.Duration)
	}
	a.logFunctionLines(e)
}

func isSystemPath(p FunctionPath) bool { return strings.HasPrefix(p.Module, "_system/") }

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
