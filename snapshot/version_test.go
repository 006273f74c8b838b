package snapshot

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"hull/value"
)

// rezip copies the snapshot ZIP data entry by entry, uncompressed (so
// tests can find and damage an entry's bytes), with the contents of the
// entries named in replace swapped.
func rezip(t *testing.T, data []byte, replace map[string]string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := replace[f.Name]; ok {
			_, err = io.WriteString(w, s)
		} else {
			var rc io.ReadCloser
			if rc, err = f.Open(); err == nil {
				_, err = io.Copy(w, rc)
				rc.Close()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readme(version string) string {
	return "# Snapshot export\n\n" + versionMarker + version + "\n\nMore text.\n"
}

// A README's version decides whether the snapshot is read: newer or
// unreadable versions are refused with ErrFormat and a message naming
// them; this version, older ones and Convex's README without a version
// are read.
func TestTheREADMEFormatVersionIsChecked(t *testing.T) {
	good := writeSample(t)
	tests := []struct {
		name   string
		readme string
		want   string // error substring; "" reads
	}{
		{"a newer version", readme(fmt.Sprint(FormatVersion + 1)), fmt.Sprintf("format version %d; this hull reads up to version %d: upgrade hull", FormatVersion+1, FormatVersion)},
		{"a much newer version", readme("999"), "format version 999"},
		{"an unreadable version", readme("two"), `unreadable format version "two"`},
		{"version 0", readme("0"), "unreadable format version"},
		{"this version", readme(fmt.Sprint(FormatVersion)), ""},
		{"no version (Convex's README)", "# Convex export\n\nSome words.\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := rezip(t, good, map[string]string{readmeName: tt.readme})
			_, err := NewReader(bytes.NewReader(data), int64(len(data)))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("NewReader: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrFormat with %q", err, tt.want)
			}
		})
	}
}

// A truncated snapshot is refused when it is opened, wherever it was
// cut; one whose directory survives but whose documents are damaged is
// refused as they are read. The checksum is known only at the end of an
// entry, so documents of the damaged entry may reach the caller before
// the error: imports stage them where nobody reads.
func TestTruncatedOrDamagedSnapshotsAreRefused(t *testing.T) {
	good := rezip(t, writeSample(t), nil)
	for _, cut := range []int{1, 21, 22, len(good) / 3, len(good) - 22, len(good) - 1} {
		t.Run(fmt.Sprintf("cut to %d of %d bytes", len(good)-cut, len(good)), func(t *testing.T) {
			data := good[:len(good)-cut]
			_, err := NewReader(bytes.NewReader(data), int64(len(data)))
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "not a readable ZIP") {
				t.Fatalf("err = %v, want ErrFormat: not a readable ZIP", err)
			}
		})
	}
	t.Run("a damaged documents entry", func(t *testing.T) {
		data := bytes.Clone(good)
		i := bytes.Index(data, []byte(`"f":3`))
		if i < 0 {
			t.Fatal("the sample's document is not in the ZIP")
		}
		data[i+4] = '4' // the CRC of the entry no longer matches
		r, err := NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("NewReader: %v (the directory is intact)", err)
		}
		var errs []error
		for _, tb := range r.Tables() {
			errs = append(errs, r.Documents(tb, func(value.Object) error { return nil }))
		}
		err = errors.Join(errs...)
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "users/documents.jsonl: "+zip.ErrChecksum.Error()) {
			t.Fatalf("err = %v, want ErrFormat naming the entry and the checksum", err)
		}
	})
}
