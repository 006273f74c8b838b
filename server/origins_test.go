package server

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestOrigins(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name      string
		cfg       originConfig
		remote    string
		host      string
		headers   map[string]string
		wantCloud string
		wantSite  string
	}{
		{name: "without configuration the request host is used", cfg: originConfig{trusted: loopback},
			remote: "10.1.2.3:5000", host: "hull.local:3210", wantCloud: "http://hull.local:3210", wantSite: "http://hull.local:3210/http"},
		{name: "a trusted proxy sets scheme and host", cfg: originConfig{trusted: loopback},
			remote: "127.0.0.1:5000", host: "internal:3210",
			headers:   map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example.com, internal"},
			wantCloud: "https://app.example.com", wantSite: "https://app.example.com/http"},
		{name: "an IPv6 loopback proxy is trusted", cfg: originConfig{trusted: loopback},
			remote: "[::1]:5000", host: "internal", headers: map[string]string{"X-Forwarded-Proto": "https"},
			wantCloud: "https://internal", wantSite: "https://internal/http"},
		{name: "an untrusted peer cannot forge forwarded headers", cfg: originConfig{trusted: loopback},
			remote: "203.0.113.9:5000", host: "hull.example.com",
			headers:   map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example.com"},
			wantCloud: "http://hull.example.com", wantSite: "http://hull.example.com/http"},
		{name: "an empty trust list trusts nobody", cfg: originConfig{},
			remote: "127.0.0.1:5000", host: "h", headers: map[string]string{"X-Forwarded-Host": "evil"},
			wantCloud: "http://h", wantSite: "http://h/http"},
		{name: "a forwarded host with a path is ignored", cfg: originConfig{trusted: loopback},
			remote: "127.0.0.1:5000", host: "h", headers: map[string]string{"X-Forwarded-Host": "evil/x"},
			wantCloud: "http://h", wantSite: "http://h/http"},
		{name: "configured origins win", cfg: originConfig{cloud: "https://api.example.com", site: "https://site.example.com", trusted: loopback},
			remote: "127.0.0.1:5000", host: "h", headers: map[string]string{"X-Forwarded-Host": "other"},
			wantCloud: "https://api.example.com", wantSite: "https://site.example.com"},
		{name: "a configured cloud origin alone implies the /http site", cfg: originConfig{cloud: "https://api.example.com"},
			remote: "127.0.0.1:5000", host: "h", wantCloud: "https://api.example.com", wantSite: "https://api.example.com/http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/api/v1/get_canonical_urls", nil)
			req.RemoteAddr, req.Host = tt.remote, tt.host
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			var cloud, site string
			withOrigins(&tt.cfg, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				cloud, site = Origins(r)
			})).ServeHTTP(httptest.NewRecorder(), req)
			if cloud != tt.wantCloud || site != tt.wantSite {
				t.Fatalf("Origins = %q, %q; want %q, %q", cloud, site, tt.wantCloud, tt.wantSite)
			}
		})
	}
}

func TestPublicOriginsWithoutARequest(t *testing.T) {
	r := start(t, Config{}, readyWith(appFunc(func(*Routes) {})))
	do(t, "GET", r.url+"/version", "", nil) // Serve has started once it answers
	cloud, site := r.srv.PublicOrigins()
	if cloud != r.url || site != r.url+"/http" {
		t.Fatalf("PublicOrigins = %q %q, want %q", cloud, site, r.url)
	}
	srv, err := New(Config{InstanceName: "x", CloudOrigin: "https://api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if cloud, site := srv.PublicOrigins(); cloud != "https://api.example.com" || site != "https://api.example.com/http" {
		t.Fatalf("configured PublicOrigins = %q %q", cloud, site)
	}
}
