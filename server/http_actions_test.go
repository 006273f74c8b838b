package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hull/app"
)

// actionsFake is an HTTPActionServer whose answer each test scripts; it
// records the requests it saw.
type actionsFake struct {
	mu    sync.Mutex
	seen  []app.HTTPRequest
	serve func(ctx context.Context, req app.HTTPRequest, w app.HTTPResponseWriter) error
}

func (f *actionsFake) ServeHTTPAction(ctx context.Context, req app.HTTPRequest, w app.HTTPResponseWriter) error {
	f.mu.Lock()
	f.seen = append(f.seen, req)
	f.mu.Unlock()
	if f.serve != nil {
		return f.serve(ctx, req, w)
	}
	body := "no body"
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return err
		}
		body = "body " + string(b)
	}
	if err := w.Head(200, [][2]string{{"content-type", "text/plain"}}); err != nil {
		return err
	}
	return w.Write([]byte(req.Method + " " + req.Path + " " + body))
}

func (f *actionsFake) last(t *testing.T) app.HTTPRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		t.Fatal("the HTTP actions saw no request")
	}
	return f.seen[len(f.seen)-1]
}

func startActions(t *testing.T, cfg Config, f *actionsFake) *running {
	t.Helper()
	return start(t, cfg, readyWith(appFunc(func(r *Routes) { MountHTTPActions(r, f) })))
}

func TestHTTPActionsAreServedUnderHTTP(t *testing.T) {
	f := &actionsFake{}
	srv := startActions(t, Config{}, f)
	host := strings.TrimPrefix(srv.url, "http://")
	tests := []struct {
		name, method, path, body  string
		status                    int
		wantPath, wantURL, answer string
	}{
		{"a path below /http reaches the router without the prefix", "GET", "/http/hello?x=1&y=2", "", 200,
			"/hello", "http://" + host + "/hello?x=1&y=2", "GET /hello no body"},
		{"/http itself is the root", "GET", "/http", "", 200, "/", "http://" + host + "/", "GET / no body"},
		{"/http/ is the root", "OPTIONS", "/http/", "", 200, "/", "http://" + host + "/", "OPTIONS / no body"},
		{"a POST body reaches the handler", "POST", "/http/echo", "payload", 200, "/echo", "http://" + host + "/echo", "POST /echo body payload"},
		{"a DELETE may carry a body", "DELETE", "/http/x", "gone", 200, "/x", "http://" + host + "/x", "DELETE /x body gone"},
		{"percent-encoding is kept", "GET", "/http/a%2Fb%20c", "", 200, "/a%2Fb%20c", "http://" + host + "/a%2Fb%20c", "GET /a%2Fb%20c no body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := do(t, tc.method, srv.url+tc.path, tc.body, nil)
			if got.status != tc.status || got.body != tc.answer {
				t.Fatalf("got %d %q, want %d %q", got.status, got.body, tc.status, tc.answer)
			}
			req := f.last(t)
			if req.Path != tc.wantPath || req.URL != tc.wantURL || req.RequestID == "" || req.RequestID != got.header.Get("X-Request-Id") {
				t.Fatalf("router saw path %q url %q request id %q, want %q %q", req.Path, req.URL, req.RequestID, tc.wantPath, tc.wantURL)
			}
		})
	}
	t.Run("the handler sees the request's headers and host", func(t *testing.T) {
		do(t, "GET", srv.url+"/http/h", "", map[string]string{"X-Thing": "v"})
		req := f.last(t)
		if req.Headers[0] != [2]string{"host", host} || !hasHeader(req.Headers, "X-Thing", "v") {
			t.Fatalf("headers %v", req.Headers)
		}
	})
	t.Run("a method the router cannot route is refused", func(t *testing.T) {
		got := do(t, "PROPFIND", srv.url+"/http/x", "", nil)
		if got.status != 405 || got.header.Get("Allow") != routableMethods {
			t.Fatalf("got %d, Allow %q", got.status, got.header.Get("Allow"))
		}
	})
	t.Run("a declared body over 20 MiB is refused at once", func(t *testing.T) {
		req, _ := http.NewRequest("POST", srv.url+"/http/x", strings.NewReader("x"))
		req.ContentLength = app.HTTPActionBodyLimit + 1
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 413 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	t.Run("a streamed body over 20 MiB fails the handler's read", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			chunk := make([]byte, 1<<20)
			for i := 0; i <= 20; i++ {
				if _, err := pw.Write(chunk); err != nil {
					return
				}
			}
			_ = pw.Close()
		}()
		req, _ := http.NewRequest("POST", srv.url+"/http/x", pr)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 500 || !strings.Contains(string(b), "larger than HTTP actions accept (20 MiB)") {
			t.Fatalf("got %d %s", resp.StatusCode, b)
		}
		_ = pr.CloseWithError(errors.New("done"))
	})
	t.Run("HEAD answers the headers without the body", func(t *testing.T) {
		got := do(t, "HEAD", srv.url+"/http/hello", "", nil)
		if got.status != 200 || got.body != "" || got.header.Get("Content-Type") != "text/plain" {
			t.Fatalf("got %d %q %v", got.status, got.body, got.header)
		}
	})
}

func hasHeader(hs [][2]string, k, v string) bool {
	for _, h := range hs {
		if h[0] == k && h[1] == v {
			return true
		}
	}
	return false
}

func TestHTTPActionsSetTheirOwnCORS(t *testing.T) {
	f := &actionsFake{serve: func(_ context.Context, req app.HTTPRequest, w app.HTTPResponseWriter) error {
		if req.Path == "/cors" {
			return w.Head(204, [][2]string{{"Access-Control-Allow-Origin", "https://app.example"}, {"Access-Control-Allow-Methods", "POST"}})
		}
		return w.Head(404, nil)
	}}
	srv := startActions(t, Config{}, f)
	preflight := map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
	t.Run("a preflight reaches the router", func(t *testing.T) {
		got := do(t, "OPTIONS", srv.url+"/http/cors", "", preflight)
		if got.status != 204 || got.header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
			got.header.Get("Access-Control-Allow-Methods") != "POST" || got.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Fatalf("got %d %v", got.status, got.header)
		}
		if f.last(t).Method != "OPTIONS" {
			t.Fatalf("router saw %s", f.last(t).Method)
		}
	})
	t.Run("no CORS header is added to a route that sets none", func(t *testing.T) {
		got := do(t, "OPTIONS", srv.url+"/http/other", "", preflight)
		if got.status != 404 || got.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("got %d %v", got.status, got.header)
		}
	})
}

func TestHTTPActionResponsesStream(t *testing.T) {
	read := make(chan struct{})
	f := &actionsFake{serve: func(_ context.Context, _ app.HTTPRequest, w app.HTTPResponseWriter) error {
		if err := w.Head(200, [][2]string{{"Content-Type", "text/event-stream"}, {"Transfer-Encoding", "identity"}}); err != nil {
			return err
		}
		if err := w.Write([]byte("first\n")); err != nil {
			return err
		}
		select {
		case <-read:
		case <-time.After(20 * time.Second):
			return errors.New("the client never saw the first chunk")
		}
		return w.Write([]byte("second\n"))
	}}
	srv := startActions(t, Config{}, f)
	resp, err := http.Get(srv.url + "/http/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	close(read)
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "second\n" || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("rest %q, %v, transfer encoding %v", rest, err, resp.TransferEncoding)
	}
}

func TestHTTPActionRequestsEnd(t *testing.T) {
	cancelled := make(chan struct{})
	stray := make(chan error, 1)
	f := &actionsFake{serve: func(ctx context.Context, req app.HTTPRequest, w app.HTTPResponseWriter) error {
		switch req.Path {
		case "/fails":
			return errors.New("storage is gone")
		case "/fails-late":
			_ = w.Head(200, nil)
			_ = w.Write([]byte("partial"))
			return errors.New("storage is gone")
		case "/stray":
			_ = w.Head(200, nil)
			go func() {
				time.Sleep(50 * time.Millisecond)
				stray <- w.Write([]byte("too late"))
			}()
			return nil
		case "/hold":
			_ = w.Head(200, nil)
			_ = w.Write([]byte("x"))
			<-ctx.Done()
			close(cancelled)
			return nil
		}
		return nil
	}}
	srv := startActions(t, Config{}, f)
	t.Run("a failure before the response is a 500", func(t *testing.T) {
		got := do(t, "GET", srv.url+"/http/fails", "", nil)
		if got.status != 500 || got.json(t)["code"] != CodeInternal {
			t.Fatalf("got %d %q", got.status, got.body)
		}
	})
	t.Run("a failure after the response started leaves it be", func(t *testing.T) {
		got := do(t, "GET", srv.url+"/http/fails-late", "", nil)
		if got.status != 200 || got.body != "partial" {
			t.Fatalf("got %d %q", got.status, got.body)
		}
	})
	t.Run("a write after the request ended is refused", func(t *testing.T) {
		do(t, "GET", srv.url+"/http/stray", "", nil)
		if err := <-stray; !errors.Is(err, errRequestOver) {
			t.Fatalf("stray write: %v", err)
		}
	})
	t.Run("a client that goes away cancels the action", func(t *testing.T) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(conn, "GET /http/hold HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(conn)
		if _, err := http.ReadResponse(br, nil); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		select {
		case <-cancelled:
		case <-time.After(20 * time.Second):
			t.Fatal("the action's context was not cancelled")
		}
	})
}

func TestTheSiteOriginServesHTTPActionsAtItsRoot(t *testing.T) {
	f := &actionsFake{}
	srv := startActions(t, Config{SiteOrigin: "http://site.test", CloudOrigin: "http://api.test"}, f)
	get := func(t *testing.T, host, path string) reply {
		req, _ := http.NewRequest("GET", srv.url+path, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
	}
	tests := []struct {
		name, host, path, want string
	}{
		{"the site host's root is the router's", "site.test", "/hello", "GET /hello no body"},
		{"even API paths on the site host", "site.test", "/api/query", "GET /api/query no body"},
		{"the scheme's default port is the same host", "site.test:80", "/x", "GET /x no body"},
		{"/http still works on the API host", "api.test", "/http/hello", "GET /hello no body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := get(t, tc.host, tc.path)
			if got.status != 200 || got.body != tc.want {
				t.Fatalf("got %d %q, want %q", got.status, got.body, tc.want)
			}
		})
	}
	t.Run("the handler sees the site URL", func(t *testing.T) {
		get(t, "site.test", "/hello?a=b")
		if u := f.last(t).URL; u != "http://site.test/hello?a=b" {
			t.Fatalf("url %q", u)
		}
	})
	t.Run("other hosts keep the API", func(t *testing.T) {
		if got := get(t, "api.test", "/hello"); got.status != 404 || got.json(t)["code"] != CodeNotFound {
			t.Fatalf("got %d %q", got.status, got.body)
		}
	})
}

func TestSiteHostsFollowTheConfiguredOrigins(t *testing.T) {
	tests := []struct {
		name, cloud, site string
		want              siteHost
	}{
		{"no site origin, no site host", "https://api.example", "", siteHost{}},
		{"a site origin of its own host", "https://api.example", "https://site.example", siteHost{host: "site.example"}},
		{"a site host without a cloud origin", "", "https://Site.Example:443/", siteHost{host: "site.example"}},
		{"the cloud host's /http is served anyway", "https://app.example", "https://app.example/http", siteHost{}},
		{"the cloud host's root would swallow the API", "https://app.example", "https://app.example", siteHost{}},
		{"another path on the cloud host", "https://app.example", "https://app.example/actions", siteHost{host: "app.example", path: "/actions"}},
		{"another port is another host", "http://127.0.0.1:3210", "http://127.0.0.1:3211", siteHost{host: "127.0.0.1:3211"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := newSiteHost(tc.cloud, tc.site); got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestTheSiteListenerServesHTTPActionsAtItsRoot(t *testing.T) {
	f := &actionsFake{}
	srv, err := New(Config{InstanceName: "test-instance", InstanceSecret: testSecret, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	main, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	site, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.ServeSite(site)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, main, readyWith(appFunc(func(r *Routes) { MountHTTPActions(r, f) }))) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	siteURL := "http://" + site.Addr().String()
	waitReadyURL(t, "http://"+main.Addr().String())
	for _, path := range []string{"/hello", "/", "/http/x", "/version"} {
		got := do(t, "GET", siteURL+path, "", nil)
		if got.status != 200 || got.body != "GET "+path+" no body" {
			t.Fatalf("%s: got %d %q", path, got.status, got.body)
		}
	}
	if _, s := srv.PublicOrigins(); s != siteURL {
		t.Fatalf("site origin %q, want %q", s, siteURL)
	}
}

// waitReadyURL polls /readyz until the server takes traffic.
func waitReadyURL(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server did not become ready")
}

func TestHTTPActionsEchoWhileTheBodyArrives(t *testing.T) {
	f := &actionsFake{serve: func(_ context.Context, req app.HTTPRequest, w app.HTTPResponseWriter) error {
		if err := w.Head(200, nil); err != nil {
			return err
		}
		buf := make([]byte, 64)
		for {
			n, err := req.Body.Read(buf)
			if n > 0 {
				if werr := w.Write(buf[:n]); werr != nil {
					return werr
				}
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}}
	srv := startActions(t, Config{}, f)
	pr, pw := io.Pipe()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.url+"/http/echo", pr)
	type result struct {
		resp *http.Response
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		got <- result{resp, err}
	}()
	if _, err := io.WriteString(pw, "one;"); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.resp.Body.Close()
	buf := make([]byte, 4)
	for _, part := range []string{"one;", "two;"} {
		if _, err := io.ReadFull(r.resp.Body, buf); err != nil || string(buf) != part {
			t.Fatalf("echo %q, %v; want %q", buf, err, part)
		}
		if part == "one;" {
			_, _ = io.WriteString(pw, "two;")
		}
	}
	_ = pw.Close()
	if rest, err := io.ReadAll(r.resp.Body); err != nil || len(rest) != 0 {
		t.Fatalf("rest %q, %v", rest, err)
	}
}
