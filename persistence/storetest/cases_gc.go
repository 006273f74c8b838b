package storetest

import (
	"errors"
	"testing"

	"hull/persistence"
)

func testGC(t *testing.T, h *harness) {
	ctx := t.Context()
	s := h.store()
	l := acquire(t, s, "writer")
	w := newWorkload(29, 100)
	commits := writeWorkload(t, s, l, w, 80)
	keepFrom := commits[40].TS
	stats, err := s.GC(ctx, l, keepFrom)
	if err != nil {
		t.Fatalf("gc: %v", err)
	}
	if stats.DocumentRevisions == 0 || stats.IndexEntries == 0 {
		t.Fatalf("gc removed nothing from a log full of superseded revisions: %+v", stats)
	}
	if got, err := s.RetainedFrom(ctx); err != nil || got != keepFrom {
		t.Fatalf("retained from = %d, %v; want %d", got, err, keepFrom)
	}
	checkRetainedWindow(t, s, w, keepFrom)
	for _, at := range []int64{keepFrom - 1, 0} {
		if _, err := s.Get(ctx, w.model.ids(), at); !errors.Is(err, persistence.ErrTooOld) {
			t.Fatalf("get below the window at %d: %v, want ErrTooOld", at, err)
		}
		if _, err := s.Scan(ctx, persistence.Range{Index: byID}, at); !errors.Is(err, persistence.ErrTooOld) {
			t.Fatalf("scan below the window at %d: %v, want ErrTooOld", at, err)
		}
	}
	var after int
	if err := s.Revisions(ctx, keepFrom, w.ts, func(persistence.Revision) error { after++; return nil }); err != nil {
		t.Fatalf("revisions after the window start: %v", err)
	}
	if want := countRevisions(w.model, keepFrom, w.ts); after != want {
		t.Fatalf("gc touched revisions above keepFrom: %d left, want %d", after, want)
	}
	// A lower keepFrom never lowers the floor.
	if _, err := s.GC(ctx, l, keepFrom-10); err != nil {
		t.Fatalf("gc below the floor: %v", err)
	}
	if got, _ := s.RetainedFrom(ctx); got != keepFrom {
		t.Fatalf("gc below the floor moved retained-from to %d", got)
	}
	testGCOfTrailingDeletion(t, h, s, l, w)
}

// testGCOfTrailingDeletion ends the log with a deletion and collects up to
// it: the deletion's rows may go, but MaxTS must not fall, even after a
// reopen.
func testGCOfTrailingDeletion(t *testing.T, h *harness, s persistence.Store, l persistence.Lease, w *workload) {
	ctx := t.Context()
	if len(w.order) == 0 {
		w.ts++
		c := persistence.Commit{TS: w.ts}
		w.insert(&c)
		write(t, s, l, w.model.apply(c))
	}
	w.ts++
	c := persistence.Commit{TS: w.ts}
	w.remove(&c, w.order[0])
	write(t, s, l, w.model.apply(c))
	if _, err := s.GC(ctx, l, w.ts); err != nil {
		t.Fatalf("gc up to a deletion: %v", err)
	}
	checkRetainedWindow(t, s, w, w.ts)
	if got := maxTS(t, s); got != w.ts {
		t.Fatalf("max ts fell to %d after gc, want %d", got, w.ts)
	}
	_ = s.Close()
	s = h.store()
	if got := maxTS(t, s); got != w.ts {
		t.Fatalf("max ts after gc and reopen is %d, want %d", got, w.ts)
	}
	l = acquire(t, s, "after gc")
	if err := s.Write(ctx, l, []persistence.Commit{{TS: w.ts}}); !errors.Is(err, persistence.ErrTSNotRising) {
		t.Fatalf("a write at the collected max ts: %v, want ErrTSNotRising", err)
	}
	writeWorkload(t, s, l, w, 10)
	checkRetainedWindow(t, s, w, w.ts-5)
}

// checkRetainedWindow compares every read from keepFrom on with the model.
func checkRetainedWindow(t *testing.T, s persistence.Store, w *workload, keepFrom int64) {
	t.Helper()
	ids := w.model.ids()
	for at := keepFrom; at <= w.ts; at++ {
		checkGet(t, s, w.model, ids, at)
		checkScan(t, s, w.model, persistence.Range{Index: byField}, at)
		checkScan(t, s, w.model, persistence.Range{Index: byID, Descending: true}, at)
	}
	checkGet(t, s, w.model, ids, persistence.Latest)
	checkScan(t, s, w.model, persistence.Range{Index: byField}, persistence.Latest)
}

func countRevisions(m *model, after, through int64) int {
	n := 0
	for _, hist := range m.docs {
		for _, r := range hist {
			if r.TS > after && r.TS <= through {
				n++
			}
		}
	}
	return n
}
