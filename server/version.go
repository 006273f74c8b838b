package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Version headers exchanged with the Cloudflare Worker kit
// (deploy/cloudflare) during rolling deploys: the Worker sends its version
// on every request it forwards, hull answers with its own on every
// response. Neither side refuses the other: the Worker only forwards and
// detects the features it needs, and hull logs a Worker older than the
// oldest it was tested with.
const (
	HeaderVersion       = "X-Hull-Version"
	HeaderWorkerVersion = "X-Hull-Worker-Version"
)

// MinWorkerVersion is the oldest Worker kit this hull was released with a
// compatibility promise for (see deploy/cloudflare/src/version.ts).
const MinWorkerVersion = "0.1.0"

// maxWorkerVersionsNoted bounds the Worker versions remembered for
// logging, so a client inventing headers cannot grow memory.
const maxWorkerVersionsNoted = 8

// withVersion sets X-Hull-Version on every response and logs, once per
// value, which Worker kit version requests arrive through.
func withVersion(version string, log *slog.Logger, next http.Handler) http.Handler {
	var mu sync.Mutex
	noted := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(HeaderVersion, version)
		if wv := r.Header.Get(HeaderWorkerVersion); wv != "" {
			mu.Lock()
			first := !noted[wv] && len(noted) < maxWorkerVersionsNoted
			if first {
				noted[wv] = true
			}
			mu.Unlock()
			if first {
				switch {
				case !plainVersion(wv):
					log.Warn("the Cloudflare Worker in front sends a malformed version", "worker_version", truncate(wv, 40))
				case compareVersions(wv, MinWorkerVersion) < 0:
					log.Warn("the Cloudflare Worker in front is older than this hull supports; redeploy it (npx wrangler deploy)",
						"worker_version", wv, "min_worker_version", MinWorkerVersion, "hull_version", version)
				default:
					log.Info("requests arrive through the Cloudflare Worker kit", "worker_version", wv, "hull_version", version)
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// plainVersion accepts dotted numbers with an optional -suffix or
// +suffix, e.g. "0.1.0" or "0.2.0-rc.1".
func plainVersion(v string) bool {
	if len(v) > 40 {
		return false
	}
	core, _, _ := strings.Cut(strings.SplitN(v, "+", 2)[0], "-")
	parts := strings.Split(core, ".")
	if len(parts) < 1 || len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// compareVersions compares the numeric parts of two plain versions.
func compareVersions(a, b string) int {
	pa, pb := versionParts(a), versionParts(b)
	for i := range pa {
		if pa[i] != pb[i] {
			if pa[i] < pb[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func versionParts(v string) [3]uint64 {
	var out [3]uint64
	core, _, _ := strings.Cut(strings.SplitN(v, "+", 2)[0], "-")
	for i, p := range strings.SplitN(core, ".", 3) {
		out[i], _ = strconv.ParseUint(p, 10, 32)
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
