package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"hull/blob"
	"hull/database"
	"hull/snapshot"
	"hull/value"
)

// Snapshot exports. A snapshot is read at one timestamp, a page of the
// store at a time, and written as Convex's snapshot ZIP straight into the
// snapshot blob store (or any writer), so memory stays flat whatever the
// size of the deployment. Any timestamp inside the revision log's
// retention window can be exported: that is point-in-time restore.

// SnapshotOptions selects what a snapshot holds.
type SnapshotOptions struct {
	// TS is the timestamp to read at; 0 is the latest durable one.
	TS int64
	// IncludeStorage adds the bytes of stored files.
	IncludeStorage bool
}

// SnapshotStats counts what a snapshot holds.
type SnapshotStats struct {
	TS        int64
	Tables    int
	Documents int64
	// DocumentBytes is the size of the documents' JSON lines.
	DocumentBytes int64
	Files         int64
	FileBytes     int64
}

// WriteSnapshot writes the deployment's data as of opts.TS as a snapshot
// ZIP to w: the app's user tables and _storage, and those of every
// component instance. A TS older than the retained history fails with a
// *database.TooOldError.
func (a *App) WriteSnapshot(ctx context.Context, w io.Writer, opts SnapshotOptions) (SnapshotStats, error) {
	tx, err := a.db.BeginReadAsOf(ctx, opts.TS)
	if err != nil {
		return SnapshotStats{}, fmt.Errorf("begin the snapshot read: %w", err)
	}
	defer tx.Rollback()
	st := SnapshotStats{TS: tx.SnapshotTS()}
	zw, err := snapshot.NewWriter(w, time.Unix(0, st.TS))
	if err != nil {
		return st, err
	}
	for _, ns := range tx.Namespaces() {
		if hiddenNamespace(ns) {
			continue
		}
		if err := a.writeNamespace(ctx, tx.In(ns), zw, opts, &st); err != nil {
			return st, err
		}
	}
	return st, zw.Close()
}

// hiddenNamespace reports whether ns is one of the namespaces imports
// stage into and retire tables through.
func hiddenNamespace(ns string) bool { return strings.HasPrefix(ns, "_") }

func (a *App) writeNamespace(ctx context.Context, tx *database.Tx, zw *snapshot.Writer, opts SnapshotOptions, st *SnapshotStats) error {
	ns := tx.Namespace()
	var refs []snapshot.TableRef
	var names []string
	for _, name := range tx.TableNames() {
		if strings.HasPrefix(name, "_") {
			continue
		}
		n, _ := tx.TableNumber(name)
		refs = append(refs, snapshot.TableRef{Name: name, Number: int64(n)})
		names = append(names, name)
	}
	if err := zw.Tables(ns, refs); err != nil {
		return err
	}
	for _, name := range append(names, storageTable) {
		tw, err := zw.Table(ns, name)
		if err != nil {
			return err
		}
		err = tx.EachDocument(ctx, name, func(doc value.Object) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return tw.Write(doc)
		})
		if err != nil {
			return fmt.Errorf("export table %s: %w", name, err)
		}
		docs, bytes := tw.Count()
		st.Tables++
		st.Documents += docs
		st.DocumentBytes += bytes
		if err := tw.Close(); err != nil {
			return err
		}
	}
	if opts.IncludeStorage {
		return a.writeFiles(ctx, tx, zw, st)
	}
	return nil
}

// writeFiles adds the bytes of every file of the namespace tx views.
func (a *App) writeFiles(ctx context.Context, tx *database.Tx, zw *snapshot.Writer, st *SnapshotStats) error {
	if a.files.store == nil {
		return nil
	}
	var ids []value.ID
	err := tx.EachDocument(ctx, storageTable, func(doc value.Object) error {
		id, err := value.ParseID(strField(doc, "_id"))
		if err != nil {
			return fmt.Errorf("_storage document id: %w", err)
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("export files: %w", err)
	}
	// Looking files up is charged to a transaction's read limits: a fresh
	// one at the same snapshot every batch.
	var view *database.Tx
	for i, id := range ids {
		if i%1000 == 0 {
			if view != nil {
				view.Rollback()
			}
			if view, err = a.db.BeginRead(ctx, st.TS); err != nil {
				return fmt.Errorf("export files: %w", err)
			}
			defer view.Rollback()
			view = view.In(tx.Namespace())
		}
		file, ok, err := a.files.byID(ctx, view, id)
		if err != nil {
			return fmt.Errorf("export file %s: %w", id, err)
		}
		if !ok {
			continue
		}
		rc, err := a.files.store.Get(ctx, file.Key(), blob.Range{})
		if errors.Is(err, blob.ErrNotFound) {
			a.log.Warn("a file's bytes are missing; the snapshot leaves them out", "component", "snapshot", "file", id.String())
			continue
		}
		if err != nil {
			return fmt.Errorf("export file %s: %w", id, a.files.storeError("read", err))
		}
		fw, err := zw.File(tx.Namespace(), id.String())
		if err == nil {
			var n int64
			n, err = io.Copy(fw, rc)
			st.Files++
			st.FileBytes += n
		}
		rc.Close()
		if err != nil {
			return fmt.Errorf("export file %s: %w", id, err)
		}
	}
	return nil
}
