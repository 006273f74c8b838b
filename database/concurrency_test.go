package database_test

import (
	"context"
	"sync"
	"testing"

	"hull/database"
)

// Mutations from many goroutines run one at a time and each sees the
// previous one's writes; readers at a snapshot always see a whole number
// of committed mutations.
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
				tx, err := e.db.Begin(ctx)
				if err != nil {
					errs <- err
					return
				}
				// Two documents per mutation: a snapshot must never see an odd count.
				for range 2 {
					if _, err := tx.Insert(ctx, "t", empty); err != nil {
						errs <- err
					}
				}
				if _, err := tx.Commit(ctx); err != nil {
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
