package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"hull/app"
	"hull/snapshot"
)

// Snapshot export and import over HTTP, as `npx convex export` and
// `npx convex import` call them (admin key required):
//
//	POST /api/export/request/zip?includeStorage=true|false[&ts=<ns>]  start an export (ts: hull's point in time)
//	GET  /api/export/zip/{ts or id}                                     download it
//	POST /api/import/start_upload                                       {"uploadToken"}
//	POST /api/import/upload_part?uploadToken=&partNumber=               raw bytes → "<part token>"
//	POST /api/import/finish_upload                                      {import, uploadToken, partTokens} → {"importId"}
//	POST /api/perform_import                                            {"importId"} (imports start at once)
//	POST /api/import?tableName=&format=&mode=&componentPath=            one shot → {"numWritten"}
//
// Uploads are kept as files in the application's temp dir until the
// import has run.
func (s *apiRoutes) snapshotRoutes(r *Routes) {
	r.HandleFunc("POST /api/export/request/zip", s.admin(s.handleRequestExport))
	r.HandleFunc("GET /api/export/zip/{ts}", s.admin(s.handleDownloadExport))
	r.HandleFunc("POST /api/import/start_upload", s.admin(s.handleStartUpload))
	r.HandleFunc("POST /api/import/upload_part", s.admin(s.handleUploadPart))
	r.HandleFunc("POST /api/import/finish_upload", s.admin(s.handleFinishUpload))
	r.HandleFunc("POST /api/perform_import", s.admin(func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]any{})
	}))
	r.HandleFunc("POST /api/cancel_import", s.admin(s.handleCancelImport))
	r.HandleFunc("POST /api/import", s.admin(s.handleImportOneShot))
}

// admin wraps a handler with the admin-key check.
func (s *apiRoutes) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.requireAdmin(r, ""); err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r)
	}
}

func (s *apiRoutes) handleRequestExport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var ts int64
	if v := q.Get("ts"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			WriteError(w, http.StatusBadRequest, CodeBadRequest, "ts must be a positive integer (nanoseconds)")
			return
		}
		ts = n
	}
	started, err := s.app.RequestExport(r.Context(), q.Get("includeStorage") == "true", ts)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"ts": strconv.FormatInt(started, 10)})
}

func (s *apiRoutes) handleDownloadExport(w http.ResponseWriter, r *http.Request) {
	rc, size, name, err := s.app.OpenExport(r.Context(), r.PathValue("ts"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Content-Disposition", "attachment; filename="+name)
	_, _ = io.Copy(w, rc)
}

// uploadDir is the folder of one upload's parts.
func (s *apiRoutes) uploadDir(token string) (string, error) {
	if len(token) != 32 || strings.Trim(token, "0123456789abcdef") != "" {
		return "", newHTTPError(http.StatusBadRequest, CodeBadRequest, "unknown upload token")
	}
	return filepath.Join(s.app.TempDir(), "hull-import-"+token), nil
}

func (s *apiRoutes) handleStartUpload(w http.ResponseWriter, r *http.Request) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	dir, _ := s.uploadDir(token)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		s.writeError(w, r, fmt.Errorf("create the upload folder: %w", err))
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"uploadToken": token})
}

func (s *apiRoutes) handleUploadPart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dir, err := s.uploadDir(q.Get("uploadToken"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		WriteError(w, http.StatusBadRequest, CodeBadRequest, "partNumber must be 1 to 10000")
		return
	}
	if _, err := os.Stat(dir); err != nil {
		WriteError(w, http.StatusBadRequest, CodeBadRequest, "unknown upload token")
		return
	}
	f, err := os.Create(filepath.Join(dir, strconv.Itoa(n)))
	if err == nil {
		_, err = io.Copy(f, r.Body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		s.writeError(w, r, BodyError(err))
		return
	}
	WriteJSON(w, http.StatusOK, strconv.Itoa(n))
}

// importArgs is the "import" object of finish_upload.
type importArgs struct {
	TableName     string `json:"tableName"`
	ComponentPath string `json:"componentPath"`
	Mode          string `json:"mode"`
	Format        string `json:"format"`
}

func (a importArgs) request() (app.ImportRequest, error) {
	f, err := snapshot.ParseFormat(a.Format)
	if err != nil {
		return app.ImportRequest{}, newHTTPError(http.StatusBadRequest, CodeBadRequest, err.Error())
	}
	mode := app.ImportMode(a.Mode)
	switch mode {
	case "":
		mode = app.ImportRequireEmpty
	case app.ImportRequireEmpty, app.ImportAppend, app.ImportReplace, app.ImportReplaceAll:
	default:
		return app.ImportRequest{}, newHTTPError(http.StatusBadRequest, CodeBadRequest, "unknown import mode "+a.Mode)
	}
	if (f == snapshot.FormatZIP) != (a.TableName == "") {
		return app.ImportRequest{}, newHTTPError(http.StatusBadRequest, CodeBadRequest, "a table name is required for single-table formats and refused for zip")
	}
	return app.ImportRequest{Format: f, Table: a.TableName, Component: a.ComponentPath, Mode: mode}, nil
}

func (s *apiRoutes) handleFinishUpload(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Import      importArgs `json:"import"`
		UploadToken string     `json:"uploadToken"`
		PartTokens  []string   `json:"partTokens"`
	}
	if err := decodeJSONBody(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := body.Import.request()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	dir, err := s.uploadDir(body.UploadToken)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	path := dir + ".upload"
	err = joinParts(dir, path, body.PartTokens)
	os.RemoveAll(dir)
	if err != nil {
		os.Remove(path)
		s.writeError(w, r, err)
		return
	}
	id, err := s.app.StartImport(r.Context(), path, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"importId": id})
}

// joinParts concatenates the parts of an upload, in the order given.
func joinParts(dir, path string, parts []string) error {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create the upload: %w", err)
	}
	defer out.Close()
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			return newHTTPError(http.StatusBadRequest, CodeBadRequest, "unknown part token "+p)
		}
		in, err := os.Open(filepath.Join(dir, p))
		if errors.Is(err, os.ErrNotExist) {
			return newHTTPError(http.StatusBadRequest, CodeBadRequest, "part "+p+" was never uploaded")
		}
		if err != nil {
			return fmt.Errorf("read upload part %s: %w", p, err)
		}
		_, err = io.Copy(out, in)
		in.Close()
		if err != nil {
			return fmt.Errorf("join upload part %s: %w", p, err)
		}
	}
	return out.Close()
}

func (s *apiRoutes) handleImportOneShot(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, err := importArgs{TableName: q.Get("tableName"), ComponentPath: q.Get("componentPath"), Mode: q.Get("mode"), Format: q.Get("format")}.request()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := os.CreateTemp(s.app.TempDir(), "hull-import-*.upload")
	if err != nil {
		s.writeError(w, r, fmt.Errorf("create the upload: %w", err))
		return
	}
	defer os.Remove(f.Name())
	_, err = io.Copy(f, r.Body)
	f.Close()
	if err != nil {
		s.writeError(w, r, BodyError(err))
		return
	}
	res, err := s.app.ImportSync(r.Context(), f.Name(), req)
	if err != nil {
		s.writeError(w, r, importError(err))
		return
	}
	WriteJSON(w, http.StatusOK, map[string]int64{"numWritten": res.Documents})
}

// importError turns unreadable input into a 400.
func importError(err error) error {
	if errors.Is(err, snapshot.ErrFormat) {
		return newHTTPError(http.StatusBadRequest, "ImportFailed", err.Error())
	}
	return err
}

// handleCancelImport cancels a running import: {"importId"} → {}.
func (s *apiRoutes) handleCancelImport(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ImportID string `json:"importId"`
	}
	if err := decodeJSONBody(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.app.CancelImport(r.Context(), body.ImportID); err != nil {
		s.writeError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{})
}
