package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"hull/persistence"
)

// probedApp is a Backend whose storage state a test sets.
type probedApp struct {
	down atomic.Pointer[error]
}

func (a *probedApp) Routes(r *Routes) {
	r.HandleFunc("GET /api/fails", func(w http.ResponseWriter, _ *http.Request) {
		WriteErr(w, fmt.Errorf("database: get: %w", persistence.Unavailable(errors.New("failed to connect to `user=hull database=prod`: 10.0.0.7:5432"))))
	})
}

func (a *probedApp) Ready() error {
	if p := a.down.Load(); p != nil {
		return *p
	}
	return nil
}

func TestReadyzFollowsStorageWhileHealthzStaysLive(t *testing.T) {
	app := &probedApp{}
	r := start(t, Config{}, readyWith(app))
	waitReady(t, r)
	steps := []struct {
		name       string
		down       error
		wantReady  int
		wantHealth int
	}{
		{"storage answers: ready and live", nil, 200, 200},
		{"storage does not answer: not ready, still live", errors.New("storage does not answer"), 503, 200},
		{"storage answers again: ready", nil, 200, 200},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.down != nil {
				app.down.Store(&st.down)
			} else {
				app.down.Store(nil)
			}
			ready := do(t, "GET", r.url+"/readyz", "", nil)
			if ready.status != st.wantReady {
				t.Fatalf("/readyz = %d %s, want %d", ready.status, ready.body, st.wantReady)
			}
			if st.down != nil && !strings.Contains(ready.body, st.down.Error()) {
				t.Fatalf("/readyz body %s does not give the reason", ready.body)
			}
			if h := do(t, "GET", r.url+"/healthz", "", nil); h.status != st.wantHealth {
				t.Fatalf("/healthz = %d %s, want %d", h.status, h.body, st.wantHealth)
			}
		})
	}
}

func TestAnUnavailableStorageErrorAnswers503WithoutDetails(t *testing.T) {
	r := start(t, Config{}, readyWith(&probedApp{}))
	waitReady(t, r)
	got := do(t, "GET", r.url+"/api/fails", "", nil)
	if got.status != http.StatusServiceUnavailable || got.header.Get("Retry-After") == "" {
		t.Fatalf("got %d (Retry-After %q) %s, want 503 with Retry-After", got.status, got.header.Get("Retry-After"), got.body)
	}
	if m := got.json(t); m["code"] != CodeStorageUnavailable {
		t.Fatalf("code = %v, want %s", m["code"], CodeStorageUnavailable)
	}
	for _, leak := range []string{"10.0.0.7", "user=", "database=", "connect"} {
		if strings.Contains(got.body, leak) {
			t.Fatalf("the answer %s shows %q", got.body, leak)
		}
	}
}

func waitReady(t *testing.T, r *running) {
	t.Helper()
	<-r.srv.ready
}
