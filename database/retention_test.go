package database_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hull/database"
	"hull/persistence"
	"hull/value"
)

// syncClock is a settable clock safe for the committer's goroutine.
type syncClock struct{ ns atomic.Int64 }

func newSyncClock() *syncClock {
	c := &syncClock{}
	c.ns.Store(time.Unix(1_700_000_000, 0).UnixNano())
	return c
}
func (c *syncClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *syncClock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func patchN(t *testing.T, db *database.DB, id value.ID, n int) {
	t.Helper()
	for range n {
		if err := increment(context.Background(), db, id); err != nil {
			t.Fatalf("patch: %v", err)
		}
	}
}

// logOf returns every revision the store still holds.
func logOf(t *testing.T, st persistence.Store, through int64) []persistence.Revision {
	t.Helper()
	var out []persistence.Revision
	if err := st.Revisions(context.Background(), 0, through, func(r persistence.Revision) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("revisions: %v", err)
	}
	return out
}

func isTooOld(err error) bool {
	var too *database.TooOldError
	return errors.As(err, &too) && errors.Is(err, persistence.ErrTooOld) && database.IsUserError(err)
}

// readCounter reads the counter at ts (0: latest).
func readCounter(ctx context.Context, db *database.DB, id value.ID, ts int64) (float64, error) {
	tx, err := db.BeginRead(ctx, ts)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	doc, ok, err := tx.Get(ctx, id)
	if err != nil || !ok {
		return 0, fmt.Errorf("get %s: found %v: %w", id, ok, err)
	}
	n, _ := doc.Get("n")
	return float64(n.(value.Float64)), nil
}

// Once the retention window has passed, GC leaves in the log only the
// current revision of every live document: superseded revisions and
// deleted documents (tombstones included) go, and reads older than the
// window fail as too old. Inside the window every read still works.
func TestGCKeepsLiveDataAndTheWindowOnly(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			clk := newSyncClock()
			st := be.open(t)
			db := openDB(t, st, database.Options{Now: clk.Now, DocCacheBytes: -1})
			live := insertDoc(t, db, "t", `{"n":0}`)
			patchN(t, db, live, 50)
			for range 20 {
				gone := insertDoc(t, db, "t", `{"n":0}`)
				if err := commitWith(t, db, func(tx *database.Tx) {
					if _, err := tx.Delete(ctx, gone); err != nil {
						t.Fatal(err)
					}
				}); err != nil {
					t.Fatal(err)
				}
			}
			early := db.DurableTS()
			clk.advance(30 * time.Minute)
			patchN(t, db, live, 5)
			inWindow := db.DurableTS()
			clk.advance(45 * time.Minute)
			patchN(t, db, live, 5)
			before := len(logOf(t, st, db.DurableTS()))

			tests := []struct {
				name    string
				advance time.Duration
				check   func(t *testing.T)
			}{
				{"history younger than the window stays readable", 0, func(t *testing.T) {
					// The horizon is 15 min after the first commits: a
					// read there needs the state the first commits left.
					horizon := clk.Now().Add(-time.Hour).UnixNano()
					for ts, want := range map[int64]float64{horizon: 50, inWindow: 55} {
						if got, err := readCounter(ctx, db, live, ts); err != nil || got != want {
							t.Fatalf("read at %d = %v, %v; want %v", ts, got, err, want)
						}
					}
					if _, err := readCounter(ctx, db, live, early); !isTooOld(err) {
						t.Fatalf("read below the horizon: %v, want a too-old error", err)
					}
				}},
				{"past the window only live data is left", 2 * time.Hour, func(t *testing.T) {
					if got, err := readCounter(ctx, db, live, 0); err != nil || got != 60 {
						t.Fatalf("latest = %v, %v; want 60", got, err)
					}
					if _, err := readCounter(ctx, db, live, inWindow); !isTooOld(err) {
						t.Fatalf("read older than the window: %v, want a too-old error", err)
					}
					log := logOf(t, st, db.DurableTS())
					for _, r := range log {
						cur, err := st.Get(ctx, []persistence.DocID{r.ID}, persistence.Latest)
						if err != nil || r.Deleted || cur[r.ID].TS != r.TS {
							t.Fatalf("log keeps %+v, which is not the current revision of a live document", r)
						}
					}
					if len(log) >= before {
						t.Fatalf("log has %d revisions after gc, %d before", len(log), before)
					}
				}},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					clk.advance(tc.advance)
					stats, err := db.GC(ctx, time.Hour)
					if err != nil {
						t.Fatalf("gc: %v", err)
					}
					if stats.DocumentRevisions == 0 {
						t.Fatalf("gc removed nothing")
					}
					tc.check(t)
				})
			}
		})
	}
}

// A transaction that is open keeps its snapshot readable whatever the
// window: GC stops at the oldest open snapshot, and moves on once it ends.
func TestGCKeepsTheSnapshotsOfOpenTransactions(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			for _, readOnly := range []bool{true, false} {
				t.Run(fmt.Sprintf("read only %v", readOnly), func(t *testing.T) {
					ctx := context.Background()
					clk := newSyncClock()
					db := openDB(t, be.open(t), database.Options{Now: clk.Now, DocCacheBytes: -1})
					id := insertDoc(t, db, "t", `{"n":0}`)
					begin := db.Begin
					if readOnly {
						begin = func(ctx context.Context) (*database.Tx, error) { return db.BeginRead(ctx, 0) }
					}
					tx, err := begin(ctx)
					if err != nil {
						t.Fatal(err)
					}
					old := tx.SnapshotTS()
					patchN(t, db, id, 3)
					clk.advance(time.Hour)
					if _, err := db.GC(ctx, time.Nanosecond); err != nil {
						t.Fatalf("gc: %v", err)
					}
					if got := userFields(mustGet(t, tx, id)); got != `{"n":0}` {
						t.Fatalf("open transaction reads %s after gc, want its snapshot's {\"n\":0}", got)
					}
					tx.Rollback()
					if _, err := db.GC(ctx, time.Nanosecond); err != nil {
						t.Fatalf("gc: %v", err)
					}
					if _, err := readCounter(ctx, db, id, old); !isTooOld(err) {
						t.Fatalf("read at the ended snapshot: %v, want a too-old error", err)
					}
				})
			}
		})
	}
}

// Commits keep flowing while GC runs as often as it can with a window of
// nothing: every increment lands, none fails.
func TestCommitsFlowWhileGCRuns(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			st := be.open(t)
			db := openDB(t, st, database.Options{})
			const writers, each = 4, 100
			ids := make([]value.ID, writers)
			for i := range ids {
				ids[i] = insertDoc(t, db, "t", `{"n":0}`)
			}
			gcCtx, stop := context.WithCancel(ctx)
			var passes, removed atomic.Int64
			gcDone := make(chan error, 1)
			go func() {
				for gcCtx.Err() == nil {
					stats, err := db.GC(gcCtx, time.Nanosecond)
					if err != nil && gcCtx.Err() == nil {
						gcDone <- err
						return
					}
					passes.Add(1)
					removed.Add(stats.DocumentRevisions)
				}
				gcDone <- nil
			}()
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for _, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range each {
						if err := db.Retry(ctx, func(ctx context.Context) error { return increment(ctx, db, id) }); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			stop()
			if err := <-gcDone; err != nil {
				t.Fatalf("gc: %v", err)
			}
			close(errs)
			for err := range errs {
				t.Fatalf("increment while gc ran: %v", err)
			}
			for _, id := range ids {
				if got, err := readCounter(ctx, db, id, 0); err != nil || got != each {
					t.Fatalf("counter = %v, %v; want %d", got, err, each)
				}
			}
			if passes.Load() == 0 || removed.Load() == 0 {
				t.Fatalf("gc ran %d passes removing %d revisions; want it to have run", passes.Load(), removed.Load())
			}
		})
	}
}

// KeepLogTrimmed runs GC on its own: history older than the window
// becomes unreadable without anyone calling GC.
func TestKeepLogTrimmedRunsByItself(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			st := be.open(t)
			db := openDB(t, st, database.Options{DocCacheBytes: -1})
			id := insertDoc(t, db, "t", `{"n":0}`)
			old := db.DurableTS()
			patchN(t, db, id, 3)
			loopCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				db.KeepLogTrimmed(loopCtx, database.RetentionOptions{Window: 50 * time.Millisecond, Interval: 10 * time.Millisecond})
			}()
			defer func() { stop(); <-done }()
			deadline := time.Now().Add(30 * time.Second)
			for {
				_, err := readCounter(ctx, db, id, old)
				if isTooOld(err) {
					break
				}
				if err != nil {
					t.Fatalf("read at %d: %v", old, err)
				}
				if time.Now().After(deadline) {
					t.Fatalf("history older than the window is still readable after 30 s")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if got, err := readCounter(ctx, db, id, 0); err != nil || got != 3 {
				t.Fatalf("latest = %v, %v; want 3", got, err)
			}
			if n := len(logOf(t, st, db.DurableTS())); n == 0 {
				t.Fatalf("the log lost the live document")
			}
		})
	}
}
