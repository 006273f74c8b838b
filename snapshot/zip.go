// Package snapshot reads and writes Convex's snapshot ZIP format, the
// format of `npx convex export` and `npx convex import`, and the plain
// table files (JSON lines, a JSON array, CSV) import takes:
//
//	README.md
//	_tables/documents.jsonl                  {"name": <table>, "id": <table number>} per table
//	<table>/documents.jsonl                  one document per line, in the export JSON format
//	<table>/generated_schema.jsonl           present: JSON integers are int64, others float64
//	_storage/documents.jsonl                 file metadata ({_id, _creationTime, sha256, size, contentType})
//	_storage/<id>[.<ext>]                    file bytes
//	_components/<name>/...                   a component instance, with the same layout, nested
//
// It knows values and ids but nothing of the database: callers stream
// documents in and out, one at a time, so memory stays flat whatever the
// size of a snapshot.
package snapshot

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"hull/value"
)

// FormatVersion is the version of the snapshot layout hull writes; a
// README declaring a newer one is refused.
const FormatVersion = 1

const (
	readmeName     = "README.md"
	tablesDir      = "_tables"
	storageDir     = "_storage"
	componentsDir  = "_components"
	documentsFile  = "documents.jsonl"
	schemaFile     = "generated_schema.jsonl"
	versionMarker  = "Snapshot format version: "
	maxLineBytes   = 32 << 20
	readmeTemplate = `# Snapshot export

A snapshot of a Convex deployment's data, written by hull.

` + versionMarker + `%d

Each table is a folder holding documents.jsonl (one document per line)
and generated_schema.jsonl. Files are in _storage, component instances
under _components/<name>/. Import it with ` + "`npx convex import --replace-all <file>.zip`" + `
or ` + "`hull restore <file>.zip`" + `.
`
)

// TableRef is one line of _tables/documents.jsonl.
type TableRef struct {
	Name   string `json:"name"`
	Number int64  `json:"id"`
}

// Prefix returns the folder of a namespace in a snapshot ("" for the
// app's, "_components/a/_components/b/" for component a/b).
func Prefix(ns string) string {
	if ns == "" {
		return ""
	}
	var b strings.Builder
	for _, p := range strings.Split(ns, "/") {
		b.WriteString(componentsDir + "/" + p + "/")
	}
	return b.String()
}

// Writer writes a snapshot ZIP, one entry at a time.
type Writer struct {
	zw   *zip.Writer
	when time.Time
}

// NewWriter starts a snapshot on w and writes its README.
func NewWriter(w io.Writer, when time.Time) (*Writer, error) {
	sw := &Writer{zw: zip.NewWriter(w), when: when}
	f, err := sw.create(readmeName)
	if err != nil {
		return nil, err
	}
	if _, err := fmt.Fprintf(f, readmeTemplate, FormatVersion); err != nil {
		return nil, fmt.Errorf("snapshot: write README: %w", err)
	}
	return sw, nil
}

func (w *Writer) create(name string) (io.Writer, error) {
	f, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: w.when})
	if err != nil {
		return nil, fmt.Errorf("snapshot: create %s: %w", name, err)
	}
	return f, nil
}

// Tables writes the table list of a namespace.
func (w *Writer) Tables(ns string, tables []TableRef) error {
	f, err := w.create(Prefix(ns) + tablesDir + "/" + documentsFile)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	for _, t := range tables {
		line, _ := json.Marshal(t)
		bw.Write(line)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// Table starts the documents of a table ("_storage" for file metadata).
// Write its documents, then Close it before starting another entry.
func (w *Writer) Table(ns, name string) (*TableWriter, error) {
	base := Prefix(ns) + name + "/"
	f, err := w.create(base + documentsFile)
	if err != nil {
		return nil, err
	}
	return &TableWriter{w: w, base: base, bw: bufio.NewWriterSize(f, 64<<10)}, nil
}

// File starts the bytes of a stored file of namespace ns.
func (w *Writer) File(ns, id string) (io.Writer, error) {
	return w.create(Prefix(ns) + storageDir + "/" + id)
}

// Close finishes the ZIP (not the underlying writer).
func (w *Writer) Close() error {
	if err := w.zw.Close(); err != nil {
		return fmt.Errorf("snapshot: finish the ZIP: %w", err)
	}
	return nil
}

// TableWriter writes the documents of one table.
type TableWriter struct {
	w     *Writer
	base  string
	bw    *bufio.Writer
	count int64
	bytes int64
}

// Write adds a document.
func (t *TableWriter) Write(doc value.Object) error {
	line := EncodeDocument(doc)
	t.count++
	t.bytes += int64(len(line)) + 1
	t.bw.Write(line)
	if err := t.bw.WriteByte('\n'); err != nil {
		return fmt.Errorf("snapshot: write %s: %w", t.base+documentsFile, err)
	}
	return nil
}

// Count reports the documents and bytes written so far.
func (t *TableWriter) Count() (docs, bytes int64) { return t.count, t.bytes }

// Close ends the table's documents and writes its generated schema.
func (t *TableWriter) Close() error {
	if err := t.bw.Flush(); err != nil {
		return fmt.Errorf("snapshot: write %s: %w", t.base+documentsFile, err)
	}
	f, err := t.w.create(t.base + schemaFile)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, "\"uniform\"\n")
	return err
}
