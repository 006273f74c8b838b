package database_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"hull/database"
	"hull/value"
)

// Mutations from many goroutines run concurrently, conflicting ones are
// run again, and readers at a snapshot always see a whole number of
// committed mutations.
func TestConcurrentMutationsAndSnapshotReads(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	const writers, perWriter = 4, 10
	empty := obj(t, `{}`)
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter*2)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWriter {
				err := e.db.Retry(ctx, func(ctx context.Context) error {
					tx, err := e.db.Begin(ctx)
					if err != nil {
						return err
					}
					defer tx.Rollback()
					// Two documents per mutation: a snapshot must never see an odd count.
					for range 2 {
						if _, err := tx.Insert(ctx, "t", empty); err != nil {
							return err
						}
					}
					_, err = tx.Commit(ctx)
					return err
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 50 {
			tx, err := e.db.BeginRead(ctx, 0)
			if err != nil {
				errs <- err
				return
			}
			n, err := tx.Count(ctx, "t")
			if err != nil {
				errs <- err
			} else if n%2 != 0 {
				t.Errorf("snapshot at %d saw %d documents", tx.SnapshotTS(), n)
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	e.read(func(tx *database.Tx) {
		if n, _ := tx.Count(ctx, "t"); n != writers*perWriter*2 {
			t.Fatalf("count %d", n)
		}
	})
}

func TestCommitSummariesInvalidateReadSets(t *testing.T) {
	ctx := context.Background()
	e := itemsEnv(t)
	tx, err := e.db.BeginRead(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Reads a=2 only.
	if _, err := collect(t, tx, query(t, indexQuery("items.by_ab", nil, []any{rng("Eq", "a", 2)}))); err != nil {
		t.Fatal(err)
	}
	reads, start := tx.ReadSet(), tx.SnapshotTS()
	tests := []struct {
		name        string
		doc         string
		invalidates bool
	}{
		{"an insert outside the range", `{"a":9,"b":"x"}`, false},
		{"an insert inside the range", `{"a":2,"b":"z"}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.db.DurableTS()
			ts := e.mutate(func(tx *database.Tx) { mustInsert(t, tx, "items", tc.doc) })
			got, ok := e.db.CommitsSince(before, ts)
			if !ok || len(got) != 1 || got[0].TS != ts {
				t.Fatalf("CommitsSince: %+v %v", got, ok)
			}
			if database.Overlaps(reads, got) != tc.invalidates {
				t.Fatalf("Overlaps = %v, want %v", !tc.invalidates, tc.invalidates)
			}
		})
	}
	if all, ok := e.db.CommitsSince(start, e.db.DurableTS()); !ok || len(all) != 2 {
		t.Fatalf("all commits since the read: %d %v", len(all), ok)
	}
	waitCtx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.db.WaitDurable(waitCtx, e.db.DurableTS()); err == nil {
		t.Fatal("WaitDurable returned without a commit")
	}
	if ts, err := e.db.WaitDurable(ctx, start); err != nil || ts <= start {
		t.Fatalf("WaitDurable: %d %v", ts, err)
	}
}

// Sixteen goroutines increment one counter; every conflict is run again
// by the test, and the final value counts every increment exactly once.
func TestConcurrentIncrementsOfOneCounterAreExact(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t, be.open(t), database.Options{})
			id := insertDoc(t, db, "counters", `{"n":0}`)
			const clients, each = 16, 25
			var wg sync.WaitGroup
			var mu sync.Mutex
			conflicts := 0
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range each {
						for {
							err := increment(ctx, db, id)
							if err == nil {
								break
							}
							if !database.IsConflict(err) {
								t.Error(err)
								return
							}
							mu.Lock()
							conflicts++
							mu.Unlock()
						}
					}
				}()
			}
			wg.Wait()
			if got := counterValue(t, db, id); got != clients*each {
				t.Fatalf("counter = %v, want %d", got, clients*each)
			}
			st := db.Stats()
			if st.Conflicts != int64(conflicts) || st.Commits != clients*each+1 {
				t.Fatalf("stats %+v; the test saw %d conflicts", st, conflicts)
			}
			t.Logf("%d conflicts, %d groups for %d commits (largest %d)", conflicts, st.Groups, st.Commits, st.MaxGroup)
		})
	}
}

func increment(ctx context.Context, db *database.DB, id value.ID) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	doc, _, err := tx.Get(ctx, id)
	if err != nil {
		return err
	}
	n, _ := doc.Get("n")
	if _, err := tx.Patch(ctx, id, []value.Field{{Name: "n", Value: value.Float64(float64(n.(value.Float64)) + 1)}}); err != nil {
		return err
	}
	_, err = tx.Commit(ctx)
	return err
}

func counterValue(t *testing.T, db *database.DB, id value.ID) float64 {
	t.Helper()
	tx, err := db.BeginRead(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	doc, _, err := tx.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := doc.Get("n")
	return float64(n.(value.Float64))
}

// insertDoc commits one document (creating its table) and returns its id.
func insertDoc(t *testing.T, db *database.DB, table, js string) value.ID {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := mustInsert(t, tx, table, js)
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
	return id
}

// commitWith begins a mutation, runs fn and commits.
func commitWith(t *testing.T, db *database.DB, fn func(tx *database.Tx)) error {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	fn(tx)
	_, err = tx.Commit(ctx)
	return err
}

func mustGet(t *testing.T, tx *database.Tx, id value.ID) value.Object {
	t.Helper()
	doc, ok, err := tx.Get(context.Background(), id)
	if err != nil || !ok {
		t.Fatalf("get %s: %v %v", id, ok, err)
	}
	return doc
}

func mustPatch(t *testing.T, tx *database.Tx, id value.ID, js string) {
	t.Helper()
	if _, err := tx.Patch(context.Background(), id, obj(t, js).Fields()); err != nil {
		t.Fatalf("patch %s: %v", id, err)
	}
}

// Write skew: two mutations each read both rows and write a different
// one. Run one after the other, the second would have seen the first's
// write, so the second to commit must be refused.
func TestWriteSkewIsRefused(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t, be.open(t), database.Options{})
			a := insertDoc(t, db, "doctors", `{"onCall":true}`)
			b := insertDoc(t, db, "doctors", `{"onCall":true}`)
			t1, _ := db.Begin(ctx)
			t2, _ := db.Begin(ctx)
			for _, tx := range []*database.Tx{t1, t2} {
				mustGet(t, tx, a)
				mustGet(t, tx, b)
			}
			mustPatch(t, t1, a, `{"onCall":false}`)
			mustPatch(t, t2, b, `{"onCall":false}`)
			if _, err := t1.Commit(ctx); err != nil {
				t.Fatalf("first commit: %v", err)
			}
			_, err := t2.Commit(ctx)
			var ce *database.ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("second commit: %v, want a conflict", err)
			}
			if ce.Table != "doctors" || ce.ID != a.String() {
				t.Fatalf("conflict names %s %s, want doctors %s: %v", ce.Table, ce.ID, a, ce)
			}
			tx, _ := db.BeginRead(ctx, 0)
			if v, _ := mustGet(t, tx, b).Get("onCall"); v != value.Boolean(true) {
				t.Fatalf("the refused write is visible: onCall = %v", v)
			}
		})
	}
}

// A transaction that only read never conflicts, whatever committed since
// its snapshot.
func TestReadOnlyTransactionsNeverConflict(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t, be.open(t), database.Options{})
			id := insertDoc(t, db, "counters", `{"n":0}`)
			tests := []struct {
				name  string
				begin func() (*database.Tx, error)
			}{
				{"a query", func() (*database.Tx, error) { return db.BeginRead(ctx, 0) }},
				{"a mutation that wrote nothing", func() (*database.Tx, error) { return db.Begin(ctx) }},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					tx, err := tc.begin()
					if err != nil {
						t.Fatal(err)
					}
					mustGet(t, tx, id)
					if err := increment(ctx, db, id); err != nil {
						t.Fatal(err)
					}
					ts, err := tx.Commit(ctx)
					if err != nil || ts != tx.SnapshotTS() {
						t.Fatalf("commit = %d, %v; want the snapshot %d", ts, err, tx.SnapshotTS())
					}
				})
			}
		})
	}
}
