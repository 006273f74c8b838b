package server

import (
	"net/http"
	"testing"

	"hull/app"
)

func TestParseRange(t *testing.T) {
	const size = 1000
	tests := []struct {
		name    string
		header  string
		size    int64
		rng     app.Range
		partial bool
		status  int
	}{
		{"no header sends the whole file", "", size, app.Range{}, false, 0},
		{"a closed range is served", "bytes=0-99", size, app.Range{Offset: 0, Length: 100}, true, 0},
		{"an open range runs to the end", "bytes=990-", size, app.Range{Offset: 990, Length: 10}, true, 0},
		{"a suffix range takes the last bytes", "bytes=-10", size, app.Range{Offset: 990, Length: 10}, true, 0},
		{"a suffix longer than the file takes all of it", "bytes=-5000", size, app.Range{Offset: 0, Length: size}, true, 0},
		{"a range past the end is cut at the end", "bytes=500-5000", size, app.Range{Offset: 500, Length: 500}, true, 0},
		{"a last byte too large to parse is the end", "bytes=1-99999999999999999999999", size, app.Range{Offset: 1, Length: 999}, true, 0},
		{"the unit is case-insensitive and spaces are allowed", " Bytes = 1 - 2 ", size, app.Range{Offset: 1, Length: 2}, true, 0},
		{"several ranges are answered with the whole file", "bytes=0-1,5-6", size, app.Range{}, false, 0},
		{"a range starting at the end is not satisfiable", "bytes=1000-", size, app.Range{}, false, http.StatusRequestedRangeNotSatisfiable},
		{"a range starting past the end is not satisfiable", "bytes=2000-3000", size, app.Range{}, false, http.StatusRequestedRangeNotSatisfiable},
		{"an empty suffix is not satisfiable", "bytes=-0", size, app.Range{}, false, http.StatusRequestedRangeNotSatisfiable},
		{"no range of an empty file is satisfiable", "bytes=0-", 0, app.Range{}, false, http.StatusRequestedRangeNotSatisfiable},
		{"a first byte too large to parse is not satisfiable", "bytes=99999999999999999999999-", size, app.Range{}, false, http.StatusRequestedRangeNotSatisfiable},
		{"another unit is malformed", "items=0-1", size, app.Range{}, false, http.StatusBadRequest},
		{"a missing equals sign is malformed", "bytes 0-1", size, app.Range{}, false, http.StatusBadRequest},
		{"letters are malformed", "bytes=a-b", size, app.Range{}, false, http.StatusBadRequest},
		{"a lone dash is malformed", "bytes=-", size, app.Range{}, false, http.StatusBadRequest},
		{"a missing dash is malformed", "bytes=5", size, app.Range{}, false, http.StatusBadRequest},
		{"a last byte before the first is malformed", "bytes=9-3", size, app.Range{}, false, http.StatusBadRequest},
		{"a negative first byte is malformed", "bytes=--3", size, app.Range{}, false, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng, partial, status, msg := parseRange(tc.header, tc.size)
			if rng != tc.rng || partial != tc.partial || status != tc.status {
				t.Fatalf("parseRange(%q, %d) = %+v, %v, %d (%s); want %+v, %v, %d", tc.header, tc.size, rng, partial, status, msg, tc.rng, tc.partial, tc.status)
			}
			if status != 0 && msg == "" {
				t.Fatal("an error without a message")
			}
		})
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"", "bytes=0-1", "bytes=-5", "bytes=5-", "bytes=1-2,3-4", "bytes=9-3", "items=1-2"} {
		f.Add(s, int64(100))
	}
	f.Fuzz(func(t *testing.T, header string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		rng, partial, status, _ := parseRange(header, size)
		if partial {
			if status != 0 || rng.Offset < 0 || rng.Length < 1 || rng.Offset+rng.Length > size {
				t.Fatalf("parseRange(%q, %d) = %+v, status %d: outside the file", header, size, rng, status)
			}
		}
		if status != 0 && status != http.StatusBadRequest && status != http.StatusRequestedRangeNotSatisfiable {
			t.Fatalf("status %d", status)
		}
	})
}

func TestParseDigest(t *testing.T) {
	sum := "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" // sha-256 of ""
	tests := []struct {
		name   string
		values []string
		ok     bool
		bad    bool
	}{
		{"no header", nil, false, false},
		{"a sha-256 digest", []string{"sha-256=" + sum}, true, false},
		{"among other algorithms, any case", []string{"md5=abc, SHA-256=" + sum}, true, false},
		{"only other algorithms", []string{"md5=abc"}, false, false},
		{"not base64", []string{"sha-256=!!!"}, false, true},
		{"the wrong length", []string{"sha-256=YWJj"}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDigest(tc.values)
			if (err != nil) != tc.bad || (got != nil) != tc.ok {
				t.Fatalf("parseDigest(%q) = %x, %v", tc.values, got, err)
			}
		})
	}
}

func TestETagMatching(t *testing.T) {
	etag := `"abc"`
	for list, want := range map[string]bool{`"abc"`: true, `W/"abc"`: true, `"x", "abc"`: true, `*`: true, `"abd"`: false} {
		if etagMatches(list, etag) != want {
			t.Errorf("etagMatches(%s) = %v", list, !want)
		}
	}
}
