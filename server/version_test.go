package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestEveryResponseCarriesTheHullVersion(t *testing.T) {
	r := start(t, Config{Version: "4.5.6"}, readyWith(appFunc(func(*Routes) {})))
	tests := []struct {
		name, method, path string
		header             map[string]string
	}{
		{"a status route", "GET", "/version", nil},
		{"an unknown path", "GET", "/nope", nil},
		{"an API call from a Worker of the same version", "POST", "/api/query", map[string]string{HeaderWorkerVersion: "4.5.6"}},
		{"an API call from an older Worker", "POST", "/api/query", map[string]string{HeaderWorkerVersion: "0.0.1"}},
		{"an API call without a Worker", "POST", "/api/query", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, tt.method, r.url+tt.path, "", tt.header)
			if v := got.header.Get(HeaderVersion); v != "4.5.6" {
				t.Fatalf("%s %s: %s = %q, want 4.5.6 (status %d)", tt.method, tt.path, HeaderVersion, v, got.status)
			}
		})
	}
}

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestWorkerVersionsAreLoggedOnceEachAndOldOnesWarned(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	h := withVersion("0.3.0", log, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	send := func(v string) {
		req := httptest.NewRequest("GET", "/api/x", nil)
		if v != "" {
			req.Header.Set(HeaderWorkerVersion, v)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	for range 3 {
		send("0.3.0")
	}
	send("0.0.9")
	send("not a version")
	send("")
	out := logs.String()
	if n := strings.Count(out, "worker_version=0.3.0"); n != 1 {
		t.Errorf("a current Worker was logged %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "worker_version=0.0.9") || !strings.Contains(out, "min_worker_version="+MinWorkerVersion) {
		t.Errorf("an old Worker was not warned about:\n%s", out)
	}
	if !strings.Contains(out, "malformed version") {
		t.Errorf("a malformed Worker version was not warned about:\n%s", out)
	}
}

func TestWorkerVersionsRememberedAreBounded(t *testing.T) {
	var logs syncBuffer
	h := withVersion("1.0.0", slog.New(slog.NewTextHandler(&logs, nil)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for i := range 100 {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set(HeaderWorkerVersion, "1.0."+strings.Repeat("1", i%30+1))
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	if n := strings.Count(logs.String(), "\n"); n > maxWorkerVersionsNoted {
		t.Fatalf("%d log lines for invented versions, want at most %d", n, maxWorkerVersionsNoted)
	}
}

func TestVersionsCompareNumerically(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"0.1.0", "0.1.0", 0},
		{"0.10.0", "0.9.0", 1},
		{"0.1.0-rc.1", "0.1.0", 0},
		{"1", "0.9.9", 1},
		{"0.1", "0.1.1", -1},
	}
	for _, tt := range tests {
		if got := compareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func FuzzWorkerVersionHeader(f *testing.F) {
	for _, s := range []string{"0.1.0", "0.1.0-rc.1+build", "", "1.2.3.4", "99999999999.0.0", "..", "-", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if plainVersion(v) {
			_ = compareVersions(v, MinWorkerVersion)
		}
		var logs syncBuffer
		h := withVersion("0.1.0", slog.New(slog.NewTextHandler(&logs, nil)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		req := httptest.NewRequest("GET", "/", nil)
		req.Header[HeaderWorkerVersion] = []string{v}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Header().Get(HeaderVersion) != "0.1.0" {
			t.Fatal("no version header")
		}
		if strings.Count(logs.String(), "\n") > 1 {
			t.Fatalf("one request logged more than one line: %q", logs.String())
		}
	})
}
