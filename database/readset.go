package database

import (
	"bytes"
	"sort"

	"hull/persistence"
)

// readSet is a transaction's read intervals merged per index into sorted,
// disjoint intervals, so the committer tests a written key with one
// binary search.
type readSet map[persistence.IndexID][]ReadInterval

// newReadSet merges reads. Empty intervals (End <= Start) hold no key and
// are dropped.
func newReadSet(reads []ReadInterval) readSet {
	rs := readSet{}
	for _, r := range reads {
		if r.End != nil && bytes.Compare(r.Start, r.End) >= 0 {
			continue
		}
		rs[r.Index] = append(rs[r.Index], r)
	}
	for ix, list := range rs {
		sort.Slice(list, func(i, j int) bool { return bytes.Compare(list[i].Start, list[j].Start) < 0 })
		merged := list[:1]
		for _, r := range list[1:] {
			cur := &merged[len(merged)-1]
			if cur.End == nil {
				break // unbounded: covers everything after its start
			}
			if bytes.Compare(r.Start, cur.End) <= 0 {
				if r.End == nil || bytes.Compare(r.End, cur.End) > 0 {
					cur.End = r.End
				}
				continue
			}
			merged = append(merged, r)
		}
		rs[ix] = merged
	}
	return rs
}

// contains reports whether key of index ix falls in some interval.
func (rs readSet) contains(ix persistence.IndexID, key []byte) bool {
	list := rs[ix]
	// The first interval starting after key; the candidate is just before.
	i := sort.Search(len(list), func(i int) bool { return bytes.Compare(list[i].Start, key) > 0 })
	if i == 0 {
		return false
	}
	r := list[i-1]
	return r.End == nil || bytes.Compare(key, r.End) < 0
}

// firstOverlap returns the first written key of sum inside rs.
func (rs readSet) firstOverlap(sum *CommitSummary) (WrittenKey, bool) {
	if len(rs) == 0 {
		return WrittenKey{}, false
	}
	for _, k := range sum.Keys {
		if rs.contains(k.Index, k.Key) {
			return k, true
		}
	}
	return WrittenKey{}, false
}
