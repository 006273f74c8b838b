package storetest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"hull/persistence"
)

// rangeIndex holds hand-picked keys, not document-id suffixed, that stress
// every boundary a backend could get wrong.
const rangeIndex persistence.IndexID = 7

func rep(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// rangeKeys: prefixes of each other, 0x00 and 0xff edges, keys of 100 KB,
// and keys that tie on their first 2,000 bytes or more.
func rangeKeys() [][]byte {
	return [][]byte{
		{0x00}, []byte("a"), []byte("a\x00"), []byte("a\x00\x00"), []byte("ab"), []byte("abc"), []byte("b"),
		{0xff}, {0xff, 0xff},
		rep('x', 100_000), cat(rep('x', 100_000), []byte("1")), rep('x', 100_001),
		cat(rep('y', 2000), []byte{0x00}), cat(rep('y', 2000), []byte{0x01}),
		cat(rep('y', 2500), []byte("a")), cat(rep('y', 2500), []byte("b")), rep('y', 3000),
	}
}

// laterKeys are added at the second ts, between existing ones.
func laterKeys() [][]byte {
	return [][]byte{[]byte("a\x00\x01"), cat(rep('y', 2000), []byte{0x00, 0x00}), rep('x', 99_999)}
}

func rangeDoc(i int) persistence.DocID {
	id := persistence.DocID{Table: 9}
	binary.BigEndian.PutUint64(id.Internal[8:], uint64(i))
	return id
}

// setupRanges writes rangeKeys at ts 10, then at ts 20 deletes every third
// of them and adds laterKeys.
func setupRanges(t *testing.T, s persistence.Store) *model {
	m := newModel()
	l := acquire(t, s, "writer")
	first := persistence.Commit{TS: 10}
	for i, k := range rangeKeys() {
		first.Documents = append(first.Documents, persistence.Revision{ID: rangeDoc(i), TS: 10, Value: fmt.Appendf(nil, `{"i":%d}`, i)})
		first.Indexes = append(first.Indexes, persistence.IndexWrite{Index: rangeIndex, Key: k, Doc: rangeDoc(i)})
	}
	second := persistence.Commit{TS: 20}
	for i, k := range rangeKeys() {
		if i%3 == 0 {
			second.Documents = append(second.Documents, persistence.Revision{ID: rangeDoc(i), TS: 20, Deleted: true})
			second.Indexes = append(second.Indexes, persistence.IndexWrite{Index: rangeIndex, Key: k, Doc: rangeDoc(i), Deleted: true})
		}
	}
	for j, k := range laterKeys() {
		i := 100 + j
		second.Documents = append(second.Documents, persistence.Revision{ID: rangeDoc(i), TS: 20, Value: fmt.Appendf(nil, `{"i":%d}`, i)})
		second.Indexes = append(second.Indexes, persistence.IndexWrite{Index: rangeIndex, Key: k, Doc: rangeDoc(i)})
	}
	write(t, s, l, m.apply(first))
	write(t, s, l, m.apply(second))
	return m
}

func testRangeBoundaries(t *testing.T, h *harness) {
	s := h.store()
	m := setupRanges(t, s)
	t.Run("named cases return exactly the expected keys", func(t *testing.T) {
		testNamedRanges(t, s)
	})
	// Every stored key is a boundary, and so is the key right after it;
	// every pair of boundaries is a range, at latest and in the past, with
	// the order and the limit (none, 1, 2, 3) cycling over the pairs.
	bounds := [][]byte{nil, {}, rep(0xff, 3)}
	for _, k := range append(rangeKeys(), laterKeys()...) {
		bounds = append(bounds, k, cat(k, []byte{0x00}))
	}
	n := 0
	for _, at := range []int64{persistence.Latest, 15} {
		for _, start := range bounds {
			for _, end := range bounds {
				n++
				r := persistence.Range{Index: rangeIndex, Start: start, End: end, Descending: n%2 == 0, Limit: n / 2 % 4}
				checkScan(t, s, m, r, at)
			}
		}
	}
}

func testNamedRanges(t *testing.T, s persistence.Store) {
	yTie := cat(rep('y', 2000), []byte{0x00})
	cases := []struct {
		name string
		r    persistence.Range
		at   int64
		want [][]byte
	}{
		{"start is inclusive and end exclusive", persistence.Range{Start: []byte("ab"), End: []byte("b")}, 10,
			[][]byte{[]byte("ab"), []byte("abc")}},
		{"a key sorts after the keys it extends", persistence.Range{Start: []byte("a"), End: []byte("ab")}, 10,
			[][]byte{[]byte("a"), []byte("a\x00"), []byte("a\x00\x00")}},
		{"a range whose start equals its end is empty", persistence.Range{Start: []byte("ab"), End: []byte("ab")}, 10, nil},
		{"a range whose start is above its end is empty", persistence.Range{Start: []byte("b"), End: []byte("a")}, 10, nil},
		{"a nil end has no upper bound", persistence.Range{Start: []byte{0xff}}, 10,
			[][]byte{{0xff}, {0xff, 0xff}}},
		{"descending with a limit returns the highest keys", persistence.Range{Descending: true, Limit: 2}, 10,
			[][]byte{{0xff, 0xff}, {0xff}}},
		{"keys of 100 KB compare on their last byte", persistence.Range{Start: rep('x', 100_000), End: rep('x', 100_001)}, 10,
			[][]byte{rep('x', 100_000), cat(rep('x', 100_000), []byte("1"))}},
		{"keys tying on 2,000 bytes order by what follows", persistence.Range{Start: yTie, End: rep('y', 2501)}, 10,
			[][]byte{yTie, cat(rep('y', 2000), []byte{0x01}), cat(rep('y', 2500), []byte("a")), cat(rep('y', 2500), []byte("b"))}},
		{"an end tying on 2,000 bytes excludes only what is above it", persistence.Range{Start: rep('y', 2000), End: cat(rep('y', 2000), []byte{0x01})}, 10,
			[][]byte{yTie}},
		{"a deleted key is gone at latest", persistence.Range{Start: []byte("a"), End: []byte("a\x00\x00\x00")}, persistence.Latest,
			[][]byte{[]byte("a"), []byte("a\x00")}},
		{"a deleted key is still there before its deletion", persistence.Range{Start: []byte("a"), End: []byte("a\x00\x00\x00")}, 19,
			[][]byte{[]byte("a"), []byte("a\x00"), []byte("a\x00\x00")}},
		{"a key added later is absent before it", persistence.Range{Start: []byte("a\x00\x00\x00"), End: []byte("ab")}, 10, nil},
		{"a key added later is present after it", persistence.Range{Start: []byte("a\x00\x00\x00"), End: []byte("ab")}, 20,
			[][]byte{[]byte("a\x00\x01")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.r.Index = rangeIndex
			got, err := s.Scan(t.Context(), c.r, c.at)
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
			want := c.want
			if len(got) != len(want) {
				t.Fatalf("%d entries, want %d", len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i].Key, want[i]) {
					t.Fatalf("entry %d is %s, want %s", i, short(got[i].Key), short(want[i]))
				}
			}
		})
	}
}
