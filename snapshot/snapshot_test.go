package snapshot

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"hull/value"
)

func writeSample(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Tables("", []TableRef{{Name: "users", Number: 10001}}); err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{"", "counter"} {
		tw, err := w.Table(ns, "users")
		if err != nil {
			t.Fatal(err)
		}
		doc := value.MustObject(
			value.Field{Name: "b", Value: value.Bytes{1, 2}},
			value.Field{Name: "f", Value: value.Float64(3)},
			value.Field{Name: "n", Value: value.Int64(1 << 60)},
		)
		if err := tw.Write(doc); err != nil {
			t.Fatal(err)
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestASnapshotReadsBackWhatWasWritten(t *testing.T) {
	data := writeSample(t)
	r, err := NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	tables := r.Tables()
	if len(tables) != 2 || tables[0].Namespace != "" || tables[1].Namespace != "counter" || tables[0].Number != 10001 {
		t.Fatalf("tables = %+v", tables)
	}
	var got []value.Object
	if err := r.Documents(tables[1], func(o value.Object) error { got = append(got, o); return nil }); err != nil {
		t.Fatal(err)
	}
	n, _ := got[0].Get("n")
	f, _ := got[0].Get("f")
	if n != value.Int64(1<<60) || f != value.Float64(3) {
		t.Fatalf("n = %#v, f = %#v: int64 and float64 must survive", n, f)
	}
}

func TestBadInputIsAFormatError(t *testing.T) {
	good := writeSample(t)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"a truncated ZIP", good[:len(good)/2], "not a readable ZIP"},
		{"bytes that are no ZIP", []byte("hello"), "not a readable ZIP"},
		{"an empty input", nil, "not a readable ZIP"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(c.data), int64(len(c.data)))
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrFormat with %q", err, c.want)
			}
		})
	}
}

func TestTableFiles(t *testing.T) {
	for _, c := range []struct {
		name   string
		format Format
		input  string
		count  int
		bad    bool
	}{
		{"JSON lines", FormatJSONLines, "{\"a\":1}\n\n{\"a\":2}\n", 2, false},
		{"a JSON array", FormatJSONArray, `[{"a":1},{"a":2},{"a":3}]`, 3, false},
		{"CSV with a header", FormatCSV, "a,b\n1,x\n2,\n", 2, false},
		{"a JSON line that is no object", FormatJSONLines, "[1]\n", 0, true},
		{"an unclosed JSON array", FormatJSONArray, `[{"a":1}`, 1, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			err := ReadTableFile(strings.NewReader(c.input), c.format, func(value.Object) error { n++; return nil })
			if c.bad != (err != nil) || (!c.bad && n != c.count) {
				t.Fatalf("n = %d, err = %v", n, err)
			}
			if c.bad && !errors.Is(err, ErrFormat) {
				t.Fatalf("err = %v, want ErrFormat", err)
			}
		})
	}
}
