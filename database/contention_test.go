package database_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"hull/database"
	"hull/value"
)

// contentionPolicy is the retry policy a server runs with (the defaults),
// with backoffs kept short so the test is quick.
var contentionPolicy = database.RetryPolicy{Backoff: 200 * time.Microsecond, MaxBackoff: 2 * time.Millisecond}

// Under heavy contention no mutation fails: after a few conflicts
// DB.Retry runs the transaction serialized, where it cannot conflict, so
// contention costs latency only. Money moved around a ring of accounts is
// conserved, and increments of one document are all counted.
func TestContentionNeverFailsAMutation(t *testing.T) {
	tests := []struct {
		name     string
		accounts int
		clients  int
		each     int
	}{
		{"many clients incrementing one document", 1, 32, 40},
		{"many clients transferring around a ring of ten accounts", 10, 64, 25},
	}
	for _, be := range backends(t) {
		for _, tc := range tests {
			t.Run(be.name+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				db := openDB(t, be.open(t), database.Options{Retry: contentionPolicy})
				ids := make([]value.ID, tc.accounts)
				for i := range ids {
					ids[i] = insertDoc(t, db, "accounts", `{"balance":1000}`)
				}
				var wg sync.WaitGroup
				errs := make(chan error, tc.clients*tc.each)
				for c := range tc.clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range tc.each {
							from := (c + i) % tc.accounts
							to := (from + 1) % tc.accounts
							if err := db.Retry(ctx, func(ctx context.Context) error {
								return transfer(ctx, db, ids[from], ids[to], 1+(c+i)%7)
							}); err != nil {
								errs <- err
							}
						}
					}()
				}
				wg.Wait()
				close(errs)
				failed := 0
				for err := range errs {
					if failed++; failed <= 3 {
						t.Error(err)
					}
				}
				if failed > 0 {
					t.Fatalf("%d of %d mutations failed", failed, tc.clients*tc.each)
				}
				var total, moves float64
				for _, id := range ids {
					doc := readDoc(t, db, id)
					b, _ := doc.Get("balance")
					total += float64(b.(value.Float64))
					if m, ok := doc.Get("moves"); ok {
						moves += float64(m.(value.Float64))
					}
				}
				if want := 1000 * float64(tc.accounts); total != want {
					t.Fatalf("total %v, want %v: money was created or lost", total, want)
				}
				if want := float64(tc.clients * tc.each); moves != want {
					t.Fatalf("%v moves recorded, want %v", moves, want)
				}
				st := db.Stats()
				if st.SerialConflicts != 0 {
					t.Fatalf("%d serialized transactions conflicted", st.SerialConflicts)
				}
				t.Logf("%d commits, %d conflicts, %d retries, %d serialized", st.Commits, st.Conflicts, st.Retries, st.Serialized)
			})
		}
	}
}

// transfer moves amount from one account to the next (from == to for a
// lone account: it then only counts the move), as a bank mutation does.
func transfer(ctx context.Context, db *database.DB, from, to value.ID, amount int) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a, _, err := tx.Get(ctx, from)
	if err != nil {
		return err
	}
	b, _, err := tx.Get(ctx, to)
	if err != nil {
		return err
	}
	num := func(o value.Object, f string) float64 {
		if v, ok := o.Get(f); ok {
			return float64(v.(value.Float64))
		}
		return 0
	}
	moves := num(a, "moves") + 1
	if from == to {
		_, err = tx.Patch(ctx, from, []value.Field{{Name: "moves", Value: value.Float64(moves)}})
	} else {
		if _, err = tx.Patch(ctx, from, []value.Field{
			{Name: "balance", Value: value.Float64(num(a, "balance") - float64(amount))},
			{Name: "moves", Value: value.Float64(moves)},
		}); err == nil {
			_, err = tx.Patch(ctx, to, []value.Field{{Name: "balance", Value: value.Float64(num(b, "balance") + float64(amount))}})
		}
	}
	if err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	_, err = tx.Commit(ctx)
	return err
}

func readDoc(t *testing.T, db *database.DB, id value.ID) value.Object {
	t.Helper()
	tx, err := db.BeginRead(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return mustGet(t, tx, id)
}
