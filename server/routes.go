package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Routes is where the application plugs in its handlers once storage is
// open. It wraps an http.ServeMux (Go 1.22 patterns such as
// "POST /api/query" or "GET /api/export/zip/{ts}") and remembers which
// paths were taken, so that CLI endpoints the application does not serve
// answer 501 rather than 404 (a 404 makes the CLI retry for half a minute).
//
// The WebSocket sync endpoint "/api/{version}/sync" overlaps with
// "/api/storage/{id}" in ServeMux patterns; register it with Sync, which
// dispatches it before the mux.
type Routes struct {
	mux     *http.ServeMux
	paths   map[string]bool
	sync    http.Handler
	auth    *Auth
	log     *slog.Logger
	redact  bool
	onDrain func(name string, fn func(ctx context.Context) error)
	// maxSyncSessions is Config.MaxSyncSessions, for the sync hub.
	maxSyncSessions int
	info            DeploymentInfo
	// metrics is the server's registry (nil in tests that build Routes
	// by hand).
	metrics *Metrics
}

// DeploymentInfo is what dashboards show of the running server.
type DeploymentInfo struct {
	InstanceName string
	Version      string
	Backends     map[string]string
	Started      time.Time
	Status       func() Status
}

// Info returns what dashboards show of the running server.
func (r *Routes) Info() DeploymentInfo { return r.info }

func newRoutes(auth *Auth, log *slog.Logger, redact bool) *Routes {
	if log == nil {
		log = slog.Default()
	}
	return &Routes{mux: http.NewServeMux(), paths: map[string]bool{}, auth: auth, log: log, redact: redact}
}

// Logger returns the server's logger.
func (r *Routes) Logger() *slog.Logger { return r.log }

// RedactErrors reports whether callers without an admin key see function
// errors redacted (Config.RedactErrors).
func (r *Routes) RedactErrors() bool { return r.redact }

// OnDrain registers fn to run when shutdown begins (see Server.OnDrain).
func (r *Routes) OnDrain(name string, fn func(ctx context.Context) error) {
	if r.onDrain != nil {
		r.onDrain(name, fn)
	}
}

// Handle registers h for pattern. Like http.ServeMux.Handle it panics on a
// conflicting pattern.
func (r *Routes) Handle(pattern string, h http.Handler) {
	r.mux.Handle(pattern, h)
	r.paths[patternPath(pattern)] = true
}

// HandleFunc registers f for pattern.
func (r *Routes) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	r.Handle(pattern, http.HandlerFunc(f))
}

// Sync registers the WebSocket sync handler, reached at
// GET /api/<client version>/sync.
func (r *Routes) Sync(h http.Handler) { r.sync = h }

// Auth returns the admin-key checker of this instance.
func (r *Routes) Auth() *Auth { return r.auth }

// Has reports whether a handler was registered for the pattern's path
// (any method; wildcard names do not matter).
func (r *Routes) Has(pattern string) bool { return r.paths[patternPath(pattern)] }

// patternPath strips the method and host of a ServeMux pattern and blanks
// wildcard names, so "GET /api/storage/{storageId}" and
// "/api/storage/{id}" compare equal.
func patternPath(pattern string) string {
	if i := strings.IndexAny(pattern, " \t"); i >= 0 {
		pattern = strings.TrimSpace(pattern[i:])
	}
	if i := strings.IndexByte(pattern, '/'); i > 0 {
		pattern = pattern[i:]
	}
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if strings.HasSuffix(s, "...}") {
				segs[i] = "{...}"
			} else if s != "{$}" {
				segs[i] = "{}"
			}
		}
	}
	return strings.Join(segs, "/")
}

// pendingEndpoints are the CLI and client endpoints hull will serve; until
// the application registers one, it answers 501. evaluate_schema is left
// out on purpose: the CLI treats its 404 as "not supported" and moves on.
func pendingEndpoints() []string {
	return []string{
		"/api/get_config_hashes",
		"/api/deploy2/evaluate_push",
		"/api/deploy2/start_push",
		"/api/deploy2/wait_for_schema",
		"/api/deploy2/finish_push",
		"/api/deploy2/report_push_completed",
		"/api/push_config",
		"/api/function",
		"/api/query",
		"/api/query_batch",
		"/api/query_ts",
		"/api/mutation",
		"/api/action",
		"/api/run_test_function",
		"/api/update_environment_variables",
		"/api/v1/update_canonical_url",
		"/api/stream_function_logs",
		"/api/import",
		"/api/import/start_upload",
		"/api/import/upload_part",
		"/api/import/finish_upload",
		"/api/perform_import",
		"/api/cancel_import",
		"/api/export/request/zip",
		"/api/export/zip/{ts}",
		"/api/storage/upload",
		"/api/storage/{id}",
		"/api/shapes2",
	}
}

// finish adds the defaults the application did not override — the
// canonical URLs route and 501 answers for pending endpoints — and
// returns the final handler, JSON errors for unmatched paths included.
func (r *Routes) finish(canonical http.Handler) http.Handler {
	if !r.Has("/api/v1/get_canonical_urls") {
		r.Handle("GET /api/v1/get_canonical_urls", r.auth.Require(canonical))
	}
	for _, p := range pendingEndpoints() {
		if !r.Has(p) {
			r.handleUnlessConflict(p, notImplemented(p))
		}
	}
	return &routed{mux: r.mux, sync: r.sync}
}

// handleUnlessConflict registers a default; a default that conflicts with
// an application pattern is dropped (the application covers that path).
// ServeMux checks conflicts before changing anything, so a refused
// registration leaves it intact.
func (r *Routes) handleUnlessConflict(pattern string, h http.Handler) {
	defer func() { _ = recover() }()
	r.mux.Handle(pattern, h)
}

func notImplemented(path string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		WriteError(w, http.StatusNotImplemented, CodeNotImplemented, path+" is not implemented by this hull server yet")
	})
}

// routed dispatches sync sockets, then the mux; the mux's own 404 and 405
// answers are replaced by JSON errors.
type routed struct {
	mux  *http.ServeMux
	sync http.Handler
}

func (rt *routed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isSyncPath(r.URL.Path) {
		if rt.sync == nil {
			WriteError(w, http.StatusNotImplemented, CodeNotImplemented, "the sync WebSocket is not implemented by this hull server yet")
			return
		}
		rt.sync.ServeHTTP(w, r)
		return
	}
	h, pattern := rt.mux.Handler(r)
	if pattern != "" {
		rt.mux.ServeHTTP(w, r) // sets the request's path values
		return
	}
	rec := &headerRecorder{header: w.Header()}
	h.ServeHTTP(rec, r)
	switch {
	case rec.status >= 300 && rec.status < 400:
		w.WriteHeader(rec.status) // a redirect; Location is already set
	case rec.status == http.StatusMethodNotAllowed:
		WriteError(w, rec.status, CodeMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path)
	default:
		WriteError(w, http.StatusNotFound, CodeNotFound, "no route for "+r.Method+" "+r.URL.Path)
	}
}

// isSyncPath matches /api/<version>/sync where the version starts with a
// digit (clients put their npm version there).
func isSyncPath(p string) bool {
	rest, ok := strings.CutPrefix(p, "/api/")
	if !ok {
		return false
	}
	version, tail, ok := strings.Cut(rest, "/")
	return ok && tail == "sync" && version != "" && version[0] >= '0' && version[0] <= '9'
}

// headerRecorder captures the status the mux's fallback handler chose
// while sharing the real header map (for Allow and Location).
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }
func (h *headerRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}
func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(b), nil
}
