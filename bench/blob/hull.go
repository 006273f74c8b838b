package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hull/app"
	"hull/blob"
	"hull/database"
	"hull/persistence/sqlite"
	"hull/server"
	"hull/value"
)

// hullServer is a whole hull in this process — SQLite, the database, the
// app and the HTTP server on a loopback port — with file storage on a
// given blob store.
type hullServer struct {
	url    string
	app    *app.App
	client *http.Client
	stop   func()
}

type benchBackend struct{ a *app.App }

func (b benchBackend) Routes(r *server.Routes) { server.MountApp(r, b.a) }

func startHull(ctx context.Context, dir string, store blob.Store) (*hullServer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	quiet := slog.New(slog.DiscardHandler)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "hull.db"), sqlite.Options{Logger: quiet})
	if err != nil {
		return nil, err
	}
	lease, err := st.Acquire(ctx, "bench")
	if err != nil {
		return nil, err
	}
	db, err := database.Open(ctx, st, lease, database.Options{CursorKey: []byte("bench"), Logger: quiet})
	if err != nil {
		return nil, err
	}
	a, err := app.New(ctx, st, db, app.Options{Logger: quiet, Files: app.FilesOptions{Store: store, MaxUploadBytes: 4 << 30}})
	if err != nil {
		return nil, err
	}
	srv, err := server.New(server.Config{InstanceName: "bench", InstanceSecret: strings.Repeat("ab", 32), Logger: quiet, MaxBodyBytes: 1 << 20})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(sctx, ln, func(context.Context) (server.Backend, error) { return benchBackend{a}, nil })
	}()
	h := &hullServer{url: "http://" + ln.Addr().String(), app: a, client: &http.Client{}}
	h.stop = func() {
		cancel()
		<-done
		db.Close()
		st.Close()
	}
	last := "no answer"
	for deadline := time.Now().Add(10 * time.Second); ; {
		r, err := http.Get(h.url + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode == 200 {
				return h, nil
			}
			last = fmt.Sprintf("%d %s", r.StatusCode, body)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			h.stop()
			return nil, fmt.Errorf("hull did not become ready: /readyz: %s", last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// upload POSTs body to a fresh upload URL and returns the file's download
// URL.
func (h *hullServer) upload(ctx context.Context, body io.Reader, size int64) (string, error) {
	u, err := h.app.Files().UploadURL(h.url)
	if err != nil {
		return "", err
	}
	id, err := h.post(ctx, u, body, size)
	if err != nil {
		return "", err
	}
	return h.fileURL(ctx, id)
}

// timedUpload is upload of data timing only the POST: what a client of
// storage.generateUploadUrl() waits for. The URL is minted before and
// the download URL looked up after (storage.getUrl(), another call).
func (h *hullServer) timedUpload(ctx context.Context, data []byte) (time.Duration, string, error) {
	u, err := h.app.Files().UploadURL(h.url)
	if err != nil {
		return 0, "", err
	}
	start := time.Now()
	id, err := h.post(ctx, u, bytes.NewReader(data), int64(len(data)))
	d := time.Since(start)
	if err != nil {
		return 0, "", err
	}
	url, err := h.fileURL(ctx, id)
	return d, url, err
}

// post sends body to the upload URL u and returns the storage id of the
// answer.
func (h *hullServer) post(ctx context.Context, u string, body io.Reader, size int64) (value.ID, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, body)
	if err != nil {
		return value.ID{}, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := h.client.Do(req)
	if err != nil {
		return value.ID{}, err
	}
	defer resp.Body.Close()
	var out struct {
		StorageID string `json:"storageId"`
		Message   string `json:"message"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return value.ID{}, err
	}
	if resp.StatusCode != 200 {
		return value.ID{}, fmt.Errorf("upload: %d %s", resp.StatusCode, out.Message)
	}
	return value.ParseID(out.StorageID)
}

// fileURL is the download URL of the file with _storage id id.
func (h *hullServer) fileURL(ctx context.Context, id value.ID) (string, error) {
	file, ok, err := h.app.Files().ByID(ctx, id)
	if err != nil || !ok {
		return "", fmt.Errorf("the uploaded file is not found: %v", err)
	}
	return h.url + "/api/storage/" + file.UUID, nil
}

// download GETs url into dst.
func (h *hullServer) download(ctx context.Context, url string, dst io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("download: status %d", resp.StatusCode)
	}
	return copyBuffered(dst, resp.Body)
}
