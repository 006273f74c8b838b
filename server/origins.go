package server

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// originConfig is what Origins needs: configured origins (empty means
// derive from the request) and the peers trusted to set X-Forwarded-*.
type originConfig struct {
	cloud, site string
	trusted     []netip.Prefix
	// siteHost recognises requests to the site origin's own host; sitePort
	// is the site listener's port (0: none).
	siteHost siteHost
	sitePort int
}

func withOrigins(oc *originConfig, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), originsKey, oc)))
	})
}

// Origins returns the public origins of the deployment as seen by r: the
// cloud origin (the Convex API) and the site origin (HTTP actions).
// Configured origins win; otherwise they are derived from the request,
// honouring X-Forwarded-Proto and X-Forwarded-Host only when the peer is a
// trusted proxy. Without a configured site origin it is the cloud origin
// plus "/http", where hull serves HTTP actions on its single port, or the
// cloud origin's host on the site port when the site listener is on.
func Origins(r *http.Request) (cloud, site string) {
	oc, _ := r.Context().Value(originsKey).(*originConfig)
	if oc == nil {
		oc = &originConfig{}
	}
	cloud = oc.cloud
	if cloud == "" {
		cloud = requestOrigin(r, oc.trusted)
	}
	site = oc.site
	switch {
	case site != "":
	case oc.sitePort != 0:
		site = siteOrigin(cloud, oc.sitePort)
	default:
		site = cloud + "/http"
	}
	return cloud, site
}

// requestOrigin derives scheme://host for r.
func requestOrigin(r *http.Request, trusted []netip.Prefix) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if peerTrusted(r.RemoteAddr, trusted) {
		if p := firstForwarded(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstForwarded(r.Header.Get("X-Forwarded-Host")); h != "" && validHost(h) {
			host = h
		}
	}
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

func firstForwarded(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(strings.TrimSpace(v))
}

func validHost(h string) bool {
	return !strings.ContainsAny(h, "/\\@ \t?#")
}

func peerTrusted(remoteAddr string, trusted []netip.Prefix) bool {
	if len(trusted) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// PublicOrigins returns the deployment's origins without a request, for
// code that has none (such as CONVEX_CLOUD_URL in functions): the
// configured origins, else ones derived from the listen address (loopback
// when listening on every interface). Before Serve, unconfigured origins
// are empty.
func (s *Server) PublicOrigins() (cloud, site string) {
	cloud, site = s.origins.cloud, s.origins.site
	if cloud == "" {
		s.mu.Lock()
		addr := s.listenAddr
		s.mu.Unlock()
		if tcp, ok := addr.(*net.TCPAddr); ok {
			host := tcp.IP
			if host == nil || host.IsUnspecified() {
				host = net.IPv4(127, 0, 0, 1)
			}
			cloud = "http://" + net.JoinHostPort(host.String(), strconv.Itoa(tcp.Port))
		}
	}
	switch {
	case site != "" || cloud == "":
	case s.origins.sitePort != 0:
		site = siteOrigin(cloud, s.origins.sitePort)
	default:
		site = cloud + "/http"
	}
	return cloud, site
}
