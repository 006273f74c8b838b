package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"hull/database"
	"hull/snapshot"
	"hull/value"
)

// Snapshot imports are atomic. The documents go, a chunk per commit, into
// tables of a staging namespace nobody reads, under the ids and creation
// times they had; the tables keep their numbers, so every id (and every
// reference to one) stays valid. One last commit then moves the staged
// tables into place and the tables they replace out to a retired
// namespace, which is emptied afterwards: readers see the import all at
// once or not at all, and an import that fails (a corrupt ZIP, a bad
// document, a crash) leaves only its staging tables, which are removed.
// A single commit of the whole import would hold it all in memory; the
// staging tables keep memory flat. Append imports are the exception: they
// insert new documents (new ids) into the existing tables in one
// transaction, within its write limits.

// ImportMode is what an import does with tables that already hold
// documents.
type ImportMode string

// The modes of `npx convex import`.
const (
	ImportRequireEmpty ImportMode = "requireEmpty"
	ImportAppend       ImportMode = "append"
	ImportReplace      ImportMode = "replace"
	ImportReplaceAll   ImportMode = "replaceAll"
)

// ImportRequest describes one import.
type ImportRequest struct {
	Format snapshot.Format
	// Table is the target of a single-table format.
	Table string
	// Component is the component instance the import goes into ("" for
	// the app).
	Component string
	Mode      ImportMode
	// Progress, if set, hears what the import is doing.
	Progress func(msg string)
	// record is the import's _snapshot_imports document, if it has one,
	// and job the id StartImport registered its run under (see importRuns).
	record, job string
}

// ImportResult counts what an import wrote.
type ImportResult struct {
	Documents int64
	Files     int64
	Tables    int
}

const (
	importChunkDocs  = 2000
	importChunkBytes = 4 << 20
)

// importErr is an import refused for its input or the deployment's state.
func importErr(format string, args ...any) error {
	return &Error{Status: http.StatusBadRequest, Code: "ImportFailed", Message: fmt.Sprintf(format, args...)}
}

// stagedTable is one table an import fills.
type stagedTable struct {
	ns, name string
	number   value.TableNumber
	src      snapshot.Table // of a ZIP
}

// importJob is the state of one running import.
type importJob struct {
	a      *App
	req    ImportRequest
	id     string
	tables []*stagedTable
	zip    *snapshot.Reader
	file   *io.SectionReader // a single-table file
	res    ImportResult
}

// Import runs an import from src (size bytes) and returns what it wrote
// once it is visible.
func (a *App) Import(ctx context.Context, src io.ReaderAt, size int64, req ImportRequest) (ImportResult, error) {
	if req.Progress == nil {
		req.Progress = func(string) {}
	}
	if req.Mode == "" {
		req.Mode = ImportRequireEmpty
	}
	j := &importJob{a: a, req: req, id: req.job}
	if j.id == "" {
		j.id = newUUID()[:8]
		var end func()
		ctx, end = a.imports.begin(ctx, j.id, req.record)
		defer end()
	}
	if err := j.plan(src, size); err != nil {
		return ImportResult{}, err
	}
	if req.Mode == ImportAppend {
		return j.res, canceled(ctx, j.appendAll(ctx))
	}
	if err := j.stage(ctx); err != nil {
		j.discard(context.WithoutCancel(ctx), j.stagingNS)
		return ImportResult{}, canceled(ctx, err)
	}
	if err := j.checkSchemas(ctx); err != nil {
		j.discard(context.WithoutCancel(ctx), j.stagingNS)
		return ImportResult{}, canceled(ctx, err)
	}
	// From here on the import cannot be canceled: its last commit must
	// not be left in doubt.
	if !a.imports.startSwap(ctx, j.id) {
		j.discard(context.WithoutCancel(ctx), j.stagingNS)
		return ImportResult{}, canceled(ctx, ctx.Err())
	}
	if err := j.swap(context.WithoutCancel(ctx)); err != nil {
		j.discard(context.WithoutCancel(ctx), j.stagingNS)
		return ImportResult{}, err
	}
	req.Progress("Removing the replaced tables")
	j.discard(context.WithoutCancel(ctx), j.retiredNS)
	return j.res, nil
}

// canceled turns the error of an import whose context was canceled by
// CancelImport into the import error saying so.
func canceled(ctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), errImportCanceled) {
		return importErr("Import canceled.")
	}
	return err
}

func (j *importJob) stagingNS(ns string) string { return "_import/" + j.id + "/" + ns }
func (j *importJob) retiredNS(ns string) string { return "_retired/" + j.id + "/" + ns }

// target is the namespace a snapshot's namespace imports into.
func (j *importJob) target(ns string) string {
	switch {
	case j.req.Component == "":
		return ns
	case ns == "":
		return j.req.Component
	}
	return j.req.Component + "/" + ns
}

// plan opens the input and lists the tables it fills.
func (j *importJob) plan(src io.ReaderAt, size int64) error {
	if j.req.Format != snapshot.FormatZIP {
		if err := value.ValidateIdentifier(j.req.Table); err != nil || strings.HasPrefix(j.req.Table, "_") {
			return importErr("Invalid table name %q for import.", j.req.Table)
		}
		j.file = io.NewSectionReader(src, 0, size)
		t := &stagedTable{ns: j.target(""), name: j.req.Table}
		first, err := j.firstOf(nil)
		if err != nil {
			return err
		}
		t.number = numberOf(first)
		j.tables = []*stagedTable{t}
		return nil
	}
	r, err := snapshot.NewReader(src, size)
	if err != nil {
		return err
	}
	j.zip = r
	for _, st := range r.Tables() {
		t := &stagedTable{ns: j.target(st.Namespace), name: st.Name, number: st.Number, src: st}
		if t.number == 0 || st.Name == storageTable {
			first, err := j.firstOf(&st)
			if err != nil {
				return err
			}
			t.number = numberOf(first)
		}
		if t.number == 0 && st.Name == storageTable && t.ns == "" {
			t.number = value.TableStorage
		}
		j.tables = append(j.tables, t)
	}
	return nil
}

var errStop = errors.New("stop")

// firstOf reads the first document of a table (nil: of the single-table
// file).
func (j *importJob) firstOf(t *snapshot.Table) (value.Object, error) {
	var first value.Object
	keep := func(doc value.Object) error { first = doc; return errStop }
	var err error
	if t == nil {
		err = snapshot.ReadTableFile(io.NewSectionReader(j.file, 0, j.file.Size()), j.req.Format, keep)
	} else {
		err = j.zip.Documents(*t, keep)
	}
	if err != nil && !errors.Is(err, errStop) {
		return value.Object{}, err
	}
	return first, nil
}

// numberOf is the table number of a document's _id (0 if it has none).
func numberOf(doc value.Object) value.TableNumber {
	if id, err := value.ParseID(strField(doc, "_id")); err == nil {
		return id.Table
	}
	return 0
}

// each streams the documents of a table.
func (j *importJob) each(t *stagedTable, fn func(value.Object) error) error {
	if j.zip != nil {
		return j.zip.Documents(t.src, fn)
	}
	return snapshot.ReadTableFile(io.NewSectionReader(j.file, 0, j.file.Size()), j.req.Format, fn)
}

// withIDs gives a document of a user file the _id and _creationTime it
// lacks.
func withIDs(doc value.Object, number value.TableNumber, clock *float64) (value.Object, error) {
	if _, ok := doc.Get("_id"); !ok {
		internal, err := value.NewInternalID(rand.Reader, time.Now())
		if err != nil {
			return doc, fmt.Errorf("new id: %w", err)
		}
		doc = doc.With("_id", value.String(value.ID{Table: number, Internal: internal}.String()))
	}
	if _, ok := doc.Get("_creationTime"); !ok {
		*clock = math.Nextafter(*clock, math.Inf(1))
		doc = doc.With("_creationTime", value.Float64(*clock))
	}
	return doc, nil
}

// storageDoc checks a _storage document of a snapshot and returns the
// metadata hull keeps for it.
func storageDoc(doc value.Object) (value.Object, [32]byte, error) {
	var sum [32]byte
	b, err := base64.StdEncoding.DecodeString(strField(doc, "sha256"))
	if err != nil || len(b) != len(sum) {
		return doc, sum, fmt.Errorf("_storage document %s has no valid sha256", strField(doc, "_id"))
	}
	copy(sum[:], b)
	keep := []value.Field{}
	for _, f := range []string{"_id", "_creationTime", "sha256", "size", "contentType"} {
		if v, ok := doc.Get(f); ok {
			if f == "size" {
				if n, ok := v.(value.Int64); ok {
					v = value.Float64(n)
				}
			}
			keep = append(keep, value.Field{Name: f, Value: v})
		}
	}
	out, err := value.NewObject(keep...)
	return out, sum, err
}

// commitRetry runs fn in a transaction and commits it, again on conflicts.
func (a *App) commitRetry(ctx context.Context, fn func(tx *database.Tx) error) error {
	return a.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := fn(tx); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
}
