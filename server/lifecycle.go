package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Storage states reported by Status and /healthz.
const (
	StateStarting    = "starting"    // the first attempt to open storage is running
	StateUnavailable = "unavailable" // an attempt failed; retrying with backoff
	StateReady       = "ready"
	StateFailed      = "failed" // the application could not be mounted; no retry
	StateStopping    = "stopping"
)

// Status is the storage status, as /healthz reports it.
type Status struct {
	State    string `json:"status"`
	Reason   string `json:"reason,omitempty"`
	Hint     string `json:"hint,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
}

// Status returns the current storage status.
func (s *Server) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// hintOf returns the operator hint an error carries, if any.
func hintOf(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// openLoop calls open until it succeeds or ctx ends, backing off
// exponentially between failures.
func (s *Server) openLoop(ctx context.Context, open Opener) {
	delay := s.cfg.RetryMin
	for attempt := 1; ; attempt++ {
		backend, err := open(ctx)
		if err == nil {
			s.mount(backend)
			return
		}
		if ctx.Err() != nil {
			return
		}
		hint := hintOf(err)
		s.mu.Lock()
		s.status = Status{State: StateUnavailable, Reason: err.Error(), Hint: hint, Attempts: attempt}
		s.mu.Unlock()
		s.log.Warn("storage unavailable; retrying", "attempt", attempt, "err", err, "hint", hint, "retry_in", delay.String())
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(delay*2, s.cfg.RetryMax)
	}
}

// mount registers the backend's routes and opens the gate.
func (s *Server) mount(backend Backend) {
	s.mu.Lock()
	s.backend = backend
	s.mu.Unlock()
	h, err := s.buildApp(backend)
	if err != nil {
		s.log.Error("mounting the application failed", "err", err)
		s.mu.Lock()
		s.status = Status{State: StateFailed, Reason: err.Error()}
		s.mu.Unlock()
		close(s.failed)
		return
	}
	s.app.Store(&h)
	s.mu.Lock()
	if s.status.State != StateStopping {
		s.status = Status{State: StateReady}
	}
	s.mu.Unlock()
	close(s.ready)
	s.log.Info("storage ready; serving the API")
}

func (s *Server) buildApp(backend Backend) (h http.Handler, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("register routes: %v", v)
		}
	}()
	r := newRoutes(s.auth, s.log, s.cfg.RedactErrors)
	r.onDrain = s.OnDrain
	r.maxSyncSessions = s.cfg.MaxSyncSessions
	r.metrics = s.metrics
	r.info = DeploymentInfo{InstanceName: s.cfg.InstanceName, Version: s.cfg.Version, Backends: s.cfg.Backends, Started: s.started, Status: s.Status}
	backend.Routes(r)
	return r.finish(http.HandlerFunc(s.serveCanonicalURLs)), nil
}

// gate serves the application, holding requests that arrive before it is
// mounted for up to ReadyWait.
func (s *Server) gate(w http.ResponseWriter, r *http.Request) {
	if h := s.app.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	t := time.NewTimer(s.cfg.ReadyWait)
	defer t.Stop()
	select {
	case <-s.ready:
		(*s.app.Load()).ServeHTTP(w, r)
	case <-s.failed:
		WriteError(w, http.StatusServiceUnavailable, CodeStorageUnavailable, "the application failed to start: "+s.Status().Reason)
	case <-s.stopping:
		WriteError(w, http.StatusServiceUnavailable, CodeServiceShuttingDown, "the server is shutting down")
	case <-r.Context().Done():
		// The client left; nothing to answer.
	case <-t.C:
		st := s.Status()
		msg := fmt.Sprintf("storage is not ready after %s (%s): %s", s.cfg.ReadyWait, st.State, st.Reason)
		if st.Hint != "" {
			msg += ". Hint: " + st.Hint
		}
		w.Header().Set("Retry-After", "1")
		WriteError(w, http.StatusServiceUnavailable, CodeStorageUnavailable, msg)
	}
}
