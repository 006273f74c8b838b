package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hull/app"
)

// HTTP actions are served under /http/ on the main port, at the root of
// the site origin's host when CONVEX_SITE_ORIGIN names a host of its own
// (see withSiteHost), and at the root of the site listener (ServeSite).
// The latter two reach the handler as /http/... too. Bodies stream both
// ways: the request body is read as the handler reads it, and each chunk
// of the response is flushed as the handler produces it. CORS is whatever
// the handlers set: the API's CORS middleware leaves /http alone, and an
// OPTIONS request is routed like any other method.

// HTTPActionServer runs HTTP actions; *app.App is one.
type HTTPActionServer interface {
	ServeHTTPAction(ctx context.Context, req app.HTTPRequest, w app.HTTPResponseWriter) error
}

// routableMethods are the methods the router can route (HEAD runs GET
// routes), as Convex serves them.
const routableMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"

// MountHTTPActions serves h's HTTP actions under /http.
func MountHTTPActions(r *Routes, h HTTPActionServer) {
	hh := &httpActionHandler{run: h}
	if a, ok := h.(*app.App); ok {
		keys := r.Auth()
		hh.identify = func(req *http.Request) Caller { return HTTPActionCaller(req, a, keys) }
	}
	r.Handle("/http/", hh)
	r.Handle("/http", hh)
}

type httpActionHandler struct {
	run HTTPActionServer
	// identify says who the request comes from (an admin key or a user's
	// bearer token); nil runs every request anonymously.
	identify func(*http.Request) Caller
}

func (h *httpActionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		w.Header().Set("Allow", routableMethods)
		WriteError(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, r.Method+" is not a method HTTP actions can route")
		return
	}
	req := app.HTTPRequest{Method: r.Method, Headers: requestHeaders(r), RequestID: RequestID(r.Context())}
	if h.identify != nil {
		c := h.identify(r)
		req.Admin, req.Identity, req.IdentityError = c.Admin, c.User, c.Refused
	}
	req.Path = strings.TrimPrefix(r.URL.EscapedPath(), "/http")
	if req.Path == "" {
		req.Path = "/"
	}
	oc, _ := r.Context().Value(originsKey).(*originConfig)
	if oc == nil {
		oc = &originConfig{}
	}
	req.URL = requestOrigin(r, oc.trusted) + req.Path
	if r.URL.RawQuery != "" {
		req.URL += "?" + r.URL.RawQuery
	}
	var body *actionBody
	// GET, HEAD and OPTIONS requests have no body, as in Convex.
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
		if r.ContentLength > app.HTTPActionBodyLimit {
			WriteError(w, http.StatusRequestEntityTooLarge, CodePayloadTooLarge, "HTTP action requests carry at most 20 MiB")
			return
		}
		body = &actionBody{r: &limitedBody{r: http.MaxBytesReader(w, r.Body, app.HTTPActionBodyLimit)}}
		req.Body, req.ContentLength = body, r.ContentLength
	}
	aw := &actionWriter{w: w, rc: http.NewResponseController(w), noBody: r.Method == http.MethodHead}
	if body != nil {
		// A handler may answer while the body is still coming (an echo).
		_ = aw.rc.EnableFullDuplex()
	}
	err := h.run.ServeHTTPAction(r.Context(), req, aw)
	// Operations the run left behind may still be reading or writing:
	// stop them before the handler returns.
	body.finish(aw.rc)
	aw.finish()
	if err != nil && !aw.started.Load() && r.Context().Err() == nil {
		WriteErr(w, err)
	}
}

// requestHeaders lists r's headers for the handler: Host first, then the
// rest by name.
func requestHeaders(r *http.Request) [][2]string {
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([][2]string, 0, len(names)+1)
	if r.Host != "" {
		out = append(out, [2]string{"host", r.Host})
	}
	for _, k := range names {
		for _, v := range r.Header[k] {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// errRequestOver is what operations of a run that ended get.
var errRequestOver = errors.New("the HTTP request is over")

// limitedBody names the body limit in its error.
type limitedBody struct{ r io.Reader }

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = errors.New("the request body is larger than HTTP actions accept (20 MiB)")
	}
	return n, err
}

// actionBody is the request body as the run reads it; finish ends reads
// still in flight.
type actionBody struct {
	r       io.Reader
	mu      sync.Mutex // held while reading
	reading atomic.Bool
	over    atomic.Bool
}

func (b *actionBody) Read(p []byte) (int, error) {
	b.reading.Store(true)
	defer b.reading.Store(false)
	if b.over.Load() {
		return 0, errRequestOver
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.r.Read(p)
}

// finish refuses later reads and waits out one in flight, cut short by a
// read deadline. (A read either sees over or is seen reading.)
func (b *actionBody) finish(rc *http.ResponseController) {
	if b == nil {
		return
	}
	b.over.Store(true)
	if b.reading.Load() {
		_ = rc.SetReadDeadline(time.Now())
	}
	b.mu.Lock()
	// (empty: waits for the reader)
	b.mu.Unlock()
}

// actionWriter writes an HTTP action's response to the client: headers
// as the handler set them, each body chunk flushed as it comes.
type actionWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	noBody  bool // a HEAD request: the body is not sent
	started atomic.Bool
	writing atomic.Bool
	over    atomic.Bool
	mu      sync.Mutex // held while writing
}

// hopByHop are headers a handler cannot set: the server frames the
// response itself.
var hopByHop = map[string]bool{"connection": true, "keep-alive": true, "transfer-encoding": true, "upgrade": true}

func (a *actionWriter) Head(status int, headers [][2]string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.over.Load() {
		return errRequestOver
	}
	if a.started.Load() {
		return errors.New("the response has already started")
	}
	if status < 100 || status > 999 {
		return errors.New("the response status is out of range")
	}
	h := a.w.Header()
	for _, kv := range headers {
		if !hopByHop[strings.ToLower(kv[0])] {
			h.Add(kv[0], kv[1])
		}
	}
	a.started.Store(true)
	a.w.WriteHeader(status)
	return nil
}

func (a *actionWriter) Write(chunk []byte) error {
	a.writing.Store(true)
	defer a.writing.Store(false)
	if a.over.Load() {
		return errRequestOver
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.noBody {
		return nil
	}
	if _, err := a.w.Write(chunk); err != nil {
		return err
	}
	return a.rc.Flush()
}

// finish refuses later writes and waits out one in flight, cut short by a
// write deadline.
func (a *actionWriter) finish() {
	a.over.Store(true)
	if a.writing.Load() {
		_ = a.rc.SetWriteDeadline(time.Now())
	}
	a.mu.Lock()
	// (empty: waits for the writer)
	a.mu.Unlock()
}
