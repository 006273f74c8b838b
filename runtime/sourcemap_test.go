package runtime

import (
	"reflect"
	"testing"
)

func TestVLQDecoding(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"AAAA", []int{0, 0, 0, 0}},
		{"AACA", []int{0, 0, 1, 0}},
		{"D", []int{-1}},
		{"gB", []int{16}},
		{"AAgBC", []int{0, 0, 16, 1}},
		{"2HwrB", []int{123, 696}},
	}
	for _, tc := range tests {
		got, err := decodeVLQ(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("decodeVLQ(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"g", "!", "gggggggggB"} {
		if _, err := decodeVLQ(bad); err == nil {
			t.Errorf("decodeVLQ(%q) accepted a bad segment", bad)
		}
	}
}

func TestSourceMapLookup(t *testing.T) {
	// Line 1: col 0 → a.ts 1:1; col 10 → a.ts 3:5. Line 2: col 4 → b.ts 2:1.
	sm, err := parseSourceMap(`{"version":3,"sources":["a.ts","b.ts"],"names":[],"mappings":"AAAA,UAEI;ICDJ"}`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line, col int
		src       string
		oline     int
		ocol      int
		ok        bool
	}{
		{1, 1, "a.ts", 1, 1, true},
		{1, 5, "a.ts", 1, 1, true},
		{1, 11, "a.ts", 3, 5, true},
		{1, 40, "a.ts", 3, 5, true},
		{2, 5, "b.ts", 2, 1, true},
		{2, 1, "", 0, 0, false},
		{9, 1, "", 0, 0, false},
	}
	for _, tc := range tests {
		src, l, c, ok := sm.lookup(tc.line, tc.col)
		if src != tc.src || l != tc.oline || c != tc.ocol || ok != tc.ok {
			t.Errorf("lookup(%d,%d) = %s %d %d %v; want %s %d %d %v", tc.line, tc.col, src, l, c, ok, tc.src, tc.oline, tc.ocol, tc.ok)
		}
	}
}
