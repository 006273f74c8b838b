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
