package server

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"hull/app"
)

// File storage over HTTP: POST /api/storage/upload?token=… stores a file
// (the URL comes from storage.generateUploadUrl()), GET (and HEAD)
// /api/storage/{uuid} serves one (the URL comes from storage.getUrl()).
// Both stream: memory use does not grow with the size of the file.

// storageUploadPath has a body limit of its own (MaxUploadBytes), so the
// request body limit of the other endpoints does not apply to it.
const storageUploadPath = "/api/storage/upload"

// storageCacheControl is what Convex sends with files: a file never
// changes, and its URL is a capability, so only private caches keep it.
const storageCacheControl = "private, max-age=2592000"

type storageRoutes struct {
	files *app.Files
}

// mountStorage registers the file storage endpoints. The download route
// overlaps /api/{version}/sync, which Routes dispatches before the mux.
func mountStorage(r *Routes, a *app.App) {
	s := &storageRoutes{files: a.Files()}
	r.HandleFunc("POST "+storageUploadPath, s.handleUpload)
	r.HandleFunc("GET /api/storage/{storageId}", s.handleDownload)
}

// handleUpload streams the body to file storage and answers
// {"storageId": "<_storage id>"}.
func (s *storageRoutes) handleUpload(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" {
		WriteError(w, http.StatusBadRequest, CodeBadRequest, "an upload URL carries a token: get one from storage.generateUploadUrl()")
		return
	}
	digest, err := parseDigest(r.Header.Values("Digest"))
	if err != nil {
		WriteError(w, http.StatusBadRequest, CodeBadRequest, err.Error())
		return
	}
	id, err := s.files.Upload(r.Context(), app.Upload{
		Token:       token,
		Component:   r.URL.Query().Get("component"),
		ContentType: r.Header.Get("Content-Type"),
		Length:      r.ContentLength,
		Body:        r.Body,
		SHA256:      digest,
	})
	if err != nil {
		writeAppError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"storageId": id.String()})
}

// parseDigest reads a "Digest: sha-256=<base64>" header; other algorithms
// are ignored.
func parseDigest(values []string) ([]byte, error) {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			alg, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || !strings.EqualFold(alg, "sha-256") {
				continue
			}
			sum, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
			if err != nil || len(sum) != 32 {
				return nil, errors.New("the Digest header's sha-256 is not a base64 SHA-256 digest")
			}
			return sum, nil
		}
	}
	return nil, nil
}

// writeAppError answers an *app.Error with its status and code, anything
// else as a 500.
func writeAppError(w http.ResponseWriter, err error) {
	var ae *app.Error
	if errors.As(err, &ae) {
		WriteError(w, ae.Status, ae.Code, ae.Message)
		return
	}
	WriteErr(w, err)
}

// copyBufs holds the buffers downloads are copied through.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// handleDownload serves a file, whole or one byte range, with its
// Content-Type, Content-Length, ETag and caching headers.
func (s *storageRoutes) handleDownload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("storageId")
	file, ok, err := s.files.Lookup(r.Context(), id)
	if err != nil {
		writeAppError(w, err)
		return
	}
	if !ok {
		WriteError(w, http.StatusNotFound, "FileNotFound", "no file is stored under "+id)
		return
	}
	h := w.Header()
	etag := `"` + hex.EncodeToString(file.SHA256[:]) + `"`
	h.Set("ETag", etag)
	h.Set("Cache-Control", storageCacheControl)
	h.Set("Accept-Ranges", "bytes")
	if !file.Created.IsZero() {
		h.Set("Last-Modified", file.Created.UTC().Format(http.TimeFormat))
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	rng, partial, status, msg := parseRange(r.Header.Get("Range"), file.Size)
	if ir := r.Header.Get("If-Range"); ir != "" && ir != etag {
		partial, status = false, 0 // the client's copy is another file: send all of this one
	}
	switch status {
	case http.StatusBadRequest:
		WriteError(w, status, CodeBadRequest, msg)
		return
	case http.StatusRequestedRangeNotSatisfiable:
		h.Set("Content-Range", fmt.Sprintf("bytes */%d", file.Size))
		WriteError(w, status, "RangeNotSatisfiable", msg)
		return
	}
	if !partial {
		rng = app.Range{}
	}
	length := rng.End(file.Size) - rng.Offset
	ct := file.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	code := http.StatusOK
	if partial {
		code = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.Offset, rng.Offset+length-1, file.Size))
	}
	if r.Method == http.MethodHead || length == 0 {
		w.WriteHeader(code)
		return
	}
	rc, err := s.files.Read(r.Context(), file, rng)
	if err != nil {
		h.Del("Content-Length")
		h.Del("Content-Range")
		writeAppError(w, err)
		return
	}
	defer rc.Close()
	w.WriteHeader(code)
	// A failure past this point cannot change the status: the response
	// ends short of Content-Length, which clients see as an error. A
	// local file copies itself (sendfile); other readers go through a
	// pooled buffer.
	if wt, ok := rc.(io.WriterTo); ok {
		_, _ = wt.WriteTo(w)
		return
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	_, _ = io.CopyBuffer(onlyWriter{w}, rc, *buf)
}

// onlyWriter hides the ResponseWriter's ReadFrom so CopyBuffer uses the
// pooled buffer.
type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

// etagMatches reports whether an If-None-Match list names etag.
func etagMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// parseRange reads a Range header for an object of size. partial is
// false when the whole object is to be sent (no header, or several
// ranges, which a server may answer whole). status is 400 for a header
// that does not parse and 416 for a range the object cannot satisfy, with
// msg saying why.
func parseRange(header string, size int64) (rng app.Range, partial bool, status int, msg string) {
	header = strings.TrimSpace(header)
	if header == "" {
		return app.Range{}, false, 0, ""
	}
	unit, spec, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return app.Range{}, false, http.StatusBadRequest, fmt.Sprintf("malformed Range header %q: want bytes=<first>-<last>", header)
	}
	if strings.Contains(spec, ",") {
		return app.Range{}, false, 0, ""
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if !ok || (first == "" && last == "") || !digits(first) || !digits(last) {
		return app.Range{}, false, http.StatusBadRequest, fmt.Sprintf("malformed Range header %q: want bytes=<first>-<last>", header)
	}
	unsatisfiable := func() (app.Range, bool, int, string) {
		return app.Range{}, false, http.StatusRequestedRangeNotSatisfiable,
			fmt.Sprintf("range %q is outside the file's %d bytes", spec, size)
	}
	if first == "" { // the last N bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil {
			n = size // overflow: more than the whole file
		}
		if n == 0 || size == 0 {
			return unsatisfiable()
		}
		n = min(n, size)
		return app.Range{Offset: size - n, Length: n}, true, 0, ""
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start >= size {
		return unsatisfiable()
	}
	end := size - 1
	if last != "" {
		e, err := strconv.ParseInt(last, 10, 64)
		if err == nil && e < start {
			return app.Range{}, false, http.StatusBadRequest, fmt.Sprintf("malformed Range header %q: the last byte comes before the first", header)
		}
		if err == nil && e < end {
			end = e
		}
	}
	return app.Range{Offset: start, Length: end - start + 1}, true, 0, ""
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
