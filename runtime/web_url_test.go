package runtime_test

import (
	"encoding/json"
	"testing"

	"hull/runtime"
)

// urlVector is one parse: input and base, and the expected href (empty
// when parsing must fail) with some of its parts.
type urlVector struct {
	input, base, href, host, pathname, search string
}

func TestURLParsingVectors(t *testing.T) {
	vectors := []urlVector{
		// URLs the fast path reads off a match, and near misses it leaves to
		// the parser (values from Node's URL).
		{"http://127.0.0.1:3210/hello", "", "http://127.0.0.1:3210/hello", "127.0.0.1:3210", "/hello", ""},
		{"http://127.0.0.1:3210/hello?x=1&y=2", "", "http://127.0.0.1:3210/hello?x=1&y=2", "127.0.0.1:3210", "/hello", "?x=1&y=2"},
		{"https://site.example/a/b/c/", "", "https://site.example/a/b/c/", "site.example", "/a/b/c/", ""},
		{"https://site.example", "", "https://site.example/", "site.example", "/", ""},
		{"http://h/a%2Fb%20c", "", "http://h/a%2Fb%20c", "h", "/a%2Fb%20c", ""},
		{"http://h/%2e/x", "", "http://h/x", "h", "/x", ""},
		{"http://h/a/%2E%2e/b", "", "http://h/b", "h", "/b", ""},
		{"http://h/a/./b", "", "http://h/a/b", "h", "/a/b", ""},
		{"http://h/x?q='", "", "http://h/x?q=%27", "h", "/x", "?q=%27"},
		{"http://h/x?q=a|b^`{}~", "", "http://h/x?q=a|b^`{}~", "h", "/x", "?q=a|b^`{}~"},
		{"http://h/p[1]|~@:;=,+*()'&$!/", "", "http://h/p[1]|~@:;=,+*()'&$!/", "h", "/p[1]|~@:;=,+*()'&$!/", ""},
		{"http://h:80/", "", "http://h/", "h", "/", ""},
		{"https://h:443/x", "", "https://h/x", "h", "/x", ""},
		{"http://h:0443/", "", "http://h:443/", "h:443", "/", ""},
		{"http://h:65536/", "", "", "", "", ""},
		{"http://h:65535/", "", "http://h:65535/", "h:65535", "/", ""},
		{"http://127.1/", "", "http://127.0.0.1/", "127.0.0.1", "/", ""},
		{"http://1.2.3.4/", "", "http://1.2.3.4/", "1.2.3.4", "/", ""},
		{"http://01.2.3.4/", "", "http://1.2.3.4/", "1.2.3.4", "/", ""},
		{"http://1.2.3.com/", "", "http://1.2.3.com/", "1.2.3.com", "/", ""},
		{"http://a.0x1f/", "", "", "", "", ""},
		{"http://xn--bcher-kva.de/", "", "http://xn--bcher-kva.de/", "xn--bcher-kva.de", "/", ""},
		{"http://h/x#frag?x#y", "", "http://h/x#frag?x#y", "h", "/x", ""},
		{"http://h/x#a`b", "", "http://h/x#a%60b", "h", "/x", ""},
		{"http://h/#", "", "http://h/#", "h", "/", ""},
		{"http://h/?", "", "http://h/?", "h", "/", ""},
		{"ws://h:80/x", "", "ws://h/x", "h", "/x", ""},
		{"wss://h/x", "", "wss://h/x", "h", "/x", ""},
		{"http://-a.b-/", "", "http://-a.b-/", "-a.b-", "/", ""},
		{"http://h/%zz", "", "http://h/%zz", "h", "/%zz", ""},
		{"http://256.1.1.1/", "", "", "", "", ""},
		{"http://h.example/ab?c=%C3%A9", "", "http://h.example/ab?c=%C3%A9", "h.example", "/ab", "?c=%C3%A9"},
		// The parser's own cases.
		{"http://Example.COM/a/b?c#d", "", "http://example.com/a/b?c#d", "example.com", "/a/b", "?c"},
		{"HTTPS://example.com:443/", "", "https://example.com/", "example.com", "/", ""},
		{"http://example.com:8080", "", "http://example.com:8080/", "example.com:8080", "/", ""},
		{"ws://h:80/x", "", "ws://h/x", "h", "/x", ""},
		{"  http://a.b/c d\t\n  ", "", "http://a.b/c%20d", "a.b", "/c%20d", ""},
		{"http://a/b/../c/./d/%2e%2E/e", "", "http://a/c/e", "a", "/c/e", ""},
		{"https://a/x?q=a b&r='\"#f g", "", "https://a/x?q=a%20b&r=%27%22#f%20g", "a", "/x", "?q=a%20b&r=%27%22"},
		{"foo://a/x?q='", "", "foo://a/x?q='", "a", "/x", "?q='"},
		{"../d?x", "http://h/a/b/c", "http://h/a/d?x", "h", "/a/d", "?x"},
		{"//other/p", "https://h/a", "https://other/p", "other", "/p", ""},
		{"?y", "http://h/a/b?x#f", "http://h/a/b?y", "h", "/a/b", "?y"},
		{"#z", "http://h/a/b?x#f", "http://h/a/b?x#z", "h", "/a/b", "?x"},
		{"/abs", "http://u:p@h:81/a", "http://u:p@h:81/abs", "h:81", "/abs", ""},
		{"http:\\\\h\\a\\b", "", "http://h/a/b", "h", "/a/b", ""},
		{"http://user:pa ss@h/", "", "http://user:pa%20ss@h/", "h", "/", ""},
		{"http://a@b@c/", "", "http://a%40b@c/", "c", "/", ""},
		{"http://0x7f.1/", "", "http://127.0.0.1/", "127.0.0.1", "/", ""},
		{"http://2130706433/", "", "http://127.0.0.1/", "127.0.0.1", "/", ""},
		{"http://0300.0250.1.1/", "", "http://192.168.1.1/", "192.168.1.1", "/", ""},
		{"http://[::1]:3000/", "", "http://[::1]:3000/", "[::1]:3000", "/", ""},
		{"http://[2001:DB8:0:0:1:0:0:1]/", "", "http://[2001:db8::1:0:0:1]/", "[2001:db8::1:0:0:1]", "/", ""},
		{"http://[::ffff:192.168.0.1]/", "", "http://[::ffff:c0a8:1]/", "[::ffff:c0a8:1]", "/", ""},
		{"http://bücher.de/", "", "http://xn--bcher-kva.de/", "xn--bcher-kva.de", "/", ""},
		{"http://%41.com/", "", "http://a.com/", "a.com", "/", ""},
		{"http://ex%2fample/", "", "", "", "", ""},
		{"http://a b/", "", "", "", "", ""},
		{"http://[::1/", "", "", "", "", ""},
		{"http://1.2.3.256/", "", "", "", "", ""},
		{"http://h:65536/", "", "", "", "", ""},
		{"http://h:8a/", "", "", "", "", ""},
		{"http:///", "", "", "", "", ""},
		{"no-scheme", "", "", "", "", ""},
		{"mailto:Joe@Example.com", "", "mailto:Joe@Example.com", "", "Joe@Example.com", ""},
		{"data:text/plain,a b", "", "data:text/plain,a b", "", "text/plain,a b", ""},
		{"javascript:alert(1)#x", "", "javascript:alert(1)#x", "", "alert(1)", ""},
		{"x", "mailto:a@b", "", "", "", ""},
		{"file:///C:/a/../../b", "", "file:///C:/b", "", "/C:/b", ""},
		{"file://localhost/etc/x", "", "file:///etc/x", "", "/etc/x", ""},
		{"file:c:\\d", "", "file:///c:/d", "", "/c:/d", ""},
		{"git+ssh://git@github.com/x.git", "", "git+ssh://git@github.com/x.git", "github.com", "/x.git", ""},
		{"non-special://H%4fST/p", "", "non-special://H%4fST/p", "H%4fST", "/p", ""},
		{"sc:/a/./b/../c", "", "sc:/a/c", "", "/a/c", ""},
		{"http://h/€?€#€", "", "http://h/%E2%82%AC?%E2%82%AC#%E2%82%AC", "h", "/%E2%82%AC", "?%E2%82%AC"},
		{"http://h/{x}^`", "", "http://h/%7Bx%7D%5E%60", "h", "/%7Bx%7D%5E%60", ""},
	}
	pool := newTestPool(runtime.Options{})
	for _, kind := range []runtime.Kind{runtime.KindQuery, runtime.KindAction} {
		for _, v := range vectors {
			t.Run(string(kind)+"/"+v.input, func(t *testing.T) {
				in, _ := json.Marshal(v.input)
				base, _ := json.Marshal(v.base)
				res := runWeb(t, pool, kind, `const b = `+string(base)+` || undefined;
					if (!URL.canParse(`+string(in)+`, b)) { try { new URL(`+string(in)+`, b); return "no throw" } catch (e) { return [e.name, e.code] } }
					const u = new URL(`+string(in)+`, b); return [u.href, u.host, u.pathname, u.search, JSON.stringify(u), String(u) === u.href]`)
				if res.Err != nil {
					t.Fatalf("error %s", res.Err.Message)
				}
				var want string
				if v.href == "" {
					want = `["TypeError","ERR_INVALID_URL"]`
				} else if v.host == "" && v.pathname == "" {
					want = "" // only href is checked
				} else {
					w, _ := json.Marshal([]any{v.href, v.host, v.pathname, v.search, `"` + v.href + `"`, true})
					want = string(w)
				}
				if want == "" {
					var got []any
					if err := json.Unmarshal(res.Value, &got); err != nil || len(got) == 0 || got[0] != v.href {
						t.Fatalf("got %s, want href %q", res.Value, v.href)
					}
					return
				}
				jsonEqual(t, res.Value, want)
			})
		}
	}
}

func TestURLObjects(t *testing.T) {
	runWebCases(t, []runtime.Kind{runtime.KindQuery, runtime.KindAction}, []webCase{
		{"origin of special, file and opaque URLs", `return [new URL("https://a.b:8443/x").origin, new URL("file:///x").origin, new URL("blob:https://a.b/uuid").origin, new URL("foo://x").origin]`,
			`["https://a.b:8443","null","https://a.b","null"]`},
		{"searchParams is live in both directions", `const u = new URL("http://h/p?a=1&b=2"); u.searchParams.append("c", "x y"); const s1 = u.search;
			u.search = "?z=9"; const g = u.searchParams.get("z"); u.searchParams.delete("z"); return [s1, g, u.href]`,
			`["?a=1&b=2&c=x+y","9","http://h/p"]`},
		{"setters follow the state machine", `const u = new URL("http://u@h:1/p?q#f"); u.protocol = "https"; u.hostname = "Ex.com"; u.port = "443";
			u.pathname = "a b/../c"; u.hash = "x y"; u.username = "n:m"; u.password = "p@"; const a = u.href;
			u.protocol = "foo"; u.port = "99999"; u.host = "new:8080"; return [a, u.href]`,
			`["https://n%3Am:p%40@ex.com/c?q#x%20y","https://n%3Am:p%40@new:8080/c?q#x%20y"]`},
		{"the href setter throws on a bad URL", `const u = new URL("http://h/"); try { u.href = "nope" } catch (e) { return [e.name, u.href] }`, `["TypeError","http://h/"]`},
		{"URL.parse returns null on failure", `return [URL.parse("x"), URL.parse("/a", "http://h").href]`, `[null,"http://h/a"]`},
		{"URLSearchParams parses, encodes and sorts", `const p = new URLSearchParams("?b=2&a=1&a=%20x+y&c&=e&%zz=%E2%82%AC");
			const all = [...p]; p.sort(); return [all, p.getAll("a"), p.has("a", "1"), p.size, p.toString()]`,
			`[[["b","2"],["a","1"],["a"," x y"],["c",""],["","e"],["%zz","€"]],["1"," x y"],true,6,"=e&%25zz=%E2%82%AC&a=1&a=+x+y&b=2&c="]`},
		{"URLSearchParams from records and pairs, set replaces all", `const p = new URLSearchParams({ x: "1", y: "~!*()'" }); const q = new URLSearchParams([["k", "v"], ["k", "w"]]); q.set("k", "z");
			const keys = []; p.forEach((v, k) => keys.push(k)); return [p.toString(), q.toString(), keys]`,
			`["x=1&y=%7E%21*%28%29%27","k=z",["x","y"]]`},
	})
}

// TestURLFastPathAgreesWithTheParser compares URLs the fast path takes with
// the same URLs behind a leading space, which the parser strips but the
// fast path does not match: both must give the same URL.
func TestURLFastPathAgreesWithTheParser(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	res := runWeb(t, pool, runtime.KindQuery, `
		const alphabet = "aZ09-._~!$&'()*+,;=:@[]|%/?#^`+"`"+`{}<>\\\" 2eE.";
		const hosts = ["h", "a.b", "127.0.0.1", "1.2.3", "a.1", "x.0x", "xn--a.b", "a-b.c", "256.0.0.1", "0.0.0.0", "a..b", "01.2.3.4", "a.b.", "A.b"];
		const ports = ["", ":80", ":443", ":8080", ":0", ":65535", ":65536", ":08"];
		const schemes = ["http", "https", "ws", "wss", "HTTP", "ftp"];
		let seed = 1;
		const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
		const parts = (u) => [u.href, u.protocol, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin];
		const bad = [];
		for (let i = 0; i < 2000 && bad.length < 5; i++) {
			let tail = "";
			for (let j = rnd(12); j > 0; j--) tail += alphabet[rnd(alphabet.length)];
			const s = schemes[rnd(schemes.length)] + "://" + hosts[rnd(hosts.length)] + ports[rnd(ports.length)] + (rnd(3) ? "/" : "") + tail;
			let a, b;
			try { a = JSON.stringify(parts(new URL(s))); } catch (e) { a = e.name; }
			try { b = JSON.stringify(parts(new URL(" " + s))); } catch (e) { b = e.name; }
			if (a !== b) bad.push([s, a, b]);
		}
		return bad;`)
	if res.Err != nil {
		t.Fatalf("error %s", res.Err.Message)
	}
	jsonEqual(t, res.Value, `[]`)
}
