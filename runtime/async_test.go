package runtime_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"hull/runtime"
)

// actionModules wraps body as an action export "a" of module "act.js".
func actionModules(body string) memModules {
	return sourceModules(map[string]string{"act.js": `
const f = () => {};
f.isAction = true;
f.invokeAction = async (requestId, argsJSON) => { ` + body + ` };
export const a = f;
`})
}

func runAction(t *testing.T, pool *runtime.Pool, body string) runtime.Result {
	t.Helper()
	mods := actionModules(body)
	res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindAction, Module: "act.js", Export: "a", Args: []byte("[{}]"), Host: newFakeDB(pool, mods)})
	if err != nil {
		t.Fatalf("system error: %v", err)
	}
	return res
}

func TestActionsHaveTimersAndFetch(t *testing.T) {
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	acked := make(chan struct{})
	var ackOnce sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Custom", "yes")
			_, _ = io.WriteString(w, `{"hello":"world"}`)
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(201)
			_, _ = io.WriteString(w, r.Method+" "+r.Header.Get("X-Token")+" "+string(b))
		case "/missing":
			http.NotFound(w, r)
		case "/redirect":
			http.Redirect(w, r, "/json", http.StatusFound)
		case "/stream":
			// The second part is written only once the action has read
			// the first: the body must reach JS as it arrives.
			_, _ = io.WriteString(w, "first;")
			w.(http.Flusher).Flush()
			<-acked
			_, _ = io.WriteString(w, "second")
		case "/ack":
			ackOnce.Do(func() { close(acked) })
		case "/barrier":
			// Answers only once three requests are waiting: fetches
			// must be in flight together.
			mu.Lock()
			arrived++
			if arrived == 3 {
				close(all)
			}
			mu.Unlock()
			<-all
			_, _ = io.WriteString(w, "ok")
		}
	}))
	defer srv.Close()
	pool := newTestPool(runtime.Options{ActionTimeout: 20 * time.Second})
	tests := []struct {
		name, body, want, wantErr string
	}{
		{"timeouts fire in delay order", `
			const order = [];
			await new Promise((done) => {
				setTimeout(() => order.push("b"), 30);
				setTimeout(() => order.push("a"), 1);
				const x = setTimeout(() => order.push("never"), 5);
				clearTimeout(x);
				setTimeout(done, 60);
			});
			return JSON.stringify(order);`, `["a","b"]`, ""},
		{"a timeout waits at least its delay", `
			const t0 = Date.now();
			await new Promise((r) => setTimeout(r, 50));
			return JSON.stringify(Date.now() - t0 >= 45);`, `true`, ""},
		{"intervals repeat until cleared", `
			let n = 0;
			await new Promise((done) => { const h = setInterval(() => { if (++n === 3) { clearInterval(h); done(); } }, 2); });
			return JSON.stringify(n);`, `3`, ""},
		{"a timer left behind does not hold the action", `
			setTimeout(() => {}, 600000);
			return JSON.stringify("returned");`, `"returned"`, ""},
		{"fetch reads JSON and headers", `
			const r = await fetch("` + srv.URL + `/json");
			return JSON.stringify([r.status, r.ok, r.headers.get("x-custom"), await r.json()]);`, `[200,true,"yes",{"hello":"world"}]`, ""},
		{"fetch sends a method, headers and a body", `
			const r = await fetch("` + srv.URL + `/echo", { method: "POST", headers: { "X-Token": "t1" }, body: "payload" });
			return JSON.stringify([r.status, await r.text()]);`, `[201,"POST t1 payload"]`, ""},
		{"fetch reports error statuses without throwing", `
			const r = await fetch("` + srv.URL + `/missing");
			return JSON.stringify([r.status, r.ok]);`, `[404,false]`, ""},
		{"fetch follows redirects", `
			const r = await fetch("` + srv.URL + `/redirect");
			return JSON.stringify([r.status, r.redirected, r.url.endsWith("/json")]);`, `[200,true,true]`, ""},
		{"response bodies stream", `
			const r = await fetch("` + srv.URL + `/stream");
			const reader = r.body.getReader();
			const dec = new TextDecoder();
			const a = await reader.read();
			await fetch("` + srv.URL + `/ack");
			let rest = "";
			for (;;) { const c = await reader.read(); if (c.done) break; rest += dec.decode(c.value); }
			return JSON.stringify(dec.decode(a.value) + rest);`, `"first;second"`, ""},
		{"fetches run concurrently", `
			const rs = await Promise.all([1, 2, 3].map(() => fetch("` + srv.URL + `/barrier").then((r) => r.text())));
			return JSON.stringify(rs);`, `["ok","ok","ok"]`, ""},
		{"a failed connection rejects with a TypeError", `
			try { await fetch("http://127.0.0.1:1/"); return "null"; } catch (e) { return JSON.stringify([e instanceof TypeError, e.message.startsWith("fetch failed")]); }`, `[true,true]`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runAction(t, pool, tc.body)
			if tc.wantErr != "" {
				if res.Err == nil || !strings.Contains(res.Err.Message, tc.wantErr) {
					t.Fatalf("got %s %+v, want error %q", res.Value, res.Err, tc.wantErr)
				}
				return
			}
			if res.Err != nil {
				t.Fatalf("error %q", res.Err.Message)
			}
			jsonEqual(t, res.Value, tc.want)
		})
	}
}

func TestAnActionTimesOutWhileWaitingForATimer(t *testing.T) {
	pool := newTestPool(runtime.Options{ActionTimeout: 300 * time.Millisecond})
	res := runAction(t, pool, `await new Promise((r) => setTimeout(r, 60000)); return "null";`)
	if res.Err == nil || !strings.Contains(res.Err.Message, "timed out") {
		t.Fatalf("got %s %+v, want a time-out", res.Value, res.Err)
	}
}

func TestActionsDoNotTakeTheSlotsOfQueries(t *testing.T) {
	pool := newTestPool(runtime.Options{MaxConcurrent: 1, MaxConcurrentActions: 2, ActionTimeout: 10 * time.Second})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	// Two actions wait on the network, holding both action slots.
	waiting := actionModules(`await fetch("` + srv.URL + `"); return "null";`)
	for range 2 {
		go func() {
			_, _ = pool.Run(context.Background(), waiting, runtime.Call{Kind: runtime.KindAction, Module: "act.js", Export: "a", Args: []byte("[{}]"), Host: newFakeDB(pool, waiting)})
		}()
	}
	time.Sleep(100 * time.Millisecond)
	mods := handWritten(`return "1";`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := pool.Run(ctx, mods, runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: "q", Args: []byte("[{}]"), Host: newFakeDB(pool, mods)})
	if err != nil || res.Err != nil || string(res.Value) != "1" {
		t.Fatalf("a query waited behind actions: %v %+v", err, res.Err)
	}
}

func TestActionsGenerateECAndRSAKeyPairs(t *testing.T) {
	pool := newTestPool(runtime.Options{ActionTimeout: 30 * time.Second})
	res := runAction(t, pool, `
		const data = new TextEncoder().encode("signed text");
		const out = [];
		for (const [gen, sig] of [
			[{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
			[{ name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }],
			[{ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
			[{ name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, { name: "RSA-PSS", saltLength: 32 }],
		]) {
			const { publicKey, privateKey } = await crypto.subtle.generateKey(gen, true, ["sign", "verify"]);
			const s = await crypto.subtle.sign(sig, privateKey, data);
			const ok = await crypto.subtle.verify(sig, publicKey, s, data);
			const bad = await crypto.subtle.verify(sig, publicKey, s, new TextEncoder().encode("other"));
			const jwk = await crypto.subtle.exportKey("jwk", publicKey);
			out.push([ok, bad, jwk.kty, privateKey.usages.join(), publicKey.usages.join()]);
		}
		return JSON.stringify(out);`)
	if res.Err != nil {
		t.Fatalf("error %q", res.Err.Message)
	}
	jsonEqual(t, res.Value, `[[true,false,"EC","sign","verify"],[true,false,"EC","sign","verify"],[true,false,"RSA","sign","verify"],[true,false,"RSA","sign","verify"]]`)
}
