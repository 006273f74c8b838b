package app

import (
	"context"
	"encoding/json"
	"fmt"
	"hull/auth"
	"io"
	"strings"
	"sync"
	"time"

	"hull/runtime"
)

// HTTP actions: a request to the site origin runs the router http.js
// exports (runtime.KindHTTPAction), with the action ctx served by the same
// host as actions. The router picks the route; the app answers what
// Convex answers around it: 404 when the deployment has no http.js or the
// path is reserved, and a 500 with Convex's JSON body when the handler
// fails before its response started.

// HTTPActionBodyLimit caps the request and the response body of an HTTP
// action, as Convex does (20 MiB).
const HTTPActionBodyLimit = 20 << 20

// Answers Convex gives around the router.
const (
	noRouteText    = "No matching routes found"
	noHTTPActions  = "This Convex deployment does not have HTTP actions enabled."
	tooLargeFormat = "HttpResponseTooLarge: HTTP actions support responses up to %d MiB"
)

// HTTPRequest is one request to the deployment's HTTP router.
type HTTPRequest struct {
	Method string
	// URL is the absolute URL the handler sees as request.url.
	URL string
	// Path is the path the router matches (the URL's path below the site
	// origin, percent-encoded as sent).
	Path    string
	Headers [][2]string
	// Body is the request body, nil for none; ContentLength is its declared
	// length, -1 when unknown. The caller caps it at HTTPActionBodyLimit.
	Body          io.Reader
	ContentLength int64
	RequestID     string
	// Admin, Identity and IdentityError say who sent the request (see
	// CallRequest): the action's ctx.auth and the calls it makes use them.
	Admin         bool
	Identity      *auth.Identity
	IdentityError error
}

// HTTPResponseWriter receives an HTTP action's response as it is
// produced: Head once, then the body's chunks. Write returns once the
// chunk is on its way to the client.
type HTTPResponseWriter interface {
	Head(status int, headers [][2]string) error
	Write(chunk []byte) error
}

// ServeHTTPAction runs the HTTP router on req, writing the response to w.
// The error return is for system failures (nothing reached w when Started
// reports false); handler failures are answered and logged here.
func (a *App) ServeHTTPAction(ctx context.Context, req HTTPRequest, w HTTPResponseWriter) error {
	start := time.Now()
	if req.RequestID == "" {
		req.RequestID = newRequestID()
	}
	resp := &httpResponse{w: w, limit: HTTPActionBodyLimit}
	e := Execution{UDFType: udfType(runtime.KindHTTPAction), Started: start, RequestID: req.RequestID, ExecutionID: newRequestID()}
	res, err := a.runHTTPAction(ctx, req, resp)
	e.Identifier = resp.identifier(req)
	e.ComponentPath = resp.component
	e.Duration = time.Since(start)
	if err != nil {
		e.Error = "InternalServerError: " + err.Error()
		a.addExecution(e)
		a.log.Error("HTTP action failed", "request_id", req.RequestID, "route", e.Identifier, "err", err)
		return err
	}
	e.Logs = toLogLines(res.Logs)
	if line, ok := resp.overLimit(); ok {
		e.Logs = append(e.Logs, line)
	}
	if res.Err != nil {
		e.Error = res.Err.Message
		if !resp.started() {
			resp.serverError(req.RequestID, res.Err)
		}
	}
	a.addExecution(e)
	return nil
}

// runHTTPAction answers the reserved paths and deployments without
// http.js itself and runs the router otherwise.
func (a *App) runHTTPAction(ctx context.Context, req HTTPRequest, resp *httpResponse) (runtime.Result, error) {
	if req.Path == "/.files" || strings.HasPrefix(req.Path, "/.files/") {
		// Reserved: the router refuses routes there.
		resp.text(404, noRouteText)
		return runtime.Result{}, nil
	}
	v, err := a.ActiveVersion(ctx)
	if err != nil {
		return runtime.Result{}, err
	}
	if v == nil {
		resp.text(404, noHTTPActions)
		return runtime.Result{}, nil
	}
	comp, routed, ok := routeHTTP(v, req.Method, req.Path)
	if !ok {
		resp.text(404, noHTTPActions)
		return runtime.Result{}, nil
	}
	mods, err := a.modulesFor(ctx, v, comp)
	if err != nil {
		return runtime.Result{}, err
	}
	env, envKey := a.callEnvFor(v, comp)
	// The action host: ctx.runQuery/runMutation/runAction and whatever else
	// actions reach are served exactly as for actions. A component's
	// routes run with no user identity, as its other functions do.
	creq := CallRequest{Component: comp, RequestID: req.RequestID, Admin: req.Admin, version: v}
	if comp == "" {
		creq.Identity, creq.IdentityError = req.Identity, req.IdentityError
	}
	resp.component = comp
	h := a.actionHost(creq, 0)
	res, err := a.pool.Run(ctx, mods, runtime.Call{
		Kind: runtime.KindHTTPAction, Module: "http.js", Env: env, EnvKey: envKey, Now: time.Now(), Host: h,
		RequestID: req.RequestID,
		HTTP: &runtime.HTTPCall{Responder: resp, Request: runtime.HTTPRequest{
			Method: req.Method, URL: req.URL, Path: routed, Headers: req.Headers, Body: req.Body, ContentLength: req.ContentLength,
		}},
	})
	if err != nil {
		return runtime.Result{}, fmt.Errorf("run the HTTP action %s %s: %w", req.Method, req.Path, err)
	}
	return res, nil
}

// httpResponse is the runtime's responder for one request: it remembers
// the route and whether the response started, and holds the body to
// HTTPActionBodyLimit as Convex does (what goes over is dropped and an
// error line logged).
type httpResponse struct {
	w     HTTPResponseWriter
	limit int64
	// component is the instance whose router serves the request.
	component string

	mu       sync.Mutex
	route    string
	head     bool
	sent     int64
	tooLarge bool
}

func (r *httpResponse) Route(method, path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.route = method + " " + path
}

func (r *httpResponse) Head(status int, headers [][2]string) error {
	r.mu.Lock()
	r.head = true
	r.mu.Unlock()
	return r.w.Head(status, headers)
}

func (r *httpResponse) Write(chunk []byte) error {
	r.mu.Lock()
	if r.tooLarge || r.sent+int64(len(chunk)) > r.limit {
		r.tooLarge = true
		r.mu.Unlock()
		return nil
	}
	r.sent += int64(len(chunk))
	r.mu.Unlock()
	return r.w.Write(chunk)
}

func (r *httpResponse) started() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.head
}

// identifier names the execution in the log stream as Convex does: the
// matched route ("GET /profile/*"), else the method and the request path.
func (r *httpResponse) identifier(req HTTPRequest) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.route != "" {
		return r.route
	}
	method := req.Method
	if method == "HEAD" {
		method = "GET"
	}
	return method + " " + req.Path
}

// overLimit returns the error line of a response that went over the limit.
func (r *httpResponse) overLimit() (LogLine, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.tooLarge {
		return LogLine{}, false
	}
	return LogLine{Level: "ERROR", Message: fmt.Sprintf(tooLargeFormat, r.limit>>20), Timestamp: time.Now()}, true
}

// text answers status with a plain-text body.
func (r *httpResponse) text(status int, body string) {
	r.respond(status, "text/plain; charset=utf-8", []byte(body))
}

func (r *httpResponse) respond(status int, contentType string, body []byte) {
	headers := [][2]string{{"content-type", contentType}, {"content-length", fmt.Sprint(len(body))}}
	if r.Head(status, headers) == nil {
		_ = r.Write(body)
	}
}

// serverError answers a handler failure as Convex does: 500 with
// {"code": "[Request ID: <id>] Server Error: <message>", "trace": <message
// and stack>, "data": <ConvexError data>}.
func (r *httpResponse) serverError(requestID string, e *runtime.UserError) {
	message, _, _ := strings.Cut(e.Message, "\n    at ")
	body := map[string]any{
		"code":  fmt.Sprintf("[Request ID: %s] Server Error: %s", requestID, message),
		"trace": e.Message,
	}
	if e.Data != nil {
		body["data"] = json.RawMessage(e.Data)
	}
	b, err := json.Marshal(body)
	if err != nil {
		b = []byte(`{"code":"Server Error"}`)
	}
	r.respond(500, "application/json", b)
}
