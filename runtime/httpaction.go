package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// HTTP actions. A KindHTTPAction call runs the default export of http.js
// (the app's router) on one request, as Convex does: the router's lookup
// picks the route (null: 404 "No matching routes found"), and runRequest
// turns the request into a Request (the jsSyscall requestFromConvexJson),
// runs the handler with the action ctx, and hands back the Response
// (convexJsonFromResponse); js/web/httpaction.js holds that glue.
//
// Bodies stream both ways with bounded memory, their bytes crossing as
// ArrayBuffers (__hull_http_take and __hull_http_give). A request body of
// known length up to httpInlineBody bytes is read before the run and
// passed in one piece; any other body is read one chunk per pull of
// request.body ("httpRead"). A response whose body is bytes (a string,
// JSON, a Blob) is handed over with the run's result and written once the
// engine is free; a streamed body goes out chunk by chunk while the
// handler produces it ("httpHead", then "httpWrite" per chunk, each done
// once the responder took the chunk).

// httpInlineBody is the largest request body passed in one piece.
const httpInlineBody = 64 << 10

// HTTPRequest is the request an HTTP action serves.
type HTTPRequest struct {
	Method string
	// URL is the absolute URL the handler sees as request.url.
	URL string
	// Path is the path the router matches: the URL's path below the site
	// origin (e.g. "/profile/abc").
	Path    string
	Headers [][2]string
	// Body is the request body, or nil for none (Convex gives GET, HEAD and
	// OPTIONS requests none). ContentLength is its declared length, -1 when
	// unknown.
	Body          io.Reader
	ContentLength int64
}

// HTTPResponder receives an HTTP action's response while the action
// produces it. Its methods are called one at a time: Route once the router
// matched, Head once before any Write.
type HTTPResponder interface {
	// Route reports the route the router matched: the method and the path
	// as the router renders it ("GET", "/profile/*").
	Route(method, path string)
	// Head sends the status and headers.
	Head(status int, headers [][2]string) error
	// Write sends one chunk of the body and returns once the chunk is on
	// its way; an error (the client went away) ends the body.
	Write(chunk []byte) error
}

// HTTPCall is the exchange of a KindHTTPAction call.
type HTTPCall struct {
	Request   HTTPRequest
	Responder HTTPResponder
}

// IsAction reports whether calls of kind k are actions: they run in the
// action pool with the action time limit, fetch and timers.
func (k Kind) IsAction() bool { return k == KindAction || k == KindHTTPAction }

// httpRequestJSON is the request as JS receives it (the convexJson of
// requestFromConvexJson).
type httpRequestJSON struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	Path        string      `json:"path"`
	HeaderPairs [][2]string `json:"headerPairs"`
	// Inline says the body is passed in one piece (__hull_http_take);
	// Stream that it is read with "httpRead".
	Inline bool `json:"inline,omitempty"`
	Stream bool `json:"stream,omitempty"`
}

// httpResultJSON is what a run hands back: a response whose body (if any)
// was given with __hull_http_give, or word that it went out streamed.
type httpResultJSON struct {
	Streamed bool        `json:"streamed"`
	Status   int         `json:"status"`
	Headers  [][2]string `json:"headers"`
}

// runHTTP runs a KindHTTPAction call: it reads a small body ahead, runs
// the router, and writes a response held in the run's result once the
// engine is released.
func (p *Pool) runHTTP(ctx context.Context, mods Modules, call Call) (Result, error) {
	hc := call.HTTP
	if hc == nil || hc.Responder == nil {
		return Result{}, errors.New("runtime: an HTTP action call needs a request and a responder")
	}
	req := hc.Request
	if req.Headers == nil {
		req.Headers = [][2]string{}
	}
	in := httpRequestJSON{Method: req.Method, URL: req.URL, Path: req.Path, HeaderPairs: req.Headers}
	ex := &httpExchange{call: hc}
	if req.Body != nil {
		if req.ContentLength >= 0 && req.ContentLength <= httpInlineBody {
			b := make([]byte, req.ContentLength)
			if _, err := io.ReadFull(req.Body, b); err != nil {
				return Result{Err: &UserError{Message: "Uncaught TypeError: reading the request body: " + err.Error()}}, nil
			}
			in.Inline, ex.read = true, b
		} else {
			in.Stream = true
			ex.body = req.Body
		}
	}
	args, err := json.Marshal(in)
	if err != nil {
		return Result{}, fmt.Errorf("runtime: encode the HTTP request: %w", err)
	}
	call.Args = args
	if call.Module == "" {
		call.Module = "http.js"
	}
	call.Export = "default"
	res, err := p.run(ctx, mods, call, ex)
	if err != nil || res.Err != nil {
		return res, err
	}
	var out httpResultJSON
	if err := json.Unmarshal(res.Value, &out); err != nil {
		res.Err = &UserError{Message: fmt.Sprintf("runtime: the HTTP action's result is not a response: %v", err)}
		return res, nil
	}
	res.Value = nil
	if out.Streamed {
		return res, nil
	}
	body := ex.write
	// The client going away now leaves nothing to do.
	if hc.Responder.Head(out.Status, out.Headers) == nil && len(body) > 0 {
		_ = hc.Responder.Write(body)
	}
	return res, nil
}

// httpExchange is the HTTP side of one run. read is the chunk of the
// request body JS takes next, write the chunk it gave to send; each passes
// between the engine's goroutine and one operation at a time, ordered by
// the operation's start and completion.
type httpExchange struct {
	call  *HTTPCall
	body  io.Reader // the request body streamed by "httpRead", or nil
	read  []byte
	write []byte
}

// httpOp is the work of the HTTP operations: "httpRead" (the next chunk of
// the request body: {n} with the chunk to take, or {done}), "httpHead"
// ({status, headers}) and "httpWrite" (the chunk given last). It returns
// nil for other ops.
func (a *asyncOps) httpOp(op, data string) func(ctx context.Context) (any, error) {
	ex := a.http
	switch op {
	case "httpRead", "httpHead", "httpWrite":
	default:
		return nil
	}
	if ex == nil {
		return func(context.Context) (any, error) {
			return nil, fmt.Errorf("%s is only available in HTTP actions", op)
		}
	}
	switch op {
	case "httpRead":
		return func(context.Context) (any, error) { return ex.readBody() }
	case "httpHead":
		return func(context.Context) (any, error) {
			var h struct {
				Status  int         `json:"status"`
				Headers [][2]string `json:"headers"`
			}
			if err := json.Unmarshal([]byte(data), &h); err != nil {
				return nil, fmt.Errorf("bad response head: %w", err)
			}
			return nil, ex.call.Responder.Head(h.Status, h.Headers)
		}
	default:
		chunk := ex.write
		ex.write = nil
		return func(context.Context) (any, error) {
			if err := ex.call.Responder.Write(chunk); err != nil {
				return nil, fmt.Errorf("the response body was not sent: %w", err)
			}
			return nil, nil
		}
	}
}

// readBody reads the next part of the request body into ex.read.
func (ex *httpExchange) readBody() (any, error) {
	if ex.body == nil {
		return map[string]any{"done": true}, nil
	}
	buf := make([]byte, fetchChunk)
	n, err := io.ReadAtLeast(ex.body, buf, 1)
	switch {
	case n > 0:
		ex.read = buf[:n]
		return map[string]any{"n": n}, nil
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		ex.body = nil
		return map[string]any{"done": true}, nil
	default:
		ex.body = nil
		return nil, fmt.Errorf("reading the request body: %w", err)
	}
}

// httpRoute is __hull_http_route(method, path): the router matched.
func (r *vmRun) httpRoute(args []any) (any, error) {
	if r.http == nil || len(args) != 2 {
		return nil, nil
	}
	method, _ := args[0].(string)
	path, _ := args[1].(string)
	r.http.Responder.Route(method, path)
	return nil, nil
}

// httpTake is __hull_http_take(): the request body's chunk read last (an
// ArrayBuffer), or null.
func (r *vmRun) httpTake([]any) (any, error) {
	if r.async == nil || r.async.http == nil || r.async.http.read == nil {
		return nil, nil
	}
	b := r.async.http.read
	r.async.http.read = nil
	return b, nil
}

// httpGive is __hull_http_give(bytes): the next chunk of the response.
func (r *vmRun) httpGive(args []any) (any, error) {
	if r.async == nil || r.async.http == nil || len(args) != 1 {
		return nil, errors.New("__hull_http_give takes the bytes of an HTTP action's response")
	}
	b, ok := args[0].([]byte)
	if !ok {
		return nil, errors.New("__hull_http_give takes an ArrayBuffer or a typed array")
	}
	r.async.http.write = b
	return nil, nil
}
