package runtime_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"hull/runtime"
)

// signals are named one-shot events the test server's handlers raise and
// wait for, so a test can order what the server saw against what the
// action did without measuring time.
type signals struct {
	mu sync.Mutex
	m  map[string]chan struct{}
}

func (s *signals) get(name string) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]chan struct{}{}
	}
	c, ok := s.m[name]
	if !ok {
		c = make(chan struct{})
		s.m[name] = c
	}
	return c
}

func (s *signals) raise(name string) {
	c := s.get(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-c:
	default:
		close(c)
	}
}

// bodyServer serves the endpoints the streamed-body tests use.
func bodyServer(t *testing.T) *httptest.Server {
	t.Helper()
	var sig signals
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("k")
		switch r.URL.Path {
		case "/echo":
			// The body, how it was framed, and its length.
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			_, _ = fmt.Fprintf(w, "%s %q %d %s", r.Method, strings.Join(r.TransferEncoding, ","), r.ContentLength, b)
		case "/first":
			// Raises k once the first byte of the body arrived, then
			// reads the rest: the action produces the rest only after
			// /wait told it the server saw the start.
			one := make([]byte, 1)
			if _, err := io.ReadFull(r.Body, one); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			sig.raise(key)
			rest, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			_, _ = fmt.Fprintf(w, "%s%s", one, rest)
		case "/wait":
			<-sig.get(key)
			_, _ = io.WriteString(w, "seen")
		case "/hold":
			// Reads until the client goes away.
			one := make([]byte, 1)
			_, _ = io.ReadFull(r.Body, one)
			sig.raise(key)
			_, _ = io.Copy(io.Discard, r.Body)
		case "/duplex":
			// Echoes each piece of the body as it arrives.
			_ = http.NewResponseController(w).EnableFullDuplex()
			buf := make([]byte, 1024)
			for {
				n, err := r.Body.Read(buf)
				if n > 0 {
					_, _ = w.Write(buf[:n])
					w.(http.Flusher).Flush()
				}
				if err != nil {
					return
				}
			}
		case "/data":
			w.Header().Set("Content-Type", "text/plain")
			for i := range 3 {
				_, _ = fmt.Fprintf(w, "part%d;", i)
				w.(http.Flusher).Flush()
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchStreamsRequestBodies(t *testing.T) {
	srv := bodyServer(t)
	pool := newTestPool(runtime.Options{ActionTimeout: 20 * time.Second})
	u := srv.URL
	enc := `const enc = (s) => new TextEncoder().encode(s);
`
	tests := []struct{ name, body, want string }{
		{"a stream body is sent chunked and arrives whole", enc + `
			const body = ReadableStream.from(["ab", "cd", "ef"].map(enc));
			const r = await fetch("` + u + `/echo", { method: "POST", body, duplex: "half" });
			return JSON.stringify(await r.text());`, `"POST \"chunked\" -1 abcdef"`},
		{"the server sees the first chunk before the stream produced the rest", enc + `
			let n = 0;
			const body = new ReadableStream({ async pull(c) {
				if (n++ === 0) { c.enqueue(enc("first;")); return; }
				const seen = await (await fetch("` + u + `/wait?k=a")).text();
				c.enqueue(enc(seen + ";last")); c.close();
			} });
			const r = await fetch("` + u + `/first?k=a", { method: "PUT", body, duplex: "half" });
			return JSON.stringify(await r.text());`, `"first;seen;last"`},
		{"a Request with a stream body can be fetched", enc + `
			const req = new Request("` + u + `/echo", { method: "POST", body: ReadableStream.from([enc("x"), enc("y")]), duplex: "half", headers: { "x-a": "1" } });
			const r = await fetch(req);
			return JSON.stringify([await r.text(), req.bodyUsed]);`, `["POST \"chunked\" -1 xy",true]`},
		{"a byte stream body and a large body arrive whole", `
			const chunk = new Uint8Array(40000).map((_, i) => 97 + (i % 26));
			let n = 0;
			const body = new ReadableStream({ type: "bytes", pull(c) { if (n++ === 5) c.close(); else c.enqueue(chunk.slice()); } });
			const t = await (await fetch("` + u + `/echo", { method: "POST", body, duplex: "half" })).text();
			const want = new TextDecoder().decode(chunk).repeat(5);
			return JSON.stringify([t.length, t === 'POST "chunked" -1 ' + want]);`, `[200018,true]`},
		{"non-stream bodies are still sent with a length", `
			const r = await fetch("` + u + `/echo", { method: "POST", body: new Blob(["blob!"]) });
			return JSON.stringify(await r.text());`, `"POST \"\" 5 blob!"`},
		{"a stream body needs duplex half", `
			try { await fetch("` + u + `/echo", { method: "POST", body: new ReadableStream() }); return "null"; }
			catch (e) { return JSON.stringify([e.name, /duplex/.test(e.message)]); }`, `["TypeError",true]`},
		{"a failing body stream fails the fetch with its error", enc + `
			let n = 0;
			const body = new ReadableStream({ pull(c) { if (n++ === 0) c.enqueue(enc("ok")); else c.error(new Error("boom")); } });
			try { await fetch("` + u + `/echo", { method: "POST", body, duplex: "half" }); return "null"; }
			catch (e) { return JSON.stringify([e.name, e.message, e.cause?.message]); }`, `["TypeError","fetch failed: the request body stream errored: boom","boom"]`},
		{"a body stream yielding strings fails the fetch", `
			try { await fetch("` + u + `/echo", { method: "POST", body: ReadableStream.from(["text"]), duplex: "half" }); return "null"; }
			catch (e) { return JSON.stringify([e.name, /Uint8Array/.test(e.message)]); }`, `["TypeError",true]`},
		{"aborting the fetch cancels the body stream", enc + `
			let why = null; let n = 0;
			const body = new ReadableStream({ pull(c) { if (n++ === 0) c.enqueue(enc("s")); else return new Promise(() => {}); }, cancel(r) { why = r; } });
			const ac = new AbortController();
			const p = fetch("` + u + `/hold?k=b", { method: "POST", body, duplex: "half", signal: ac.signal });
			await (await fetch("` + u + `/wait?k=b")).text();
			ac.abort(new Error("stop"));
			try { await p; return "null"; } catch (e) { return JSON.stringify([e.message, why?.message]); }`, `["stop","stop"]`},
		{"a full-duplex server echoes each chunk before the next is produced", enc + `
			let ctl; const body = new ReadableStream({ start(c) { ctl = c; c.enqueue(enc("a")); } });
			const r = await fetch("` + u + `/duplex", { method: "POST", body, duplex: "half" });
			const reader = r.body.getReader(); const dec = new TextDecoder(); const got = [];
			got.push(dec.decode((await reader.read()).value)); ctl.enqueue(enc("b"));
			got.push(dec.decode((await reader.read()).value)); ctl.close();
			got.push((await reader.read()).done);
			return JSON.stringify(got);`, `["a","b",true]`},
		{"a response body pipes through a TextDecoderStream", `
			const r = await fetch("` + u + `/data"); let t = "";
			for await (const s of r.body.pipeThrough(new TextDecoderStream())) t += s;
			return JSON.stringify(t);`, `"part0;part1;part2;"`},
		{"a response body is a byte stream read with a BYOB reader", `
			const r = await fetch("` + u + `/data"); const reader = r.body.getReader({ mode: "byob" }); const out = [];
			for (;;) { const x = await reader.read(new Uint8Array(4)); if (x.done) break; out.push(new TextDecoder().decode(x.value)); }
			return JSON.stringify(out.join(""));`, `"part0;part1;part2;"`},
		{"a response body pipes into the request body of a second fetch", `
			const a = await fetch("` + u + `/data"); const ts = new TransformStream();
			const piped = a.body.pipeTo(ts.writable);
			const b = await fetch("` + u + `/echo", { method: "POST", body: ts.readable, duplex: "half" }); await piped;
			const c = await fetch("` + u + `/echo", { method: "POST", body: (await fetch("` + u + `/data")).body, duplex: "half" });
			return JSON.stringify([await b.text(), await c.text()]);`, `["POST \"chunked\" -1 part0;part1;part2;","POST \"chunked\" -1 part0;part1;part2;"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runAction(t, pool, tc.body)
			if res.Err != nil {
				t.Fatalf("error %q\n%s", res.Err.Message, res.Err.Stack)
			}
			jsonEqual(t, res.Value, tc.want)
		})
	}
}

func TestQueriesAndMutationsStillRejectFetch(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	for _, kind := range []runtime.Kind{runtime.KindQuery, runtime.KindMutation} {
		t.Run(string(kind), func(t *testing.T) {
			res := runWeb(t, pool, kind, `try { await fetch("http://127.0.0.1:1/", { method: "POST", body: new ReadableStream(), duplex: "half" }); return "fetched"; } catch (e) { return e.message; }`)
			if res.Err != nil {
				t.Fatalf("error %q", res.Err.Message)
			}
			jsonEqual(t, res.Value, `"Can't use fetch() in queries and mutations. Please consider using an action."`)
		})
	}
}
