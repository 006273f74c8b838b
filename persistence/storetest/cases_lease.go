package storetest

import (
	"errors"
	"testing"

	"hull/persistence"
)

func testTSRisesAcrossReopen(t *testing.T, h *harness) {
	s := h.store()
	w := newWorkload(17, 500)
	writeWorkload(t, s, acquire(t, s, "first"), w, 20)
	top := w.ts
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	s = h.store()
	if got := maxTS(t, s); got != top {
		t.Fatalf("max ts after reopen is %d, want %d", got, top)
	}
	l := acquire(t, s, "second")
	probe := persistence.DocID{Table: 3}
	doc := func(ts int64) persistence.Commit {
		return persistence.Commit{TS: ts, Documents: []persistence.Revision{{ID: probe, TS: ts, Value: []byte(`{}`)}}}
	}
	cases := []struct {
		name    string
		commits []persistence.Commit
	}{
		{"a commit at the durable max", []persistence.Commit{doc(top)}},
		{"a commit below the durable max", []persistence.Commit{doc(top - 1)}},
		{"a group whose later commit does not rise", []persistence.Commit{doc(top + 2), doc(top + 1)}},
		{"a group repeating a ts", []persistence.Commit{doc(top + 1), doc(top + 1)}},
	}
	for _, c := range cases {
		err := s.Write(t.Context(), l, c.commits)
		if !errors.Is(err, persistence.ErrTSNotRising) {
			t.Fatalf("%s: write error %v, want ErrTSNotRising", c.name, err)
		}
		assertUnwritten(t, s, top, probe)
	}
	write(t, s, l, doc(top+1))
	if got := maxTS(t, s); got != top+1 {
		t.Fatalf("max ts after a rising commit is %d, want %d", got, top+1)
	}
}

// assertUnwritten checks that a refused write left no trace.
func assertUnwritten(t *testing.T, s persistence.Store, wantMax int64, probe persistence.DocID) {
	t.Helper()
	if got := maxTS(t, s); got != wantMax {
		t.Fatalf("a refused write moved max ts to %d (want %d)", got, wantMax)
	}
	got, err := s.Get(t.Context(), []persistence.DocID{probe}, persistence.Latest)
	if err != nil || len(got) != 0 {
		t.Fatalf("a refused write left a document: %v, %v", got, err)
	}
}

func testTakeover(t *testing.T, h *harness) {
	ctx := t.Context()
	old := h.store()
	oldLease := acquire(t, old, "old")
	w := newWorkload(19, 10)
	writeWorkload(t, old, oldLease, w, 5)
	retained, _ := old.RetainedFrom(ctx)

	successor := h.store()
	newLease := acquire(t, successor, "new")
	if newLease.Fence <= oldLease.Fence {
		t.Fatalf("takeover fence %d is not above %d", newLease.Fence, oldLease.Fence)
	}
	probe := persistence.DocID{Table: 3, Internal: [16]byte{1}}
	c := persistence.Commit{TS: w.ts + 1, Documents: []persistence.Revision{{ID: probe, TS: w.ts + 1, Value: []byte(`{}`)}}}
	if err := old.Write(ctx, oldLease, []persistence.Commit{c}); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("old writer's write: %v, want ErrFenced", err)
	}
	assertUnwritten(t, old, w.ts, probe)
	assertUnwritten(t, successor, w.ts, probe)
	if _, err := old.GC(ctx, oldLease, w.ts); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("old writer's gc: %v, want ErrFenced", err)
	}
	if got, _ := successor.RetainedFrom(ctx); got != retained {
		t.Fatalf("a fenced gc moved retained-from to %d", got)
	}
	checkGet(t, successor, w.model, w.model.ids(), persistence.Latest)
	for _, c := range []struct {
		store persistence.Store
		lease persistence.Lease
		want  error
	}{{old, oldLease, persistence.ErrFenced}, {successor, oldLease, persistence.ErrFenced}, {old, newLease, nil}, {successor, newLease, nil}} {
		if err := c.store.CheckLease(ctx, c.lease); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Fatalf("check lease %d: %v, want %v", c.lease.Fence, err, c.want)
		}
	}
	// The old writer releasing its stale lease leaves the new one alone.
	if err := old.Release(ctx, oldLease); err != nil {
		t.Fatalf("release of a fenced lease: %v", err)
	}
	write(t, successor, newLease, c)
	// Acquiring again in the same process fences its own earlier lease.
	again := acquire(t, successor, "new again")
	if err := successor.CheckLease(ctx, newLease); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("a lease superseded in the same process still checks: %v", err)
	}
	write(t, successor, again, persistence.Commit{TS: c.TS + 1})
}

func testRelease(t *testing.T, h *harness) {
	ctx := t.Context()
	first := h.store()
	l := acquire(t, first, "first")
	w := newWorkload(23, 10)
	writeWorkload(t, first, l, w, 3)
	if err := first.Release(ctx, l); err != nil {
		t.Fatalf("release: %v", err)
	}
	if err := first.CheckLease(ctx, l); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("a released lease still checks: %v", err)
	}
	probe := persistence.DocID{Table: 3, Internal: [16]byte{2}}
	c := persistence.Commit{TS: w.ts + 1, Documents: []persistence.Revision{{ID: probe, TS: w.ts + 1, Value: []byte(`{}`)}}}
	if err := first.Write(ctx, l, []persistence.Commit{c}); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("write with a released lease: %v, want ErrFenced", err)
	}
	assertUnwritten(t, first, w.ts, probe)
	if err := first.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	next := h.store()
	nl := acquire(t, next, "next")
	if nl.Fence <= l.Fence {
		t.Fatalf("successor fence %d is not above %d", nl.Fence, l.Fence)
	}
	write(t, next, nl, c)
	checkGet(t, next, w.model, w.model.ids(), persistence.Latest)
}
