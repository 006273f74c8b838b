// Package storetest is the conformance suite every persistence.Store backend
// must pass, and the crash-safety check every backend runs. Backends call
// Run and Crash from their own tests.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"hull/persistence"
)

// Backend describes a store implementation under test.
type Backend struct {
	// NewDB prepares a fresh, empty database and returns a function that
	// opens it. Calling open again opens the same database as another
	// process would (for reopen and takeover cases).
	NewDB func(t *testing.T) (open func(ctx context.Context) (persistence.Store, error))
}

// Run runs every conformance case against b, each on a fresh database.
func Run(t *testing.T, b Backend) {
	t.Helper()
	cases := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{"an empty store has nothing and starts at ts zero", testEmpty},
		{"current state equals the replayed log after random commits", testStateMatchesLog},
		{"reads at every historical ts see what was committed by then", testReadsAtTS},
		{"one get of many ids answers as gets one id at a time", testGetMany},
		{"index ranges honour every boundary, order and limit", testRangeBoundaries},
		{"deletes leave current state but stay readable in the past", testDeletes},
		{"a group rewriting one document and key keeps every step", testRewritesInOneGroup},
		{"timestamps keep rising across reopen", testTSRisesAcrossReopen},
		{"a takeover fences the old writer at once", testTakeover},
		{"a released lease writes nothing and a successor takes over", testRelease},
		{"gc keeps what the retention window needs", testGC},
		{"modules are stored once and found by key", testModules},
		{"reads run concurrently with writes", testConcurrentReads},
		{"round trips keep the health up, answered errors included", testHealth},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, &harness{t: t, open: b.NewDB(t)})
		})
	}
}

// harness opens stores on one database and checks them against a model.
type harness struct {
	t    *testing.T
	open func(ctx context.Context) (persistence.Store, error)
}

// store opens the database (again) and closes it when the test ends.
func (h *harness) store() persistence.Store {
	h.t.Helper()
	s, err := h.open(h.t.Context())
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	h.t.Cleanup(func() { _ = s.Close() })
	return s
}

func acquire(t *testing.T, s persistence.Store, holder string) persistence.Lease {
	t.Helper()
	l, err := s.Acquire(t.Context(), holder)
	if err != nil {
		t.Fatalf("acquire lease for %s: %v", holder, err)
	}
	return l
}

func write(t *testing.T, s persistence.Store, l persistence.Lease, commits ...persistence.Commit) {
	t.Helper()
	if err := s.Write(t.Context(), l, commits); err != nil {
		t.Fatalf("write %d commits: %v", len(commits), err)
	}
}

// writeWorkload writes n commits of w in groups of 1–3.
func writeWorkload(t *testing.T, s persistence.Store, l persistence.Lease, w *workload, n int) []persistence.Commit {
	t.Helper()
	var all []persistence.Commit
	for len(all) < n {
		group := make([]persistence.Commit, 0, 3)
		for range min(1+w.rng.IntN(3), n-len(all)) {
			group = append(group, w.next())
		}
		write(t, s, l, group...)
		all = append(all, group...)
	}
	return all
}

func maxTS(t *testing.T, s persistence.Store) int64 {
	t.Helper()
	ts, err := s.MaxTS(t.Context())
	if err != nil {
		t.Fatalf("max ts: %v", err)
	}
	return ts
}

// checkGet asserts Get(ids, at) equals the model.
func checkGet(t *testing.T, s persistence.Store, m *model, ids []persistence.DocID, at int64) {
	t.Helper()
	got, err := s.Get(t.Context(), ids, at)
	if err != nil {
		t.Fatalf("get %d ids at %d: %v", len(ids), at, err)
	}
	want := m.get(ids, at)
	if len(got) != len(want) {
		t.Fatalf("get at %d: %d documents, want %d", at, len(got), len(want))
	}
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Fatalf("get at %d: %v missing", at, id)
		}
		if err := sameRevision(g, w); err != nil {
			t.Fatalf("get at %d: %v", at, err)
		}
	}
}

// checkScan asserts Scan(r, at) equals the model.
func checkScan(t *testing.T, s persistence.Store, m *model, r persistence.Range, at int64) {
	t.Helper()
	got, err := s.Scan(t.Context(), r, at)
	if err != nil {
		t.Fatalf("scan %s at %d: %v", describeRange(r), at, err)
	}
	if err := sameEntries(got, m.scan(r, at)); err != nil {
		t.Fatalf("scan %s at %d: %v", describeRange(r), at, err)
	}
}

func sameEntries(got, want []persistence.IndexEntry) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i].Key, want[i].Key) {
			return fmt.Errorf("entry %d: key %s, want %s", i, short(got[i].Key), short(want[i].Key))
		}
		if err := sameRevision(got[i].Doc, want[i].Doc); err != nil {
			return fmt.Errorf("entry %d (%s): %w", i, short(want[i].Key), err)
		}
	}
	return nil
}

func sameRevision(got, want persistence.Revision) error {
	if got.ID != want.ID || got.TS != want.TS || got.PrevTS != want.PrevTS || got.Deleted != want.Deleted ||
		!bytes.Equal(got.Value, want.Value) {
		return fmt.Errorf("revision %v@%d (prev %d, deleted %v, %d bytes), want %v@%d (prev %d, deleted %v, %d bytes)",
			got.ID, got.TS, got.PrevTS, got.Deleted, len(got.Value),
			want.ID, want.TS, want.PrevTS, want.Deleted, len(want.Value))
	}
	if !want.Deleted && got.Value == nil {
		return fmt.Errorf("revision %v@%d: nil value for a live document", got.ID, got.TS)
	}
	return nil
}

func describeRange(r persistence.Range) string {
	end := "∞"
	if r.End != nil {
		end = short(r.End)
	}
	return fmt.Sprintf("index %d [%s, %s) desc=%v limit=%d", r.Index, short(r.Start), end, r.Descending, r.Limit)
}

// short renders a key for messages, eliding the middle of long ones.
func short(k []byte) string {
	if len(k) <= 24 {
		return fmt.Sprintf("%x", k)
	}
	return fmt.Sprintf("%x…%x(%d bytes)", k[:8], k[len(k)-8:], len(k))
}
