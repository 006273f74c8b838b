package value

import (
	"bytes"
	"encoding/json"
	"testing"
)

func FuzzFromJSON(f *testing.F) {
	g := loadGolden(f)
	for _, c := range g.Valid {
		f.Add([]byte(c.JSON))
	}
	for _, c := range g.Invalid {
		if len(c.JSON) < 4096 {
			f.Add([]byte(c.JSON))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := FromJSON(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		if err := Validate(v); err != nil {
			t.Fatalf("FromJSON accepted a value Validate refuses: %v", err)
		}
		enc := ToJSON(v)
		w, err := FromJSON(enc)
		if err != nil {
			t.Fatalf("cannot read back %s: %v", enc, err)
		}
		if !Equal(v, w) || !bytes.Equal(ToJSON(w), enc) {
			t.Fatalf("round trip changed %s", enc)
		}
		if Size(v) != Size(w) {
			t.Fatalf("size changed in round trip of %s", enc)
		}
		for _, other := range [][]byte{ToCleanJSON(v), ToExportJSON(v)} {
			if !json.Valid(other) {
				t.Fatalf("invalid JSON %s", other)
			}
		}
		vals, err := DecodeKey(Key(v))
		if err != nil || len(vals) != 1 || !Equal(vals[0], v) {
			t.Fatalf("key round trip of %s failed: %v", enc, err)
		}
	})
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		"j57000820c20a1g7104gm2rc1m70ynr8",
		"j57fzzzzzzzzzzzzzzzzzzzzzx720fwq",
		"0400000000000000000000000000248",
		"j57000820c20a1g7104gm2rc1m70ynr9",
		ID{Table: 1 << 28, Internal: InternalID{9}}.String(),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			if !IsInvalidID(err) {
				t.Fatalf("error %v is not an id error", err)
			}
			return
		}
		if id.Table == 0 {
			t.Fatalf("ParseID(%q) accepted table 0", s)
		}
		if id.String() != s {
			t.Fatalf("ParseID(%q) re-encodes as %q", s, id.String())
		}
	})
}

func FuzzDecodeKey(f *testing.F) {
	g := loadGolden(f)
	for _, c := range g.Order {
		v, err := FromJSON([]byte(c.JSON))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(Key(v, nil, v))
	}
	f.Fuzz(func(t *testing.T, key []byte) {
		vals, err := DecodeKey(key)
		if err != nil {
			return
		}
		if again := Key(vals...); !bytes.Equal(again, key) {
			t.Fatalf("DecodeKey(%x) re-encodes as %x", key, again)
		}
	})
}
