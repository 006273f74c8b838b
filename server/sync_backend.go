package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"hull/app"
	"hull/auth"
	"hull/database"
	"hull/runtime"
	"hull/server/sync"
	"hull/value"
)

// syncBackend runs the sync sessions' functions on the application.
type syncBackend struct {
	app    *app.App
	auth   *Auth
	log    *slog.Logger
	redact bool // see Config.RedactErrors
}

// mountSync serves the WebSocket sync endpoint and closes its sessions
// when shutdown begins.
func mountSync(r *Routes, a *app.App) {
	hub := sync.NewHub(&syncBackend{app: a, auth: r.Auth(), log: r.Logger(), redact: r.RedactErrors()}, sync.Options{Logger: r.Logger(), MaxSessions: r.maxSyncSessions})
	r.Sync(hub)
	if r.metrics != nil {
		r.metrics.mountHub(hub)
	}
	r.OnDrain("close sync sessions", func(context.Context) error {
		hub.Close()
		return nil
	})
}

func (b *syncBackend) call(ctx context.Context, kind runtime.Kind, component, path string, args json.RawMessage, id sync.Identity, prep func(*app.CallRequest)) (*app.CallResult, error) {
	requestID := newRequestID()
	if component != "" && !id.Admin {
		return &app.CallResult{Err: &runtime.UserError{Message: componentPathForbidden}, RequestID: requestID}, nil
	}
	p, err := app.ParseFunctionPath(path)
	if err != nil {
		var ae *app.Error
		if errors.As(err, &ae) {
			return &app.CallResult{Err: &runtime.UserError{Message: ae.Message}, RequestID: requestID}, nil
		}
		return nil, err
	}
	user, _ := id.Principal.(*auth.Identity)
	req := app.CallRequest{Component: component, Path: p, Args: args, Kind: kind, Admin: id.Admin, Identity: user, RequestID: requestID}
	if prep != nil {
		prep(&req)
	}
	start := time.Now()
	res, err := b.app.Call(ctx, req)
	b.logCall(ctx, kind, component, path, requestID, start, res, err)
	if database.IsUnavailable(err) {
		// The session closes so the client reconnects and tries again.
		return nil, fmt.Errorf("%w: %w", sync.ErrUnavailable, err)
	}
	return res, err
}

// logCall writes the request line of one function run a sync session
// asked for, under the request id the run's own log lines carry:
// mutations and actions at info level, query runs (which subscriptions
// repeat at every relevant commit) at debug level.
func (b *syncBackend) logCall(ctx context.Context, kind runtime.Kind, component, path, requestID string, start time.Time, res *app.CallResult, err error) {
	level := slog.LevelInfo
	if kind == runtime.KindQuery {
		level = slog.LevelDebug
	}
	if !b.log.Enabled(ctx, level) {
		return
	}
	outcome := "success"
	switch {
	case err != nil:
		outcome = "system_error"
	case res.Err != nil:
		outcome = "error"
	}
	attrs := []slog.Attr{
		slog.String("request_id", requestID),
		slog.String("kind", string(kind)),
		slog.String("function", path),
		slog.String("outcome", outcome),
		slog.Duration("duration", time.Since(start)),
	}
	if component != "" {
		attrs = append(attrs, slog.String("component_path", component))
	}
	b.log.LogAttrs(ctx, level, "sync request", attrs...)
}

// result renders a call's outcome for a session of identity id.
func (b *syncBackend) result(res *app.CallResult, id sync.Identity) sync.FunctionResult {
	return functionResult(res, b.redact && !id.Admin)
}

// Query implements sync.Backend.
func (b *syncBackend) Query(ctx context.Context, q sync.QueryCall) (*sync.QueryResult, error) {
	res, err := b.call(ctx, runtime.KindQuery, q.Component, q.Path, q.Args, q.Identity, func(r *app.CallRequest) {
		r.At, r.Journal = q.TS, q.Journal
	})
	if err != nil {
		return nil, err
	}
	out := &sync.QueryResult{FunctionResult: b.result(res, q.Identity), TS: res.TS, Journal: res.Journal}
	if res.Deps != nil {
		out.Deps = res.Deps
	}
	if out.TS == 0 {
		out.TS = q.TS
	}
	return out, nil
}

// Mutation implements sync.Backend.
func (b *syncBackend) Mutation(ctx context.Context, m sync.RequestCall) (*sync.FunctionResult, error) {
	res, err := b.call(ctx, runtime.KindMutation, m.Component, m.Path, m.Args, m.Identity, func(r *app.CallRequest) {
		r.Session = &app.SessionRequest{SessionID: m.SessionID, RequestID: m.RequestID, FirstSocket: m.FirstSocket}
	})
	if err != nil {
		return nil, err
	}
	fr := b.result(res, m.Identity)
	if fr.TS == 0 {
		fr.TS = b.app.LatestTS()
	}
	return &fr, nil
}

// Action implements sync.Backend.
func (b *syncBackend) Action(ctx context.Context, a sync.RequestCall) (*sync.FunctionResult, error) {
	res, err := b.call(ctx, runtime.KindAction, a.Component, a.Path, a.Args, a.Identity, nil)
	if err != nil {
		return nil, err
	}
	fr := b.result(res, a.Identity)
	return &fr, nil
}

// CheckArgs implements sync.Backend with the checks of the HTTP API:
// the same size limit, value limits and errors.
func (b *syncBackend) CheckArgs(args json.RawMessage) (json.RawMessage, error) {
	return normalizeArgs(args)
}

// LatestTS implements sync.Backend.
func (b *syncBackend) LatestTS() int64 { return b.app.LatestTS() }

// WaitCommit implements sync.Backend.
func (b *syncBackend) WaitCommit(ctx context.Context, after int64) (int64, error) {
	return b.app.WaitCommit(ctx, after)
}

// Changed implements sync.Backend.
func (b *syncBackend) Changed(deps sync.Dependencies, ts, through int64) bool {
	d, _ := deps.(*app.Deps)
	return b.app.Changed(d, ts, through)
}

// Watch implements sync.Backend.
func (b *syncBackend) Watch(id uint64, deps sync.Dependencies) {
	if d, ok := deps.(*app.Deps); ok {
		b.app.Watch(id, d)
	}
}

// Unwatch implements sync.Backend.
func (b *syncBackend) Unwatch(id uint64) { b.app.Unwatch(id) }

// Touched implements sync.Backend.
func (b *syncBackend) Touched(after, through int64) ([]uint64, bool) {
	return b.app.Touched(after, through)
}

// Authenticate implements sync.Backend: admin keys are checked (an
// admin may act as a user: the message's impersonating identity); user
// tokens are verified against the deployed auth.config.ts providers. A
// refused token's error is the message Convex sends in AuthError.
func (b *syncBackend) Authenticate(ctx context.Context, req sync.AuthRequest) (sync.Identity, error) {
	switch req.TokenType {
	case "Admin":
		if _, err := b.auth.Check(req.Value); err != nil {
			return sync.Identity{}, fmt.Errorf("AdminKeyInvalid: %s", err.Error())
		}
		id := sync.Identity{Key: "admin", Admin: true, Token: req.Value}
		if len(req.ActingAs) > 0 {
			acting, err := auth.ActingAs(req.ActingAs)
			if err != nil {
				return sync.Identity{}, fmt.Errorf("InvalidImpersonation: %w", err)
			}
			id.Key, id.Principal = "admin "+acting.Key, acting
		}
		return id, nil
	case "User":
		user, err := b.app.VerifyUserToken(ctx, req.Value)
		if err != nil {
			var ae *auth.Error
			if errors.As(err, &ae) {
				return sync.Identity{}, errors.New(ae.Message)
			}
			return sync.Identity{}, err
		}
		return sync.Identity{Key: user.Key, Token: req.Value, Expires: user.Expires, Principal: user}, nil
	}
	return sync.Identity{}, fmt.Errorf("unknown token type %q", req.TokenType)
}

// functionResult renders a call's outcome in the protocol's encoding;
// redact hides the error and the log lines (see showFailure).
func functionResult(res *app.CallResult, redact bool) sync.FunctionResult {
	out := sync.FunctionResult{TS: res.TS, LogLines: shownLogs(res.Logs, redact)}
	if res.Err != nil {
		shown := showFailure(res.Err, res.RequestID, redact)
		out.Error = &shown.Message
		if shown.Data != nil {
			if v, err := value.FromJSON(shown.Data); err == nil {
				out.ErrorData = value.ToJSON(v)
			}
		}
		return out
	}
	out.Value = res.Value
	if len(out.Value) == 0 {
		out.Value = json.RawMessage("null")
	}
	return out
}
