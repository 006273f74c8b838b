package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"hull/adminkey"
	"hull/dashboard"
)

// hull's own dashboard: the embedded single-page app at /dashboard/, and
// the exchange of a `hull dashboard` login code for an admin key. Both
// answer without storage, so the dashboard loads (and shows the server's
// state) while storage is still opening.

// dashboardCSP lets the app load only its own files and talk only to its
// own origin (HTTP and the sync WebSocket).
const dashboardCSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; " +
	"script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

// dashboardFiles serves the embedded build, gzip-compressed for clients
// that accept it (compressed once per file, then kept).
type dashboardFiles struct {
	fsys fs.FS
	mu   sync.Mutex
	gz   map[string][]byte
}

func newDashboardFiles(fsys fs.FS) *dashboardFiles {
	return &dashboardFiles{fsys: fsys, gz: map[string][]byte{}}
}

func (d *dashboardFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/dashboard/")
	if name == "" || !fs.ValidPath(name) {
		name = "index.html"
	}
	data, err := fs.ReadFile(d.fsys, name)
	if errors.Is(err, fs.ErrNotExist) && !strings.HasPrefix(name, "assets/") {
		// A client-side route: the app itself.
		name = "index.html"
		data, err = fs.ReadFile(d.fsys, name)
	}
	if err != nil {
		WriteError(w, http.StatusNotFound, CodeNotFound, "no dashboard file "+r.URL.Path)
		return
	}
	h := w.Header()
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if strings.HasPrefix(name, "assets/") {
		// Hashed names: a new build has new names.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", dashboardCSP)
		h.Set("X-Frame-Options", "DENY")
	}
	h.Add("Vary", "Accept-Encoding")
	if compressible(ctype) && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		data = d.gzipped(name, data)
		h.Set("Content-Encoding", "gzip")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

func (d *dashboardFiles) gzipped(name string, data []byte) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	if gz, ok := d.gz[name]; ok {
		return gz
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(data)
	_ = zw.Close()
	d.gz[name] = buf.Bytes()
	return d.gz[name]
}

// usedCodes remembers the nonces of exchanged login codes until they
// expire, so each code works once. It lives in memory: a code used just
// before a restart could be used again until it expires (minutes).
type usedCodes struct {
	mu    sync.Mutex
	nonce map[string]time.Time
}

func newUsedCodes() *usedCodes { return &usedCodes{nonce: map[string]time.Time{}} }

// use records nonce and reports whether it was new.
func (u *usedCodes) use(nonce string, expires, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	for n, exp := range u.nonce {
		if !now.Before(exp) {
			delete(u.nonce, n)
		}
	}
	if _, used := u.nonce[nonce]; used {
		return false
	}
	u.nonce[nonce] = expires
	return true
}

// Codes of the login exchange.
const (
	CodeLoginCodeInvalid = "LoginCodeInvalid"
	CodeLoginCodeExpired = "LoginCodeExpired"
	CodeLoginCodeUsed    = "LoginCodeUsed"
)

// serveDashboardLogin exchanges a login code (POST {"code"}) for an admin
// key. The key travels only in this response's body.
func (s *Server) serveDashboardLogin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Code string `json:"code"`
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	if err != nil || len(data) == 0 {
		WriteError(w, http.StatusBadRequest, CodeBadRequest, "send {\"code\": \"<login code>\"} from a `hull dashboard` link")
		return
	}
	if err := json.Unmarshal(data, &body); err != nil || body.Code == "" {
		WriteError(w, http.StatusBadRequest, CodeBadRequest, "send {\"code\": \"<login code>\"} from a `hull dashboard` link")
		return
	}
	now := time.Now()
	nonce, expires, err := adminkey.CheckLoginCode(body.Code, s.cfg.InstanceName, s.cfg.InstanceSecret, now)
	switch {
	case errors.Is(err, adminkey.ErrLoginCodeExpired):
		WriteError(w, http.StatusUnauthorized, CodeLoginCodeExpired, "This login link has expired: run `hull dashboard` again for a new one, or log in with an admin key.")
		return
	case err != nil:
		WriteError(w, http.StatusUnauthorized, CodeLoginCodeInvalid, "This login link is not valid for this deployment: run `hull dashboard` again, or log in with an admin key.")
		return
	}
	if !s.dashboardLinks.use(nonce, expires, now) {
		WriteError(w, http.StatusUnauthorized, CodeLoginCodeUsed, "This login link was already used: each link logs in once. Run `hull dashboard` again for a new one.")
		return
	}
	key, err := adminkey.Issue(s.cfg.InstanceName, s.cfg.InstanceSecret)
	if err != nil {
		WriteErr(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, map[string]string{"adminKey": key})
}

// mountDashboard adds the dashboard's routes to the storage-free mux.
func (s *Server) mountDashboard(base *http.ServeMux) {
	files := newDashboardFiles(dashboard.Assets())
	base.HandleFunc("GET /dashboard", func(w http.ResponseWriter, r *http.Request) {
		// Relative, so it holds behind a proxy that mounts hull under a
		// prefix.
		w.Header().Set("Location", "dashboard/")
		w.WriteHeader(http.StatusMovedPermanently)
	})
	base.Handle("GET /dashboard/", files)
	base.HandleFunc("POST /api/dashboard/login", s.serveDashboardLogin)
}
