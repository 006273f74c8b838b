package server

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"hull/app"
)

func TestNormalizeArgs(t *testing.T) {
	tests := []struct {
		name, in, want string
		status         int
	}{
		{name: "an object is used as is", in: `{"a":1}`, want: `{"a":1}`},
		{name: "the legacy one-element array is unwrapped", in: `[{"a":1}]`, want: `{"a":1}`},
		{name: "missing args are an empty object", in: ``, want: `{}`},
		{name: "null args are an empty object", in: `null`, want: `{}`},
		{name: "an array of two is refused", in: `[{},{}]`, status: 400},
		{name: "a number is refused", in: `5`, status: 400},
		{name: "a bad $integer is refused", in: `{"a":{"$integer":"x"}}`, status: 400},
		{name: "arguments over 16 MiB are refused", in: `{"a":"` + strings.Repeat("x", 16<<20) + `"}`, status: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalizeArgs(json.RawMessage(tt.in))
			if tt.status != 0 {
				var ae *app.Error
				if !errors.As(err, &ae) || ae.Status != tt.status {
					t.Fatalf("normalizeArgs(%.40q) = %s, %v; want status %d", tt.in, got, err, tt.status)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("normalizeArgs(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestTimestampsRoundTrip(t *testing.T) {
	for _, ts := range []int64{0, 1, 1 << 40, 1<<62 + 12345} {
		got, err := decodeTS(encodeTS(ts))
		if err != nil || got != ts {
			t.Fatalf("decodeTS(encodeTS(%d)) = %d, %v", ts, got, err)
		}
	}
	if _, err := decodeTS("AQ=="); err == nil {
		t.Fatal("a ts of 1 byte was accepted")
	}
}
