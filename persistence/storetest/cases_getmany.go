package storetest

import (
	"testing"

	"hull/persistence"
)

// testGetMany checks the batched point read the database layer relies on
// for round trips: one Get of many ids (live, deleted, never written,
// repeated) answers exactly as one Get per id, at the current state and
// at past timestamps.
func testGetMany(t *testing.T, h *harness) {
	s := h.store()
	l := acquire(t, s, "test")
	w := newWorkload(7, 0)
	commits := writeWorkload(t, s, l, w, 40)
	ids := append(w.model.ids(), persistence.DocID{Table: 999}, persistence.DocID{Table: 999, Internal: [16]byte{1}})
	ids = append(ids, ids[:3]...)
	for _, at := range []int64{persistence.Latest, commits[10].TS, commits[25].TS, commits[len(commits)-1].TS} {
		many, err := s.Get(t.Context(), ids, at)
		if err != nil {
			t.Fatalf("get %d ids at %d: %v", len(ids), at, err)
		}
		one := map[persistence.DocID]persistence.Revision{}
		for _, id := range ids {
			got, err := s.Get(t.Context(), []persistence.DocID{id}, at)
			if err != nil {
				t.Fatalf("get %v at %d: %v", id, at, err)
			}
			for k, v := range got {
				one[k] = v
			}
		}
		if len(many) != len(one) {
			t.Fatalf("at %d: %d documents from one get, %d from gets one by one", at, len(many), len(one))
		}
		for id, want := range one {
			if err := sameRevision(many[id], want); err != nil {
				t.Fatalf("at %d: %v", at, err)
			}
		}
		checkGet(t, s, w.model, ids, at)
	}
}
