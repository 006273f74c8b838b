package value

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

func mustHex16(t *testing.T, s string) InternalID {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		t.Fatalf("bad hex %q", s)
	}
	return InternalID(b)
}

func TestIDsMatchTheSpecVectors(t *testing.T) {
	cases := []struct {
		name     string
		table    TableNumber
		internal string
		text     string
	}{
		{"a user table with counting bytes", 10001, "000102030405060708090a0b0c0d0e0f", "j57000820c20a1g7104gm2rc1m70ynr8"},
		{"a user table with random bytes and a day", 10001, "ffffffffffffffffffffffffffff4e20", "j57fzzzzzzzzzzzzzzzzzzzzzx720fwq"},
		{"table one with zero bytes", 1, "00000000000000000000000000000000", "0400000000000000000000000000248"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := ID{Table: c.table, Internal: mustHex16(t, c.internal)}
			if got := id.String(); got != c.text {
				t.Fatalf("String() = %q, want %q", got, c.text)
			}
			back, err := ParseID(c.text)
			if err != nil {
				t.Fatalf("ParseID(%q): %v", c.text, err)
			}
			if back != id {
				t.Fatalf("ParseID(%q) = %+v, want %+v", c.text, back, id)
			}
		})
	}
}

func TestIDLengthsFollowTheTableNumber(t *testing.T) {
	cases := []struct {
		table TableNumber
		n     int
	}{{1, 31}, {127, 31}, {128, 32}, {16383, 32}, {16384, 34}, {1<<21 - 1, 34}, {1 << 21, 36}, {1<<28 - 1, 36}, {1 << 28, 37}, {1<<32 - 1, 37}}
	for _, c := range cases {
		id := ID{Table: c.table, Internal: InternalID{1, 2, 3}}
		s := id.String()
		if len(s) != c.n {
			t.Errorf("table %d: id %q has length %d, want %d", c.table, s, len(s), c.n)
		}
		back, err := ParseID(s)
		if err != nil || back != id {
			t.Errorf("table %d: ParseID(%q) = %+v, %v", c.table, s, back, err)
		}
	}
}

func TestParseIDRefusesBadIDsWithTypedErrors(t *testing.T) {
	good := "j57000820c20a1g7104gm2rc1m70ynr8"
	cases := []struct {
		name string
		text string
		code Code
	}{
		{"a footer that does not match", "j57000820c20a1g7104gm2rc1m70ynr9", CodeIDChecksum},
		{"an empty string", "", CodeIDLength},
		{"a string that is too short", good[:30], CodeIDLength},
		{"a string that is too long", good + "000000", CodeIDLength},
		{"a length no id has", good + "0", CodeIDLength},
		{"an uppercase letter", strings.ToUpper(good), CodeIDCharacter},
		{"a letter outside the alphabet", "j57000820c20a1g7104gm2rc1m70ynru", CodeIDCharacter},
		{"a NUL byte", "j57000820c20a1g7104gm2rc1m70ynr\x00", CodeIDCharacter},
		{"table number zero", ID{Table: 0}.String(), CodeIDTable},
		{"non-canonical trailing bits", "0400000000000000000000000000249", CodeIDFormat},
		{"an overlong table number", overlongID(), CodeIDTable},
		{"a table id with the wrong layout", "04000000000000000000000000000000", CodeIDFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseID(c.text)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseID(%q) = %v, want an *Error", c.text, err)
			}
			if e.Code != c.code {
				t.Fatalf("ParseID(%q) code %s (%v), want %s", c.text, e.Code, err, c.code)
			}
			if !IsInvalidID(err) {
				t.Fatalf("IsInvalidID(%v) = false", err)
			}
		})
	}
}

func TestNewInternalIDLeadsWithTheTimeAndEndsWithTheDay(t *testing.T) {
	now := time.UnixMilli(1_728_000_000_123) // day 20000
	r := bytes.NewReader(bytes.Repeat([]byte{0xab}, 8))
	id, err := NewInternalID(r, now)
	if err != nil {
		t.Fatal(err)
	}
	want := mustHex16(t, "019254d3807babababababababab4e20")
	if id != want {
		t.Fatalf("NewInternalID = %x, want %x", id, want)
	}
	later, err := NewInternalID(bytes.NewReader(make([]byte, 8)), now.Add(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Compare(later[:], id[:]) <= 0 {
		t.Fatalf("an id made a millisecond later sorts first: %x <= %x", later, id)
	}
	if _, err := NewInternalID(bytes.NewReader(make([]byte, 5)), now); err == nil {
		t.Fatal("NewInternalID with a short reader succeeded")
	}
}

func TestSystemTablesHaveFixedNumbersBelowUserTables(t *testing.T) {
	for _, name := range []string{"_tables", "_index", "_storage", "_scheduled_functions"} {
		n, ok := SystemTableNumber(name)
		if !ok || n == 0 || n >= FirstUserTable {
			t.Errorf("SystemTableNumber(%q) = %d, %v", name, n, ok)
		}
	}
	if _, ok := SystemTableNumber("messages"); ok {
		t.Error("a user table has a system number")
	}
	if s := (ID{Table: FirstUserTable}).String(); len(s) != 32 || s[0] != 'j' {
		t.Errorf("first user table id %q is not 32 characters starting with j", s)
	}
}

// overlongID encodes table 1 as the two varint bytes 0x81 0x00, with a
// footer that matches, so only the varint check can refuse it.
func overlongID() string {
	b := []byte{0x81, 0x00}
	b = append(b, make([]byte, 16)...)
	sum := fletcher16(b)
	b = append(b, byte(sum), byte(sum>>8))
	return string(appendBase32(nil, b))
}
