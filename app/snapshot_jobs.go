package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hull/blob"
	"hull/database"
	"hull/snapshot"
	"hull/value"
)

// Export and import jobs, as the CLI follows them: each is a document of
// a system table (_exports, _snapshot_imports) in the shape Convex gives
// it, which the CLI's subscription (exports:getLatest,
// queryImport:default) watches until it settles.
const (
	exportsTable   = "_exports"
	importsTable   = "_snapshot_imports"
	snapshotPrefix = "snapshots/"
	// exportRetention is how long a finished export stays downloadable.
	exportRetention = 14 * 24 * time.Hour
)

// ErrExportInProgress is returned while an export runs.
var ErrExportInProgress = &Error{Status: http.StatusBadRequest, Code: "ExportInProgress", Message: "An export is already requested or in progress."}

// snapshotStore is where exports go.
func (a *App) snapshotStore() (blob.Store, error) {
	if a.opts.Snapshots != nil {
		return a.opts.Snapshots, nil
	}
	if a.files.store != nil {
		return a.files.store, nil
	}
	return nil, &Error{Status: http.StatusInternalServerError, Code: "StorageNotConfigured", Message: "No blob store is configured for snapshot exports."}
}

// SnapshotStore is the blob store exports and backups are written to.
func (a *App) SnapshotStore() (blob.Store, error) { return a.snapshotStore() }

// RequestExport starts an export of the data as of ts (0: now) into the
// snapshot store and returns its ts; the _exports document follows it.
func (a *App) RequestExport(ctx context.Context, includeStorage bool, ts int64) (int64, error) {
	store, err := a.snapshotStore()
	if err != nil {
		return 0, err
	}
	if ts == 0 {
		ts = a.db.DurableTS()
	}
	var id value.ID
	err = a.commitRetry(ctx, func(tx *database.Tx) error {
		if latest, ok, err := latestExport(ctx, tx); err != nil {
			return err
		} else if ok && (strField(latest, "state") == "in_progress" || strField(latest, "state") == "requested") {
			return ErrExportInProgress
		}
		id, err = tx.SystemInsert(ctx, exportsTable, value.MustObject(
			value.Field{Name: "state", Value: value.String("in_progress")},
			value.Field{Name: "start_ts", Value: value.Int64(ts)},
			value.Field{Name: "format", Value: value.String("zip")},
			value.Field{Name: "requestor", Value: value.String("snapshotExport")},
			value.Field{Name: "include_storage", Value: value.Boolean(includeStorage)},
			value.Field{Name: "progress_message", Value: value.String("Exporting")},
		))
		return err
	})
	if err != nil {
		return 0, err
	}
	go a.runExport(context.WithoutCancel(ctx), store, id, SnapshotOptions{TS: ts, IncludeStorage: includeStorage})
	return ts, nil
}

func (a *App) runExport(ctx context.Context, store blob.Store, id value.ID, opts SnapshotOptions) {
	key := fmt.Sprintf("%ssnapshot_%d.zip", snapshotPrefix, opts.TS)
	res, st, err := a.PutSnapshot(ctx, store, key, opts)
	fields := []value.Field{}
	now := time.Now()
	if err != nil {
		a.log.Error("snapshot export failed", "component", "snapshot", "ts", opts.TS, "err", err)
		fields = append(fields, value.Field{Name: "state", Value: value.String("failed")},
			value.Field{Name: "failed_ts", Value: value.Int64(now.UnixNano())},
			value.Field{Name: "error_message", Value: value.String(err.Error())})
	} else {
		a.log.Info("snapshot exported", "component", "snapshot", "ts", st.TS, "documents", st.Documents, "files", st.Files, "bytes", res.Size)
		fields = append(fields, value.Field{Name: "state", Value: value.String("completed")},
			value.Field{Name: "complete_ts", Value: value.Int64(now.UnixNano())},
			value.Field{Name: "expiration_ts", Value: value.Int64(now.Add(exportRetention).UnixNano())},
			value.Field{Name: "zip_object_key", Value: value.String(key)},
			value.Field{Name: "size", Value: value.Int64(res.Size)})
	}
	fields = append(fields, value.Field{Name: "progress_message", Value: nil})
	if err := a.commitRetry(ctx, func(tx *database.Tx) error {
		_, err := tx.SystemPatch(ctx, id, fields)
		return err
	}); err != nil {
		a.log.Error("recording an export's outcome failed", "component", "snapshot", "err", err)
	}
}

// PutSnapshot writes a snapshot into store under key, streaming.
func (a *App) PutSnapshot(ctx context.Context, store blob.Store, key string, opts SnapshotOptions) (blob.PutResult, SnapshotStats, error) {
	pr, pw := io.Pipe()
	var st SnapshotStats
	done := make(chan error, 1)
	go func() {
		var err error
		st, err = a.WriteSnapshot(ctx, pw, opts)
		pw.CloseWithError(err)
		done <- err
	}()
	res, err := store.Put(ctx, key, pr)
	pr.CloseWithError(err)
	werr := <-done
	if werr == nil && err != nil {
		werr = fmt.Errorf("store the snapshot: %w", err)
	}
	if werr != nil {
		// Even when ctx ended: no half-written snapshot stays behind, nor
		// one the store kept though the writer saw its Put fail (an S3
		// PUT the server completed as the request was canceled), which
		// nothing would count or prune.
		_ = store.Delete(context.WithoutCancel(ctx), key)
		return res, st, werr
	}
	return res, st, nil
}

// latestExport is the newest _exports document.
func latestExport(ctx context.Context, tx *database.Tx) (value.Object, bool, error) {
	if _, ok := tx.TableNumber(exportsTable); !ok {
		return value.Object{}, false, nil
	}
	s, err := tx.SystemQuery(ctx, &database.Query{Kind: database.FullTableScan, Table: exportsTable, Descending: true, Operators: []database.Operator{{Limit: 1}}})
	if err != nil {
		return value.Object{}, false, err
	}
	docs, err := s.Collect(ctx)
	if err != nil || len(docs) == 0 {
		return value.Object{}, false, err
	}
	return docs[0], true, nil
}

// OpenExport opens a finished export by its ts or document id.
func (a *App) OpenExport(ctx context.Context, ref string) (io.ReadCloser, int64, string, error) {
	tx, err := a.db.BeginRead(ctx, 0)
	if err != nil {
		return nil, 0, "", err
	}
	defer tx.Rollback()
	var docs []value.Object
	if _, ok := tx.TableNumber(exportsTable); ok {
		if docs, err = tx.SystemScan(ctx, exportsTable); err != nil {
			return nil, 0, "", err
		}
	}
	for _, d := range docs {
		ts, _ := d.Get("start_ts")
		if strField(d, "_id") != ref && fmt.Sprint(ts) != ref {
			continue
		}
		if strField(d, "state") != "completed" {
			return nil, 0, "", &Error{Status: http.StatusNotFound, Code: "ExportNotComplete", Message: "The export " + ref + " is not complete."}
		}
		store, err := a.snapshotStore()
		if err != nil {
			return nil, 0, "", err
		}
		key := strField(d, "zip_object_key")
		info, err := store.Head(ctx, key)
		if err != nil {
			return nil, 0, "", fmt.Errorf("open export %s: %w", ref, err)
		}
		rc, err := store.Get(ctx, key, blob.Range{})
		if err != nil {
			return nil, 0, "", fmt.Errorf("open export %s: %w", ref, err)
		}
		return rc, info.Size, filepath.Base(key), nil
	}
	return nil, 0, "", &Error{Status: http.StatusNotFound, Code: "ExportNotFound", Message: "No export " + ref + "."}
}

// StartImport records an import of the uploaded file at path (which it
// removes when done) and runs it; the _snapshot_imports document follows
// it. It returns the document's id.
func (a *App) StartImport(ctx context.Context, path string, req ImportRequest) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("open the upload: %w", err)
	}
	var id value.ID
	err = a.commitRetry(ctx, func(tx *database.Tx) error {
		id, err = tx.SystemInsert(ctx, importsTable, value.MustObject(
			value.Field{Name: "state", Value: importState("in_progress", value.Field{Name: "progress_message", Value: value.String("Importing")})},
			value.Field{Name: "format", Value: value.String(string(req.Format))},
			value.Field{Name: "mode", Value: value.String(string(req.Mode))},
			value.Field{Name: "table", Value: value.String(req.Table)},
			value.Field{Name: "component", Value: value.String(req.Component)},
			value.Field{Name: "size", Value: value.Int64(st.Size())},
		))
		return err
	})
	if err != nil {
		os.Remove(path)
		return "", err
	}
	// The run is registered before StartImport returns, so a cancel that
	// follows at once finds it.
	req.record, req.job = id.String(), newUUID()[:8]
	runCtx, end := a.imports.begin(context.WithoutCancel(ctx), req.job, req.record)
	go func() {
		defer end()
		a.runImport(runCtx, id, path, st.Size(), req)
	}()
	return id.String(), nil
}

func importState(state string, fields ...value.Field) value.Object {
	return value.MustObject(append([]value.Field{{Name: "state", Value: value.String(state)},
		{Name: "checkpoint_messages", Value: value.Array{}}}, fields...)...)
}

func (a *App) runImport(ctx context.Context, id value.ID, path string, size int64, req ImportRequest) {
	defer os.Remove(path)
	setState := func(state value.Object) {
		if err := a.commitRetry(context.WithoutCancel(ctx), func(tx *database.Tx) error {
			_, err := tx.SystemPatch(ctx, id, []value.Field{{Name: "state", Value: state}})
			return err
		}); err != nil {
			a.log.Error("recording an import's state failed", "component", "snapshot", "err", err)
		}
	}
	req.Progress = func(msg string) {
		setState(importState("in_progress", value.Field{Name: "progress_message", Value: value.String(msg)}))
	}
	var res ImportResult
	f, err := os.Open(path)
	if err == nil {
		res, err = a.Import(ctx, f, size, req)
		f.Close()
	}
	if err != nil {
		a.log.Warn("snapshot import failed", "component", "snapshot", "err", err)
		setState(importState("failed", value.Field{Name: "error_message", Value: value.String(importMessage(err))}))
		return
	}
	a.log.Info("snapshot imported", "component", "snapshot", "documents", res.Documents, "files", res.Files)
	setState(importState("completed", value.Field{Name: "num_rows_written", Value: value.Int64(res.Documents)}))
}

// importMessage is what the CLI prints for a failed import.
func importMessage(err error) string {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	if errors.Is(err, snapshot.ErrFormat) {
		return strings.TrimPrefix(err.Error(), snapshot.ErrFormat.Error()+": ")
	}
	return "Import failed: " + err.Error()
}

// ImportSync runs an import of the file at path and waits for it.
func (a *App) ImportSync(ctx context.Context, path string, req ImportRequest) (ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return ImportResult{}, fmt.Errorf("open the upload: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ImportResult{}, fmt.Errorf("open the upload: %w", err)
	}
	return a.Import(ctx, f, st.Size(), req)
}

// TempDir is where uploads of imports are kept while they run.
func (a *App) TempDir() string {
	if a.opts.TempDir != "" {
		return a.opts.TempDir
	}
	return os.TempDir()
}

// importDocs answers queryImport:default and queryImport:list.
func importDocs(ctx context.Context, tx *database.Tx, id string) (value.Value, error) {
	if _, ok := tx.TableNumber(importsTable); !ok {
		if id != "" {
			return value.Null{}, nil
		}
		return value.Array{}, nil
	}
	docs, err := tx.SystemScan(ctx, importsTable)
	if err != nil {
		return nil, err
	}
	if id != "" {
		for _, d := range docs {
			if strField(d, "_id") == id {
				return d, nil
			}
		}
		return value.Null{}, nil
	}
	out := value.Array{}
	for i := len(docs) - 1; i >= 0 && len(out) < 20; i-- {
		out = append(out, docs[i])
	}
	return out, nil
}

// latestExportValue answers exports:getLatest.
func latestExportValue(ctx context.Context, tx *database.Tx) (value.Value, error) {
	d, ok, err := latestExport(ctx, tx)
	if err != nil || !ok {
		return value.Null{}, err
	}
	return d, nil
}
