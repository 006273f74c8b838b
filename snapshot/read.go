package snapshot

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	"hull/value"
)

// ErrFormat marks input that is not a snapshot or table file hull can
// read: a corrupt or truncated ZIP, a ZIP of another layout or a newer
// format version, a malformed document.
var ErrFormat = errors.New("snapshot: unreadable input")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// Table is one table of a snapshot.
type Table struct {
	// Namespace is "" for the app's tables, else a component path.
	Namespace string
	Name      string
	// Number is the table's number from _tables (0 if not listed).
	Number value.TableNumber
	docs   *zip.File
	exact  bool
}

// Reader reads a snapshot ZIP.
type Reader struct {
	zr     *zip.Reader
	tables []Table
	files  map[string]*zip.File // namespace + "\x00" + storage id
}

// NewReader opens a snapshot stored in r (size bytes), checking its
// directory: a corrupt or truncated ZIP, or one with no tables, is
// ErrFormat.
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, formatErr("not a readable ZIP file (%v)", err)
	}
	sr := &Reader{zr: zr, files: map[string]*zip.File{}}
	byKey := map[[2]string]*Table{}
	numbers := map[string]map[string]int64{}
	sawReadme := false
	for _, f := range zr.File {
		ns, rest, ok := splitNamespace(f.Name)
		if !ok {
			continue
		}
		dir, file := path.Split(rest)
		dir = strings.TrimSuffix(dir, "/")
		switch {
		case rest == readmeName && ns == "":
			sawReadme = true
			if err := checkReadme(f); err != nil {
				return nil, err
			}
		case dir == tablesDir && file == documentsFile:
			m, err := readTableRefs(f)
			if err != nil {
				return nil, err
			}
			numbers[ns] = m
		case dir == storageDir && file != documentsFile && file != schemaFile && file != "":
			id := file
			if i := strings.IndexByte(id, '.'); i > 0 {
				id = id[:i]
			}
			sr.files[ns+"\x00"+id] = f
		case dir != "" && !strings.Contains(dir, "/") && (file == documentsFile || file == schemaFile):
			t := byKey[[2]string{ns, dir}]
			if t == nil {
				t = &Table{Namespace: ns, Name: dir}
				byKey[[2]string{ns, dir}] = t
			}
			if file == documentsFile {
				t.docs = f
			} else {
				t.exact = true
			}
		}
	}
	for _, t := range byKey {
		if t.docs == nil || t.Name == tablesDir {
			continue
		}
		t.Number = value.TableNumber(numbers[t.Namespace][t.Name])
		sr.tables = append(sr.tables, *t)
	}
	if len(sr.tables) == 0 && !sawReadme && len(numbers) == 0 {
		return nil, formatErr("the ZIP holds no <table>/documents.jsonl: it is not a snapshot export")
	}
	sort.Slice(sr.tables, func(i, j int) bool {
		a, b := sr.tables[i], sr.tables[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	return sr, nil
}

// splitNamespace takes the _components/<name>/ prefixes off a path.
func splitNamespace(name string) (ns, rest string, ok bool) {
	var parts []string
	for strings.HasPrefix(name, componentsDir+"/") {
		name = name[len(componentsDir)+1:]
		i := strings.IndexByte(name, '/')
		if i <= 0 {
			return "", "", false
		}
		parts = append(parts, name[:i])
		name = name[i+1:]
	}
	return strings.Join(parts, "/"), name, true
}

func checkReadme(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return formatErr("README.md: %v", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 64<<10))
	if err != nil {
		return formatErr("README.md: %v", err)
	}
	i := bytes.Index(b, []byte(versionMarker))
	if i < 0 {
		return nil // Convex's own README carries no version
	}
	line := b[i+len(versionMarker):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(line)))
	if err != nil || v < 1 {
		return formatErr("README.md declares an unreadable format version %q", line)
	}
	if v > FormatVersion {
		return formatErr("the snapshot is in format version %d; this hull reads up to version %d: upgrade hull", v, FormatVersion)
	}
	return nil
}

func readTableRefs(f *zip.File) (map[string]int64, error) {
	out := map[string]int64{}
	err := eachLine(f, func(n int, line []byte) error {
		var t TableRef
		if err := json.Unmarshal(line, &t); err != nil || t.Name == "" {
			return formatErr("%s line %d: not a {name, id} table entry", f.Name, n)
		}
		out[t.Name] = t.Number
		return nil
	})
	return out, err
}

// Tables lists the snapshot's tables, _storage included, by namespace
// then name.
func (r *Reader) Tables() []Table { return r.tables }

// Documents calls fn for every document of t, in file order.
func (r *Reader) Documents(t Table, fn func(value.Object) error) error {
	nums := NumbersFloat
	if t.exact {
		nums = NumbersExact
	}
	return eachLine(t.docs, func(n int, line []byte) error {
		doc, err := DecodeDocument(line, nums)
		if err != nil {
			return formatErr("%s line %d: %v", t.docs.Name, n, err)
		}
		return fn(doc)
	})
}

// File opens the bytes of the stored file id of namespace ns.
func (r *Reader) File(ns, id string) (io.ReadCloser, bool, error) {
	f, ok := r.files[ns+"\x00"+id]
	if !ok {
		return nil, false, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, true, formatErr("%s: %v", f.Name, err)
	}
	return rc, true, nil
}

// eachLine calls fn for every non-empty line of a ZIP entry. A damaged
// entry (bad checksum, truncated data) is ErrFormat.
func eachLine(f *zip.File, fn func(n int, line []byte) error) error {
	rc, err := f.Open()
	if err != nil {
		return formatErr("%s: %v", f.Name, err)
	}
	defer rc.Close()
	return Lines(rc, func(n int, line []byte) error { return fn(n, line) }, f.Name)
}

// Lines calls fn for every non-empty line of r (name says which file in
// errors); a read error, a damaged ZIP entry included, is ErrFormat.
func Lines(r io.Reader, fn func(n int, line []byte) error, name string) error {
	br := bufio.NewReaderSize(r, 64<<10)
	n := 0
	for {
		line, err := readLine(br)
		if len(line) > 0 {
			n++
			if ferr := fn(n, line); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return formatErr("%s: %v", name, err)
		}
	}
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxLineBytes {
			return nil, fmt.Errorf("a line is longer than %d bytes", maxLineBytes)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimSpace(buf), err
	}
}
