package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"hull/persistence"
)

func testEmpty(t *testing.T, h *harness) {
	s := h.store()
	ctx := t.Context()
	if ts := maxTS(t, s); ts != 0 {
		t.Fatalf("max ts of an empty store is %d, want 0", ts)
	}
	from, err := s.RetainedFrom(ctx)
	if err != nil || from != 0 {
		t.Fatalf("retained from = %d, %v; want 0, nil", from, err)
	}
	id := persistence.DocID{Table: 1}
	for _, at := range []int64{persistence.Latest, 0, 5} {
		got, err := s.Get(ctx, []persistence.DocID{id}, at)
		if err != nil || len(got) != 0 {
			t.Fatalf("get at %d = %v, %v; want empty", at, got, err)
		}
		entries, err := s.Scan(ctx, persistence.Range{Index: byField}, at)
		if err != nil || len(entries) != 0 {
			t.Fatalf("scan at %d = %v, %v; want empty", at, entries, err)
		}
	}
	if err := s.Revisions(ctx, 0, persistence.Latest, func(persistence.Revision) error {
		return errors.New("unexpected revision")
	}); err != nil {
		t.Fatalf("revisions of an empty store: %v", err)
	}
}

func testStateMatchesLog(t *testing.T, h *harness) {
	s := h.store()
	w := newWorkload(1, 100)
	writeWorkload(t, s, acquire(t, s, "writer"), w, 150)
	top := maxTS(t, s)
	if top != w.ts {
		t.Fatalf("max ts %d, want %d", top, w.ts)
	}
	replayed := replayLog(t, s, 0, top)
	latest, err := s.Get(t.Context(), w.model.ids(), persistence.Latest)
	if err != nil {
		t.Fatalf("get at latest: %v", err)
	}
	if len(latest) != len(replayed) {
		t.Fatalf("current state has %d documents, the replayed log %d", len(latest), len(replayed))
	}
	for id, r := range replayed {
		if err := sameRevision(latest[id], r); err != nil {
			t.Fatalf("current state disagrees with the log: %v", err)
		}
	}
	checkGet(t, s, w.model, w.model.ids(), persistence.Latest)
	for _, idx := range []persistence.IndexID{byField, byID} {
		r := persistence.Range{Index: idx}
		checkScan(t, s, w.model, r, persistence.Latest)
		checkScan(t, s, w.model, r, top) // the log's view of the same state
	}
}

// replayLog folds Revisions(after, through] into the live documents,
// checking the stream is in (ts, id) order.
func replayLog(t *testing.T, s persistence.Store, after, through int64) map[persistence.DocID]persistence.Revision {
	t.Helper()
	out := map[persistence.DocID]persistence.Revision{}
	var prev *persistence.Revision
	err := s.Revisions(t.Context(), after, through, func(r persistence.Revision) error {
		if r.TS <= after || r.TS > through {
			t.Fatalf("revision at %d outside (%d, %d]", r.TS, after, through)
		}
		if prev != nil && (r.TS < prev.TS || (r.TS == prev.TS && compareIDs(prev.ID, r.ID) >= 0)) {
			t.Fatalf("revisions out of (ts, id) order: %v@%d after %v@%d", r.ID, r.TS, prev.ID, prev.TS)
		}
		prev = &r
		if r.Deleted {
			if r.Value != nil {
				t.Fatalf("deletion of %v at %d carries a value", r.ID, r.TS)
			}
			delete(out, r.ID)
		} else {
			out[r.ID] = r
		}
		return nil
	})
	if err != nil {
		t.Fatalf("revisions (%d, %d]: %v", after, through, err)
	}
	return out
}

func testReadsAtTS(t *testing.T, h *harness) {
	s := h.store()
	w := newWorkload(7, 1000)
	commits := writeWorkload(t, s, acquire(t, s, "writer"), w, 60)
	ids := w.model.ids()
	for i, c := range commits {
		for _, at := range []int64{c.TS - 1, c.TS} {
			checkGet(t, s, w.model, ids, at)
			checkScan(t, s, w.model, persistence.Range{Index: byField}, at)
			checkScan(t, s, w.model, persistence.Range{Index: byID, Descending: true}, at)
			checkScan(t, s, w.model, persistence.Range{Index: byField, Start: []byte{0x01}, End: []byte{'a', 0x00}, Limit: 1 + i%4}, at)
		}
	}
	// Revisions over every split point add up to the whole log.
	rng := rand.New(rand.NewPCG(7, 7))
	for range 10 {
		mid := commits[rng.IntN(len(commits))].TS
		a, b := replayLog(t, s, 0, mid), replayLog(t, s, mid, w.ts)
		for id, r := range b {
			a[id] = r
		}
		for id := range w.model.get(ids, w.ts) {
			if _, ok := a[id]; !ok {
				t.Fatalf("split at %d lost %v", mid, id)
			}
		}
	}
}

func testDeletes(t *testing.T, h *harness) {
	s := h.store()
	l := acquire(t, s, "writer")
	w := newWorkload(11, 10)
	insert := w.next() // inserts at least one document
	write(t, s, l, insert)
	id := insert.Documents[0].ID
	w.ts++
	c := persistence.Commit{TS: w.ts}
	w.remove(&c, id)
	write(t, s, l, w.model.apply(c))
	got, err := s.Get(t.Context(), []persistence.DocID{id}, persistence.Latest)
	if err != nil || len(got) != 0 {
		t.Fatalf("get of a deleted document = %v, %v; want absent", got, err)
	}
	checkGet(t, s, w.model, []persistence.DocID{id}, insert.TS)
	for _, at := range []int64{insert.TS, w.ts, persistence.Latest} {
		checkScan(t, s, w.model, persistence.Range{Index: byField}, at)
		checkScan(t, s, w.model, persistence.Range{Index: byID}, at)
	}
	var deletion *persistence.Revision
	_ = s.Revisions(t.Context(), insert.TS, w.ts, func(r persistence.Revision) error {
		if r.ID == id {
			deletion = &r
		}
		return nil
	})
	if deletion == nil || !deletion.Deleted || deletion.PrevTS != insert.TS || deletion.Value != nil {
		t.Fatalf("deletion revision = %+v, want deleted with prev ts %d and no value", deletion, insert.TS)
	}
}

// testRewritesInOneGroup writes, in one group, a document inserted,
// moved to another index key and back, and one inserted and deleted: each
// commit's revision and index entries must read back at its own ts, and
// the state after the group is the last commit's.
func testRewritesInOneGroup(t *testing.T, h *harness) {
	s := h.store()
	l := acquire(t, s, "writer")
	w := newWorkload(5, 10)
	var group []persistence.Commit
	step := func(f func(c *persistence.Commit)) {
		w.ts++
		c := persistence.Commit{TS: w.ts}
		f(&c)
		group = append(group, w.model.apply(c))
	}
	var a, b persistence.DocID
	step(func(c *persistence.Commit) { a, b = w.insert(c), w.insert(c) })
	w.live[a] = []byte("k") // a's entry moves k → other → k below
	step(func(c *persistence.Commit) { w.updateTo(c, a, []byte("other")) })
	step(func(c *persistence.Commit) { w.updateTo(c, a, []byte("k")); w.remove(c, b) })
	step(func(c *persistence.Commit) { w.updateTo(c, a, []byte("k")) })
	write(t, s, l, group...)
	ids := []persistence.DocID{a, b}
	for _, at := range []int64{group[0].TS, group[1].TS, group[2].TS, group[3].TS, persistence.Latest} {
		checkGet(t, s, w.model, ids, at)
		checkScan(t, s, w.model, persistence.Range{Index: byField}, at)
		checkScan(t, s, w.model, persistence.Range{Index: byID}, at)
	}
	replayed := replayLog(t, s, 0, w.ts)
	if len(replayed) != 1 {
		t.Fatalf("replayed log has %d live documents, want 1", len(replayed))
	}
	var prev []int64
	_ = s.Revisions(t.Context(), 0, w.ts, func(r persistence.Revision) error {
		if r.ID == a {
			prev = append(prev, r.PrevTS)
		}
		return nil
	})
	if want := []int64{0, group[0].TS, group[1].TS, group[2].TS}; fmt.Sprint(prev) != fmt.Sprint(want) {
		t.Fatalf("prev ts of each revision of one document = %v, want %v", prev, want)
	}
}

func testConcurrentReads(t *testing.T, h *harness) {
	s := h.store()
	l := acquire(t, s, "writer")
	w := newWorkload(13, 1)
	commits := make([]persistence.Commit, 60)
	for i := range commits {
		commits[i] = w.next() // the model is complete before anyone reads it
	}
	ids := w.model.ids()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	done := make(chan struct{})
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			readUntilDone(t, s, w.model, ids, r, done, errs)
		}()
	}
	for _, c := range commits {
		if err := s.Write(t.Context(), l, []persistence.Commit{c}); err != nil {
			t.Errorf("write %d: %v", c.TS, err)
			break
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// readUntilDone reads at the durable max ts, checking each result against
// the (complete, read-only) model.
func readUntilDone(t *testing.T, s persistence.Store, m *model, ids []persistence.DocID, n int, done <-chan struct{}, errs chan<- error) {
	ctx := t.Context()
	for i := 0; ; i++ {
		select {
		case <-done:
			return
		default:
		}
		at, err := s.MaxTS(ctx)
		if err != nil {
			errs <- err
			return
		}
		r := persistence.Range{Index: byField, Descending: (i+n)%2 == 0}
		got, err := s.Scan(ctx, r, at)
		if err == nil {
			err = sameEntries(got, m.scan(r, at))
		}
		if err == nil {
			var docs map[persistence.DocID]persistence.Revision
			docs, err = s.Get(ctx, ids, at)
			if err == nil && len(docs) != len(m.get(ids, at)) {
				err = errors.New("get at max ts disagrees with the model")
			}
		}
		if err != nil {
			errs <- err
			return
		}
	}
}
