package server

import (
	"io"
	"net/http"
)

// buildHandler assembles the middleware chain around the routes that
// answer without storage, with everything else going through the gate.
func (s *Server) buildHandler() http.Handler {
	base := http.NewServeMux()
	base.HandleFunc("GET /{$}", s.serveRoot)
	base.HandleFunc("GET /healthz", s.serveHealthz)
	base.HandleFunc("GET /readyz", s.serveReadyz)
	base.HandleFunc("GET /version", s.serveText(s.cfg.Version))
	base.HandleFunc("GET /instance_version", s.serveText(s.cfg.Version))
	base.HandleFunc("GET /instance_name", s.serveText(s.cfg.InstanceName))
	base.HandleFunc("POST /echo", serveEcho)
	base.Handle("GET /metrics", s.adminMetrics())
	s.mountDashboard(base)
	base.HandleFunc("/", s.gate)

	var h http.Handler = base
	h = withBodyLimit(s.cfg.MaxBodyBytes, h)
	h = withCORS(h)
	h = withOrigins(s.origins, h)
	h = withSiteHost(s.origins, h)
	h = withCleanPath(h)
	h = withRecover(s.log, h)
	h = withAccessLog(s.log, s.metrics, h)
	h = withRequestID(h)
	h = withVersion(s.cfg.Version, s.log, h)
	return h
}

func (s *Server) serveRoot(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "hull is running: a Convex-compatible backend. Point your Convex clients and CLI at this URL.\n")
}

func (s *Server) serveText(text string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, text)
	}
}

// serveHealthz reports liveness and storage status: 200 once storage is
// ready (and while draining at shutdown), 503 with {status, reason, hint}
// while storage is opening or unreachable.
func (s *Server) serveHealthz(w http.ResponseWriter, _ *http.Request) {
	st := s.Status()
	status := http.StatusOK
	if st.State != StateReady && st.State != StateStopping {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, status, st)
}

// serveReadyz answers 200 only while the server takes traffic: storage is
// open and answers (as the backend last saw it, see Readier) and shutdown
// has not begun.
func (s *Server) serveReadyz(w http.ResponseWriter, _ *http.Request) {
	st := s.readiness()
	status := http.StatusOK
	if st.State != StateReady {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, status, st)
}

// readiness is Status, turned unavailable while a mounted backend says
// storage does not answer.
func (s *Server) readiness() Status {
	s.mu.Lock()
	st, backend := s.status, s.backend
	s.mu.Unlock()
	if st.State != StateReady {
		return st
	}
	if r, ok := backend.(Readier); ok {
		if err := r.Ready(); err != nil {
			return Status{State: StateUnavailable, Reason: err.Error()}
		}
	}
	return st
}

// serveEcho answers with the request body, for network tests.
func serveEcho(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		WriteErr(w, BodyError(err))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	_, _ = w.Write(body)
}

// canonicalURLs is the body of GET /api/v1/get_canonical_urls.
type canonicalURLs struct {
	ConvexCloudURL string `json:"convexCloudUrl"`
	ConvexSiteURL  string `json:"convexSiteUrl"`
}

func (s *Server) serveCanonicalURLs(w http.ResponseWriter, r *http.Request) {
	cloud, site := Origins(r)
	WriteJSON(w, http.StatusOK, canonicalURLs{ConvexCloudURL: cloud, ConvexSiteURL: site})
}
