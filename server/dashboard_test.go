package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hull/adminkey"
)

func TestDashboardLoginExchangesACodeOnce(t *testing.T) {
	r := start(t, Config{}, readyWith(appFunc(func(*Routes) {})))
	issue := func(at time.Time, ttl time.Duration, instance string) string {
		code, err := adminkey.IssueLoginCode(instance, testSecret, at, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return `{"code":"` + code + `"}`
	}
	fresh := issue(time.Now(), time.Minute, "test-instance")
	cases := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"a fresh code gets an admin key", fresh, 200, ""},
		{"the same code a second time is refused", fresh, 401, CodeLoginCodeUsed},
		{"an expired code is refused", issue(time.Now().Add(-time.Hour), time.Minute, "test-instance"), 401, CodeLoginCodeExpired},
		{"a code of another instance is refused", issue(time.Now(), time.Minute, "other"), 401, CodeLoginCodeInvalid},
		{"garbage is refused", `{"code":"nope"}`, 401, CodeLoginCodeInvalid},
		{"a body without a code is a bad request", `{}`, 400, CodeBadRequest},
		{"an empty body is a bad request", ``, 400, CodeBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := do(t, "POST", r.url+"/api/dashboard/login", c.body, map[string]string{"Content-Type": "application/json"})
			if rep.status != c.status {
				t.Fatalf("status %d, want %d: %s", rep.status, c.status, rep.body)
			}
			m := rep.json(t)
			if c.code != "" && m["code"] != c.code {
				t.Fatalf("code %v, want %s", m["code"], c.code)
			}
			if c.status == 200 {
				key, _ := m["adminKey"].(string)
				if _, err := NewAuth("test-instance", testSecret).Check(key); err != nil {
					t.Fatalf("the key does not check: %v", err)
				}
				if rep.header.Get("Cache-Control") != "no-store" {
					t.Fatalf("Cache-Control %q", rep.header.Get("Cache-Control"))
				}
			}
		})
	}
}

func TestDashboardFiles(t *testing.T) {
	r := start(t, Config{}, readyWith(appFunc(func(*Routes) {})))
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(r.url + "/dashboard")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "dashboard/" {
		t.Fatalf("/dashboard answers %d to %q; want a relative redirect to dashboard/", resp.StatusCode, resp.Header.Get("Location"))
	}
	index := do(t, "GET", r.url+"/dashboard/", "", nil)
	if index.status != 200 || !strings.Contains(index.body, "<div id=\"root\">") {
		t.Fatalf("index: %d %q", index.status, index.body)
	}
	if csp := index.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Fatalf("index has CSP %q", csp)
	}
	if strings.Contains(index.body, `src="/`) || strings.Contains(index.body, `href="/`) {
		t.Fatalf("index uses absolute URLs, which break under a path prefix: %s", index.body)
	}
	route := do(t, "GET", r.url+"/dashboard/data/messages", "", nil)
	if route.status != 200 || route.body != index.body {
		t.Fatalf("a client-side route answers %d, not the app", route.status)
	}
	missing := do(t, "GET", r.url+"/dashboard/assets/nope.js", "", nil)
	if missing.status != 404 {
		t.Fatalf("a missing asset answers %d", missing.status)
	}
	gz := do(t, "GET", r.url+"/dashboard/", "", map[string]string{"Accept-Encoding": "gzip"})
	if gz.header.Get("Content-Encoding") != "gzip" || len(gz.body) >= len(index.body) {
		t.Fatalf("gzip: encoding %q, %d bytes for %d", gz.header.Get("Content-Encoding"), len(gz.body), len(index.body))
	}
}
