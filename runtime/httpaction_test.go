package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"hull/runtime"
)

// responder records what an HTTP action answered. onWrite, when set, sees
// each chunk before it is recorded and may refuse it.
type responder struct {
	mu      sync.Mutex
	route   string
	heads   int
	status  int
	headers [][2]string
	body    bytes.Buffer
	writes  []int // sizes of the chunks, in order
	written chan struct{}
	onWrite func(chunk []byte) error
}

func newResponder() *responder { return &responder{written: make(chan struct{}, 1024)} }

func (r *responder) Route(method, path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.route = method + " " + path
}

func (r *responder) Head(status int, headers [][2]string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.heads++
	r.status, r.headers = status, headers
	return nil
}

func (r *responder) Write(chunk []byte) error {
	if r.onWrite != nil {
		if err := r.onWrite(chunk); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.body.Write(chunk)
	r.writes = append(r.writes, len(chunk))
	r.mu.Unlock()
	r.written <- struct{}{}
	return nil
}

func (r *responder) header(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var vs []string
	for _, h := range r.headers {
		if strings.EqualFold(h[0], name) {
			vs = append(vs, h[1])
		}
	}
	return strings.Join(vs, ", ")
}

func (r *responder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.body.String()
}

// httpFixture is the bundled app with a pool and a fake database.
type httpFixture struct {
	pool *runtime.Pool
	mods runtime.Modules
	db   *fakeDB
}

func newHTTPFixture(t *testing.T, opts runtime.Options) *httpFixture {
	t.Helper()
	if opts.ActionTimeout == 0 {
		opts.ActionTimeout = 30 * time.Second
	}
	mods := loadBundle(t)
	pool := newTestPool(opts)
	return &httpFixture{pool: pool, mods: mods, db: newFakeDB(pool, mods)}
}

// serve runs the app's router on req.
func (f *httpFixture) serve(t *testing.T, ctx context.Context, req runtime.HTTPRequest, rec *responder) runtime.Result {
	t.Helper()
	if req.URL == "" {
		req.URL = "https://site.example" + req.Path
	}
	if req.Body == nil {
		req.ContentLength = 0
	}
	res, err := f.pool.Run(ctx, f.mods, runtime.Call{
		Kind: runtime.KindHTTPAction, Module: "http.js", Host: f.db, Now: time.Now(),
		HTTP: &runtime.HTTPCall{Request: req, Responder: rec},
	})
	if err != nil {
		t.Fatalf("Run %s %s: system error: %v", req.Method, req.Path, err)
	}
	return res
}

func TestHTTPActionsRouteAsTheConvexRouterDoes(t *testing.T) {
	f := newHTTPFixture(t, runtime.Options{})
	tests := []struct {
		name, method, path string
		status             int
		body, route        string
	}{
		{"an exact GET route answers", "GET", "/hello", 200, "hello", "GET /hello"},
		{"HEAD runs the GET route", "HEAD", "/hello", 200, "hello", "GET /hello"},
		{"a path without a route answers Convex's 404", "GET", "/nowhere", 404, "No matching routes found", ""},
		{"a method without a route answers 404", "PUT", "/hello", 404, "No matching routes found", ""},
		{"an exact route wins over a prefix", "GET", "/api/exact", 200, "exact", "GET /api/exact"},
		{"a prefix route matches below it", "GET", "/api/other/x", 200, "short /api/other/x", "GET /api/*"},
		{"the longest prefix wins", "GET", "/api/v2/x", 200, "long /api/v2/x", "GET /api/v2/*"},
		{"a prefix route needs its trailing slash", "GET", "/api", 404, "No matching routes found", ""},
		{"a prefix route answers its own method only", "POST", "/files/a/b", 200, "hello", "POST /files/*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newResponder()
			res := f.serve(t, context.Background(), runtime.HTTPRequest{Method: tc.method, Path: tc.path}, rec)
			if res.Err != nil {
				t.Fatalf("error %q", res.Err.Message)
			}
			if rec.heads != 1 || rec.status != tc.status || rec.text() != tc.body || rec.route != tc.route {
				t.Fatalf("got %d heads, %d %q, route %q; want %d %q, route %q", rec.heads, rec.status, rec.text(), rec.route, tc.status, tc.body, tc.route)
			}
			if got := rec.header("content-length"); got != "" && got != itoa(len(tc.body)) {
				t.Fatalf("content-length %q for a body of %d bytes", got, len(tc.body))
			}
		})
	}
	t.Run("Convex's 404 is plain text", func(t *testing.T) {
		rec := newResponder()
		f.serve(t, context.Background(), runtime.HTTPRequest{Method: "GET", Path: "/nowhere"}, rec)
		if got := rec.header("content-type"); got != "text/plain; charset=utf-8" {
			t.Fatalf("content-type %q", got)
		}
	})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestHTTPActionsSeeTheirRequest(t *testing.T) {
	f := newHTTPFixture(t, runtime.Options{})
	type seen struct {
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    *string           `json:"body"`
		HasBody bool              `json:"hasBody"`
	}
	body := func(s string) *string { return &s }
	tests := []struct {
		name    string
		req     runtime.HTTPRequest
		want    seen
		wantErr string
	}{
		{"a GET has no body", runtime.HTTPRequest{Method: "GET", Path: "/inspect", URL: "https://site.example/inspect?x=1",
			Headers: [][2]string{{"X-Thing", "a"}, {"x-thing", "b"}, {"host", "site.example"}}},
			seen{Method: "GET", URL: "https://site.example/inspect?x=1", Headers: map[string]string{"x-thing": "a, b", "host": "site.example"}}, ""},
		{"a POST body of known length arrives in one piece", runtime.HTTPRequest{Method: "POST", Path: "/inspect",
			Headers: [][2]string{{"Content-Type", "text/plain"}}, Body: strings.NewReader("hi there"), ContentLength: 8},
			seen{Method: "POST", URL: "https://site.example/inspect", Headers: map[string]string{"content-type": "text/plain"}, Body: body("hi there"), HasBody: true}, ""},
		{"a body of unknown length streams in", runtime.HTTPRequest{Method: "PUT", Path: "/inspect",
			Body: io.MultiReader(strings.NewReader("one,"), strings.NewReader("two")), ContentLength: -1},
			seen{Method: "PUT", URL: "https://site.example/inspect", Headers: map[string]string{}, Body: body("one,two"), HasBody: true}, ""},
		{"a long body streams in", runtime.HTTPRequest{Method: "PATCH", Path: "/inspect",
			Body: strings.NewReader(strings.Repeat("z", 200_000)), ContentLength: 200_000},
			seen{Method: "PATCH", URL: "https://site.example/inspect", Headers: map[string]string{}, Body: body(strings.Repeat("z", 200_000)), HasBody: true}, ""},
		{"an empty POST body is a body", runtime.HTTPRequest{Method: "DELETE", Path: "/inspect", Body: strings.NewReader(""), ContentLength: 0},
			seen{Method: "DELETE", URL: "https://site.example/inspect", Headers: map[string]string{}, Body: body(""), HasBody: true}, ""},
		{"a body that fails to read fails the handler", runtime.HTTPRequest{Method: "POST", Path: "/inspect",
			Body: io.MultiReader(strings.NewReader("x"), errReader{errors.New("connection reset")}), ContentLength: -1},
			seen{}, "connection reset"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newResponder()
			res := f.serve(t, context.Background(), tc.req, rec)
			if tc.wantErr != "" {
				if res.Err == nil || !strings.Contains(res.Err.Message, tc.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", res.Err, tc.wantErr)
				}
				return
			}
			if res.Err != nil {
				t.Fatalf("error %q", res.Err.Message)
			}
			var got seen
			if err := json.Unmarshal(rec.body.Bytes(), &got); err != nil {
				t.Fatalf("body %q: %v", rec.text(), err)
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(tc.want)
			if string(gb) != string(wb) {
				t.Fatalf("handler saw %s\nwant %s", gb, wb)
			}
			if rec.status != 201 || rec.header("x-handler") != "inspect" || rec.header("access-control-allow-origin") != "https://app.example" {
				t.Fatalf("status %d, headers %v", rec.status, rec.headers)
			}
		})
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestHTTPActionBodiesStreamBothWays(t *testing.T) {
	f := newHTTPFixture(t, runtime.Options{})
	t.Run("each chunk of the request comes back before the next is sent", func(t *testing.T) {
		pr, pw := io.Pipe()
		rec := newResponder()
		done := make(chan runtime.Result, 1)
		go func() {
			done <- f.serve(t, context.Background(), runtime.HTTPRequest{Method: "POST", Path: "/echo", Body: pr, ContentLength: -1}, rec)
		}()
		for _, part := range []string{"first;", "second;", "third"} {
			if _, err := pw.Write([]byte(part)); err != nil {
				t.Fatalf("write %q: %v", part, err)
			}
			select {
			case <-rec.written:
			case <-time.After(20 * time.Second):
				t.Fatalf("the echo of %q did not arrive", part)
			}
			if !strings.HasSuffix(rec.text(), part) {
				t.Fatalf("echoed %q, want it to end with %q", rec.text(), part)
			}
		}
		_ = pw.Close()
		res := <-done
		if res.Err != nil {
			t.Fatalf("error %q", res.Err.Message)
		}
		if rec.text() != "first;second;third" || rec.header("content-type") != "application/octet-stream" || rec.header("content-length") != "" {
			t.Fatalf("body %q, headers %v", rec.text(), rec.headers)
		}
	})
	t.Run("a long response goes out in bounded chunks", func(t *testing.T) {
		rec := newResponder()
		res := f.serve(t, context.Background(), runtime.HTTPRequest{Method: "GET", Path: "/chunks", URL: "https://site.example/chunks?n=20&size=100000"}, rec)
		if res.Err != nil {
			t.Fatalf("error %q", res.Err.Message)
		}
		total, largest := 0, 0
		for _, n := range rec.writes {
			total += n
			largest = max(largest, n)
		}
		if total != 20*100_000 || largest > 64<<10 {
			t.Fatalf("%d bytes in %d writes, the largest %d", total, len(rec.writes), largest)
		}
	})
	t.Run("a response stream's chunks are written one by one", func(t *testing.T) {
		rec := newResponder()
		res := f.serve(t, context.Background(), runtime.HTTPRequest{Method: "GET", Path: "/chunks", URL: "https://site.example/chunks?n=3&size=2"}, rec)
		if res.Err != nil {
			t.Fatalf("error %q", res.Err.Message)
		}
		if rec.text() != "aabbcc" || len(rec.writes) != 3 || rec.status != 200 {
			t.Fatalf("status %d, body %q in %v", rec.status, rec.text(), rec.writes)
		}
	})
	t.Run("a client that stops reading ends the response stream", func(t *testing.T) {
		rec := newResponder()
		writes := 0
		rec.onWrite = func([]byte) error {
			if writes++; writes > 1 {
				return errors.New("client went away")
			}
			return nil
		}
		res := f.serve(t, context.Background(), runtime.HTTPRequest{Method: "GET", Path: "/chunks", URL: "https://site.example/chunks?n=100&size=2"}, rec)
		if res.Err == nil || !strings.Contains(res.Err.Message, "client went away") || rec.text() != "aa" {
			t.Fatalf("error %v, body %q", res.Err, rec.text())
		}
	})
}

func TestHTTPActionFailures(t *testing.T) {
	f := newHTTPFixture(t, runtime.Options{ActionTimeout: 2 * time.Second})
	tests := []struct {
		name, path string
		wantErr    string
		wantData   string
		wantHead   bool
		wantBody   string
	}{
		{"a thrown error fails the run before any response", "/throws", "Uncaught Error: boom", "", false, ""},
		{"a ConvexError keeps its data", "/convexError", "Uncaught ConvexError:", `{"code":"teapot"}`, false, ""},
		{"a handler that returns no Response fails", "/notResponse", "Uncaught Error: HTTP actions must return a Response", "", false, ""},
		{"a body stream that breaks fails after the head", "/breaks", "stream broke", "", true, "part"},
		{"the action time limit applies", "/hangs", "Function execution timed out", "", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newResponder()
			res := f.serve(t, context.Background(), runtime.HTTPRequest{Method: "GET", Path: tc.path}, rec)
			if res.Err == nil || !strings.Contains(res.Err.Message, tc.wantErr) {
				t.Fatalf("error %v, want %q", res.Err, tc.wantErr)
			}
			if tc.wantData != "" {
				jsonEqual(t, res.Err.Data, tc.wantData)
			}
			if (rec.heads == 1) != tc.wantHead || rec.text() != tc.wantBody {
				t.Fatalf("%d heads, body %q", rec.heads, rec.text())
			}
		})
	}
	t.Run("a cancelled request stops the handler", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		res := f.serve(t, ctx, runtime.HTTPRequest{Method: "GET", Path: "/hangs"}, newResponder())
		if res.Err == nil || !strings.Contains(res.Err.Message, "cancelled") {
			t.Fatalf("error %v", res.Err)
		}
	})
}

func TestHTTPActionsCallFunctionsThroughTheActionHost(t *testing.T) {
	f := newHTTPFixture(t, runtime.Options{})
	rec := newResponder()
	res := f.serve(t, context.Background(), runtime.HTTPRequest{Method: "POST", Path: "/calls", Body: strings.NewReader(""), ContentLength: 0}, rec)
	if res.Err != nil {
		t.Fatalf("error %q", res.Err.Message)
	}
	jsonEqual(t, rec.body.Bytes(), `{"id":"id1","list":["from http"]}`)
	if rec.header("content-type") != "application/json" {
		t.Fatalf("headers %v", rec.headers)
	}
}

// responding is an http.js whose router answers every request with the
// Response the body returns.
func responding(body string) string {
	return `export default { isRouter: true, lookup: () => [null, "GET", "/"], runRequest: async () => {
		const response = await (async () => { ` + body + ` })();
		return JSON.stringify(Convex.jsSyscall("convexJsonFromResponse", { response }));
	} };`
}

func TestHTTPActionsNeedARouterAndAResponse(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	tests := []struct{ name, src, want string }{
		{"http.js without a default export", `export const x = 1;`, `Couldn't find default export in module "http.js".`},
		{"a default export that is not a router", `export default { route() {} };`, "The default export of `convex/http.js` is not a Router."},
		{"a router whose lookup throws", `export default { isRouter: true, lookup() { throw new Error("bad lookup"); } };`, "bad lookup"},
		{"a Response whose body stream is locked", responding(`const r = new Response(new ReadableStream()); r.body.getReader(); return r;`), "is locked"},
		{"a Response whose body was read", responding(`const r = new Response("x"); await r.text(); return r;`), "has already been read"},
		{"Response.error()", responding(`return Response.error();`), "cannot return Response.error()"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mods := sourceModules(map[string]string{"http.js": tc.src})
			rec := newResponder()
			res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindHTTPAction, Module: "http.js", Host: newFakeDB(pool, mods),
				HTTP: &runtime.HTTPCall{Request: runtime.HTTPRequest{Method: "GET", URL: "http://x/", Path: "/"}, Responder: rec}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Err == nil || !strings.Contains(res.Err.Message, tc.want) || rec.heads != 0 {
				t.Fatalf("error %v (%d heads), want %q", res.Err, rec.heads, tc.want)
			}
		})
	}
}
