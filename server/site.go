package server

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The site origin: where HTTP actions live. hull serves them under /http on
// its one port, and also
//   - at the root of the site origin's host, when CONVEX_SITE_ORIGIN names
//     a host other than the cloud origin's (a proxy sends both hosts to the
//     one port): a request for that host reaches the HTTP router whatever
//     its path, below the site origin's own path if it has one;
//   - at the root of a second listener (ServeSite), the classic layout's
//     site port, which Convex's own backend runs as a proxy to /http.
// Both are rewritten to /http/... before the middleware, so the API's CORS
// never applies to them.

// siteHost is the host (and path) requests are recognised as site requests
// by; the zero value recognises none.
type siteHost struct {
	host string // lower case, without the scheme's default port
	path string // the site origin's path, "" for the root
}

// newSiteHost derives the site host from the configured origins: only a
// site origin whose host differs from the cloud origin's, or whose path
// differs from /http on the same host, needs one.
func newSiteHost(cloud, site string) siteHost {
	su, err := url.Parse(site)
	if site == "" || err != nil || su.Host == "" {
		return siteHost{}
	}
	sh := siteHost{host: normalHost(su.Scheme, su.Host), path: strings.TrimRight(su.EscapedPath(), "/")}
	if cu, err := url.Parse(cloud); cloud != "" && err == nil && normalHost(cu.Scheme, cu.Host) == sh.host {
		if sh.path == "" || sh.path == "/http" {
			// Everything on the cloud host would be an HTTP action, or the
			// site is the /http the API host serves anyway.
			return siteHost{}
		}
	}
	return sh
}

// normalHost lower-cases host and drops the scheme's default port.
func normalHost(scheme, host string) string {
	host = strings.ToLower(host)
	if h, port, err := net.SplitHostPort(host); err == nil &&
		((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) {
		return h
	}
	return host
}

// match reports whether r is a site request, and the path it has below the
// site origin.
func (sh siteHost) match(r *http.Request, oc *originConfig) (string, bool) {
	if sh.host == "" {
		return "", false
	}
	u, err := url.Parse(requestOrigin(r, oc.trusted))
	if err != nil || normalHost(u.Scheme, u.Host) != sh.host {
		return "", false
	}
	if sh.path == "" {
		return r.URL.EscapedPath(), true
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), sh.path)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	return rest, true
}

// withSiteHost sends the site host's requests to the HTTP actions.
func withSiteHost(oc *originConfig, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := oc.siteHost.match(r, oc); ok {
			r = underHTTP(r, rest)
		}
		next.ServeHTTP(w, r)
	})
}

// withSiteRoot serves every request as an HTTP action (the site listener).
func withSiteRoot(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, underHTTP(r, r.URL.EscapedPath()))
	})
}

// underHTTP returns r with its path moved under /http.
func underHTTP(r *http.Request, escapedPath string) *http.Request {
	if escapedPath == "" || escapedPath[0] != '/' {
		escapedPath = "/" + escapedPath
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	p, err := url.PathUnescape(escapedPath)
	if err != nil {
		p = escapedPath
	}
	u.Path, u.RawPath = "/http"+p, "/http"+escapedPath
	if u.Path == u.RawPath {
		u.RawPath = ""
	}
	r2.URL = &u
	return r2
}

// siteOrigin is the site origin when the site listener is on and no site
// origin is configured: the cloud origin's host on the site port.
func siteOrigin(cloud string, port int) string {
	u, err := url.Parse(cloud)
	if err != nil || u.Host == "" {
		return cloud + "/http"
	}
	return u.Scheme + "://" + net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
}
