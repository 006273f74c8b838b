package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hull/adminkey"
)

const testSecret = "4361726e697461732c206c69746572616c6c79206d65616e696e6720226c6974"

// appFunc adapts a function to Backend.
type appFunc func(r *Routes)

func (f appFunc) Routes(r *Routes) { f(r) }

// running is a Server serving on a loopback port.
type running struct {
	srv  *Server
	url  string
	stop context.CancelFunc
	done chan error
}

func start(t *testing.T, cfg Config, open Opener) *running {
	t.Helper()
	if cfg.InstanceName == "" {
		cfg.InstanceName = "test-instance"
	}
	if cfg.InstanceSecret == "" {
		cfg.InstanceSecret = testSecret
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{srv: srv, url: "http://" + ln.Addr().String(), stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- srv.Serve(ctx, ln, open) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

func readyWith(b Backend) Opener {
	return func(context.Context) (Backend, error) { return b, nil }
}

// blockedUntil returns an opener that waits for release.
func blockedUntil(release <-chan struct{}, b Backend) Opener {
	return func(ctx context.Context) (Backend, error) {
		select {
		case <-release:
			return b, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.body, err)
	}
	return m
}

func do(t *testing.T, method, url string, body string, header map[string]string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func TestStatusRoutesAnswerBeforeStorageIsReady(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	r := start(t, Config{Version: "1.2.3"}, blockedUntil(release, appFunc(func(*Routes) {})))
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"healthz says storage is starting", "GET", "/healthz", "", 503, `"status":"starting"`},
		{"readyz is not ready", "GET", "/readyz", "", 503, `"status":"starting"`},
		{"version is plain text", "GET", "/version", "", 200, "1.2.3"},
		{"instance_version is plain text", "GET", "/instance_version", "", 200, "1.2.3"},
		{"instance_name names the instance", "GET", "/instance_name", "", 200, "test-instance"},
		{"echo returns the body", "POST", "/echo", "ping-123", 200, "ping-123"},
		{"the root says hull is running", "GET", "/", "", 200, "hull is running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, tt.method, r.url+tt.path, tt.body, nil)
			if got.status != tt.status || !strings.Contains(got.body, tt.want) {
				t.Fatalf("%s %s = %d %q, want %d containing %q", tt.method, tt.path, got.status, got.body, tt.status, tt.want)
			}
		})
	}
}

func TestRequestsBeforeStorageIsReadyAreHeldThenServed(t *testing.T) {
	release := make(chan struct{})
	app := appFunc(func(r *Routes) {
		r.HandleFunc("POST /api/query", func(w http.ResponseWriter, _ *http.Request) {
			WriteJSON(w, 200, map[string]string{"status": "success"})
		})
	})
	r := start(t, Config{}, blockedUntil(release, app))
	got := make(chan reply, 1)
	go func() { got <- do(t, "POST", r.url+"/api/query", "{}", nil) }()
	// The held request is not answered while storage is not ready.
	for r.srv.Status().State != StateStarting {
		time.Sleep(time.Millisecond)
	}
	select {
	case g := <-got:
		t.Fatalf("answered before storage was ready: %d %s", g.status, g.body)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	g := <-got
	if g.status != 200 || !strings.Contains(g.body, "success") {
		t.Fatalf("held request got %d %q", g.status, g.body)
	}
	if h := do(t, "GET", r.url+"/healthz", "", nil); h.status != 200 || h.json(t)["status"] != "ready" {
		t.Fatalf("healthz after ready = %d %s", h.status, h.body)
	}
}

func TestHeldRequestsGetA503AfterTheReadyWait(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	r := start(t, Config{ReadyWait: 50 * time.Millisecond}, blockedUntil(release, appFunc(func(*Routes) {})))
	got := do(t, "POST", r.url+"/api/query", "{}", nil)
	if got.status != 503 || got.json(t)["code"] != CodeStorageUnavailable {
		t.Fatalf("got %d %s", got.status, got.body)
	}
}

type hintedError struct{}

func (hintedError) Error() string { return "connect to database: connection refused" }
func (hintedError) Hint() string  { return "is PostgreSQL running on the POSTGRES_URL host?" }

func TestStorageFailuresAreRetriedAndReportedWithTheirHint(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	release := make(chan struct{})
	open := func(ctx context.Context) (Backend, error) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			return nil, hintedError{}
		}
		return blockedUntil(release, appFunc(func(*Routes) {}))(ctx)
	}
	r := start(t, Config{RetryMin: time.Millisecond}, open)
	var h reply
	for {
		h = do(t, "GET", r.url+"/healthz", "", nil)
		if h.json(t)["status"] == StateUnavailable {
			break
		}
		time.Sleep(time.Millisecond)
	}
	body := h.json(t)
	if h.status != 503 || body["hint"] != (hintedError{}).Hint() || !strings.Contains(body["reason"].(string), "connection refused") {
		t.Fatalf("healthz = %d %s", h.status, h.body)
	}
	close(release)
	for r.srv.Status().State != StateReady {
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls < 2 {
		t.Fatalf("opener called %d times", calls)
	}
}

func TestShutdownDrainsRequestsAndRunsHooksInOrder(t *testing.T) {
	var mu sync.Mutex
	var order []string
	note := func(s string) {
		mu.Lock()
		order = append(order, s)
		mu.Unlock()
	}
	inHandler := make(chan struct{})
	finish := make(chan struct{})
	app := &shutdownApp{note: note, routes: func(r *Routes) {
		r.HandleFunc("POST /api/action", func(w http.ResponseWriter, _ *http.Request) {
			close(inHandler)
			<-finish
			note("request finished")
			WriteJSON(w, 200, "done")
		})
	}}
	r := start(t, Config{}, readyWith(app))
	r.srv.OnDrain("sockets", func(context.Context) error { note("drain"); close(finish); return nil })
	r.srv.OnShutdown("first", func(context.Context) error { note("first"); return nil })
	r.srv.OnShutdown("second", func(context.Context) error { note("second"); return errors.New("ignored") })
	got := make(chan reply, 1)
	go func() { got <- do(t, "POST", r.url+"/api/action", "{}", nil) }()
	<-inHandler
	r.stop()
	if err := <-r.done; err != nil {
		t.Fatalf("Serve returned %v", err)
	}
	r.done <- nil // for the cleanup
	if g := <-got; g.status != 200 {
		t.Fatalf("in-flight request got %d %s", g.status, g.body)
	}
	want := "drain,request finished,backend,second,first"
	if got := strings.Join(order, ","); got != want {
		t.Fatalf("order = %s, want %s", got, want)
	}
}

type shutdownApp struct {
	note   func(string)
	routes func(*Routes)
}

func (a *shutdownApp) Routes(r *Routes)                   { a.routes(r) }
func (a *shutdownApp) Shutdown(ctx context.Context) error { a.note("backend"); return nil }

func adminHeader(t *testing.T, instance string) map[string]string {
	t.Helper()
	key, err := adminkey.Issue(instance, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"Authorization": "Convex " + key}
}
