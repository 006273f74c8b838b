package database_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"hull/database"
	"hull/persistence"
	"hull/value"
)

const scoresSchema = `{"tables":[{"tableName":"scores","indexes":[{"indexDescriptor":"by_n","fields":["n"]}],"searchIndexes":[],"vectorIndexes":[],"documentType":{"type":"any"}}],"schemaValidation":true}`

// scoresDB holds scores n = 10, 20, 30, 40, 50 under an index on n.
func scoresDB(t *testing.T, be backend) (*database.DB, map[int]value.ID) {
	t.Helper()
	db := openDB(t, be.open(t), database.Options{})
	ids := map[int]value.ID{}
	err := commitWith(t, db, func(tx *database.Tx) {
		s, err := database.ParseSchema([]byte(scoresSchema))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ApplySchema(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		for n := 10; n <= 50; n += 10 {
			ids[n] = mustInsert(t, tx, "scores", fmt.Sprintf(`{"n":%d}`, n))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, ids
}

// A mutation conflicts only with writes inside what it actually read: the
// consumed part of an index range (up to where .first() or a limit
// stopped), or a range that was empty.
func TestConflictsFollowTheConsumedRange(t *testing.T) {
	firstAbove := func(lo int) func(*testing.T, *database.Tx) {
		return func(t *testing.T, tx *database.Tx) {
			q := query(t, indexQuery("scores.by_n", nil, []any{rng("Gt", "n", lo)}, map[string]any{"limit": 1}))
			if _, err := collect(t, tx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
	between := func(lo, hi int) func(*testing.T, *database.Tx) {
		return func(t *testing.T, tx *database.Tx) {
			q := query(t, indexQuery("scores.by_n", nil, []any{rng("Gt", "n", lo), rng("Lt", "n", hi)}))
			if _, err := collect(t, tx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
	insert := func(n int) func(*testing.T, *database.Tx, map[int]value.ID) {
		return func(t *testing.T, tx *database.Tx, _ map[int]value.ID) {
			mustInsert(t, tx, "scores", fmt.Sprintf(`{"n":%d}`, n))
		}
	}
	patch := func(n int, js string) func(*testing.T, *database.Tx, map[int]value.ID) {
		return func(t *testing.T, tx *database.Tx, ids map[int]value.ID) { mustPatch(t, tx, ids[n], js) }
	}
	tests := []struct {
		name     string
		read     func(*testing.T, *database.Tx)
		other    func(*testing.T, *database.Tx, map[int]value.ID)
		conflict bool
	}{
		{"an insert past where first() stopped", firstAbove(15), insert(35), false},
		{"a change of a row past where first() stopped", firstAbove(15), patch(40, `{"x":1}`), false},
		{"an insert before the row first() returned", firstAbove(15), insert(17), true},
		{"a change of the row first() returned", firstAbove(15), patch(20, `{"x":1}`), true},
		{"a row moving into the range read", between(20, 40), patch(50, `{"n":35}`), true},
		{"a row moving out of the range read", between(20, 40), patch(30, `{"n":5}`), true},
		{"an insert into a range that was empty", between(41, 49), insert(45), true},
		{"an insert beside a range that was empty", between(41, 49), insert(49), false},
		{"an insert into another range", between(20, 40), insert(45), false},
	}
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					ctx := context.Background()
					db, ids := scoresDB(t, be)
					tx, err := db.Begin(ctx)
					if err != nil {
						t.Fatal(err)
					}
					tc.read(t, tx)
					mustInsert(t, tx, "log", `{"seen":true}`)
					if err := commitWith(t, db, func(o *database.Tx) { tc.other(t, o, ids) }); err != nil {
						t.Fatalf("the other commit: %v", err)
					}
					_, err = tx.Commit(ctx)
					if database.IsConflict(err) != tc.conflict || (err != nil && !database.IsConflict(err)) {
						t.Fatalf("commit: %v; want conflict %v", err, tc.conflict)
					}
				})
			}
		})
	}
}

// Commits queued while a group is being written are written together, in
// one store Write, and Write is never called concurrently.
func TestCommitsQueuedDuringAWriteFormOneGroup(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			cs := newCountingStore(be.open(t))
			db := openDB(t, cs, database.Options{})
			insertDoc(t, db, "t", `{"i":-1}`) // creates the table
			<-cs.entered
			gate := make(chan struct{})
			cs.setGate(gate)
			const n = 8
			errs := make(chan error, n+1)
			go func() { errs <- commitWith(t, db, func(tx *database.Tx) { mustInsert(t, tx, "t", `{"i":0}`) }) }()
			<-cs.entered // the first commit is being written
			var wg sync.WaitGroup
			for i := 1; i <= n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- commitWith(t, db, func(tx *database.Tx) { mustInsert(t, tx, "t", fmt.Sprintf(`{"i":%d}`, i)) })
				}()
			}
			waitQueued(db, n)
			close(gate)
			wg.Wait()
			for range n + 1 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			if got := cs.groupSizes(); len(got) != 3 || got[1] != 1 || got[2] != n {
				t.Fatalf("groups %v, want [1 1 %d]", got, n)
			}
			if cs.overlapped.Load() {
				t.Fatal("Write was called while another Write was running")
			}
			if st := db.Stats(); st.Groups != 3 || st.Commits != n+2 || st.MaxGroup != n {
				t.Fatalf("stats %+v", st)
			}
			tx, _ := db.BeginRead(ctx, 0)
			if c, _ := tx.Count(ctx, "t"); c != n+2 {
				t.Fatalf("count %d, want %d", c, n+2)
			}
		})
	}
}

// Under free-running concurrency the committer still forms groups of
// several commits and never overlaps two writes.
func TestConcurrentCommitsAreGrouped(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			cs := newCountingStore(be.open(t))
			db := openDB(t, cs, database.Options{})
			insertDoc(t, db, "t", `{}`)
			var wg sync.WaitGroup
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 10 {
						if err := commitWith(t, db, func(tx *database.Tx) { mustInsert(t, tx, "t", `{}`) }); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if cs.overlapped.Load() {
				t.Fatal("Write was called while another Write was running")
			}
			st := db.Stats()
			if st.MaxGroup < 2 || st.Groups >= st.Commits {
				t.Fatalf("no group of several commits: %+v", st)
			}
			tx, _ := db.BeginRead(ctx, 0)
			if c, _ := tx.Count(ctx, "t"); c != 321 {
				t.Fatalf("count %d", c)
			}
		})
	}
}

// A commit is acknowledged only once durable: when the group's store
// write fails, every transaction of the group gets the error and none of
// them becomes visible.
func TestAFailedGroupWriteFailsEveryCommitOfTheGroup(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			cs := newCountingStore(be.open(t))
			db := openDB(t, cs, database.Options{})
			insertDoc(t, db, "t", `{}`)
			<-cs.entered
			before := db.DurableTS()
			gate := make(chan struct{})
			cs.setGate(gate)
			first := make(chan error, 1)
			go func() { first <- commitWith(t, db, func(tx *database.Tx) { mustInsert(t, tx, "t", `{}`) }) }()
			<-cs.entered
			const n = 5
			errs := make(chan error, n)
			for range n {
				go func() { errs <- commitWith(t, db, func(tx *database.Tx) { mustInsert(t, tx, "t", `{}`) }) }()
			}
			waitQueued(db, n)
			boom := errors.New("disk on fire")
			cs.setFail(boom)
			close(gate)
			if err := <-first; !errors.Is(err, boom) {
				t.Fatalf("first commit: %v", err)
			}
			for range n {
				if err := <-errs; !errors.Is(err, boom) {
					t.Fatalf("grouped commit: %v, want the store's error", err)
				}
			}
			if got := cs.groupSizes(); len(got) != 3 || got[2] != n {
				t.Fatalf("groups %v", got)
			}
			if db.DurableTS() != before {
				t.Fatalf("durable ts moved from %d to %d", before, db.DurableTS())
			}
			tx, _ := db.BeginRead(ctx, 0)
			if c, _ := tx.Count(ctx, "t"); c != 1 {
				t.Fatalf("count %d after failed writes, want 1", c)
			}
			cs.setFail(nil)
			if err := commitWith(t, db, func(tx *database.Tx) { mustInsert(t, tx, "t", `{}`) }); err != nil {
				t.Fatalf("a commit after the failure: %v", err)
			}
		})
	}
}

// waitQueued blocks until n commits wait for the committer.
func waitQueued(db *database.DB, n int) {
	for database.Queued(db) < n {
		database.Yield()
	}
}

// Two mutations that both change the catalog (here: both create a table)
// cannot both commit from the same snapshot, and a mutation that began
// before a schema change is refused after it.
func TestCatalogChangesConflict(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, openSQLite(t), database.Options{})
	t1, _ := db.Begin(ctx)
	t2, _ := db.Begin(ctx)
	mustInsert(t, t1, "a", `{}`)
	mustInsert(t, t2, "b", `{}`)
	if _, err := t1.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := t2.Commit(ctx); !database.IsConflict(err) {
		t.Fatalf("second table creation: %v, want a conflict", err)
	}
	old, _ := db.Begin(ctx)
	mustInsert(t, old, "a", `{"late":true}`)
	if err := commitWith(t, db, func(tx *database.Tx) {
		s, _ := database.ParseSchema([]byte(`{"tables":[{"tableName":"a","indexes":[{"indexDescriptor":"by_late","fields":["late"]}],"documentType":{"type":"any"}}],"schemaValidation":true}`))
		if _, err := tx.ApplySchema(ctx, s); err != nil {
			t.Fatal(err)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Commit(ctx); !database.IsConflict(err) {
		t.Fatalf("a write from before the index existed: %v, want a conflict", err)
	}
}

// Retry runs a conflicting transaction again and counts it; it gives up
// after MaxRetries and returns the conflict.
func TestRetryRunsConflictsAgain(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, openSQLite(t), database.Options{Retry: database.RetryPolicy{MaxRetries: 3, Backoff: 1000}})
	id := insertDoc(t, db, "counters", `{"n":0}`)
	tests := []struct {
		name      string
		conflicts int
		wantErr   bool
		runs      int
	}{
		{"one conflict then success", 1, false, 2},
		{"more conflicts than retries", 10, true, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := db.Stats().Retries
			runs := 0
			err := db.Retry(ctx, func(ctx context.Context) error {
				runs++
				tx, _ := db.Begin(ctx)
				mustGet(t, tx, id)
				mustPatch(t, tx, id, `{"x":1}`)
				if runs <= tc.conflicts {
					if err := increment(ctx, db, id); err != nil {
						t.Fatal(err)
					}
				}
				_, err := tx.Commit(ctx)
				return err
			})
			if database.IsConflict(err) != tc.wantErr || runs != tc.runs {
				t.Fatalf("err %v after %d runs", err, runs)
			}
			if got := db.Stats().Retries - before; got != int64(tc.runs-1) {
				t.Fatalf("retries counted %d, want %d", got, tc.runs-1)
			}
		})
	}
}

// A read at a timestamp the store no longer retains fails with a typed
// too-old error for a query. (The document cache, when it knows the
// version, answers such a read correctly; it is off here so the read
// reaches the store.)
func TestReadsBelowTheRetentionWindowAreTooOld(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	db := openDB(t, st, database.Options{DocCacheBytes: -1})
	id := insertDoc(t, db, "t", `{}`)
	old := db.DurableTS()
	insertDoc(t, db, "t", `{}`)
	lease, err := st.Acquire(ctx, "gc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.GC(ctx, lease, db.DurableTS()); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginRead(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = tx.Get(ctx, id)
	var too *database.TooOldError
	if !errors.As(err, &too) || !errors.Is(err, persistence.ErrTooOld) || !database.IsUserError(err) {
		t.Fatalf("get at %d: %v, want a too-old error", old, err)
	}
}

// A mutation reads its snapshot even when the current state moved on: a
// document changed or deleted after Begin reads as it was at Begin (and
// the commit then conflicts).
func TestMutationsReadTheirSnapshot(t *testing.T) {
	tests := []struct {
		name  string
		other func(t *testing.T, tx *database.Tx, id value.ID)
	}{
		{"a document changed since the snapshot", func(t *testing.T, tx *database.Tx, id value.ID) { mustPatch(t, tx, id, `{"n":2}`) }},
		{"a document deleted since the snapshot", func(t *testing.T, tx *database.Tx, id value.ID) {
			if _, err := tx.Delete(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					ctx := context.Background()
					db := openDB(t, be.open(t), database.Options{})
					id := insertDoc(t, db, "t", `{"n":1}`)
					tx, _ := db.Begin(ctx)
					if err := commitWith(t, db, func(o *database.Tx) { tc.other(t, o, id) }); err != nil {
						t.Fatal(err)
					}
					if got := userFields(mustGet(t, tx, id)); got != `{"n":1}` {
						t.Fatalf("read %s, want the snapshot's {\"n\":1}", got)
					}
					mustPatch(t, tx, id, `{"n":3}`)
					if _, err := tx.Commit(ctx); !database.IsConflict(err) {
						t.Fatalf("commit: %v, want a conflict", err)
					}
				})
			}
		})
	}
}

// The read set and the bytes written are bounded, with Convex's errors.
func TestReadSetAndWriteBytesLimits(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, openSQLite(t), database.Options{Limits: database.Limits{ReadIntervals: 3, BytesWritten: 200}})
	ids := []value.ID{insertDoc(t, db, "t", `{}`), insertDoc(t, db, "t", `{}`), insertDoc(t, db, "t", `{}`), insertDoc(t, db, "t", `{}`)}
	tests := []struct {
		name string
		run  func(tx *database.Tx) error
		code string
	}{
		{"reading the same document again adds nothing", func(tx *database.Tx) error {
			for range 10 {
				if _, _, err := tx.Get(ctx, ids[0]); err != nil {
					return err
				}
			}
			return nil
		}, ""},
		{"a fourth distinct read", func(tx *database.Tx) error {
			for _, id := range ids {
				if _, _, err := tx.Get(ctx, id); err != nil {
					return err
				}
			}
			return nil
		}, "TooManyReads"},
		{"writing more bytes than allowed", func(tx *database.Tx) error {
			if _, err := tx.Insert(ctx, "t", obj(t, `{"s":"`+strings.Repeat("x", 300)+`"}`)); err != nil {
				return err
			}
			_, err := tx.Commit(ctx)
			return err
		}, "TooManyBytesWritten"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx, _ := db.Begin(ctx)
			defer tx.Rollback()
			err := tc.run(tx)
			var ue *database.Error
			switch {
			case tc.code == "" && err != nil:
				t.Fatal(err)
			case tc.code != "" && (!errors.As(err, &ue) || ue.Code != tc.code):
				t.Fatalf("err %v, want %s", err, tc.code)
			}
		})
	}
}

// A mutation whose snapshot the store no longer retains conflicts (so it
// is run again at a fresh snapshot), even if its code swallowed the error.
func TestAMutationWhoseSnapshotIsGoneConflicts(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	db := openDB(t, st, database.Options{})
	id := insertDoc(t, db, "t", `{"n":1}`)
	tx, _ := db.Begin(ctx)
	if err := increment(ctx, db, id); err != nil {
		t.Fatal(err)
	}
	lease, err := st.Acquire(ctx, "gc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.GC(ctx, lease, db.DurableTS()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tx.Get(ctx, id); !database.IsConflict(err) {
		t.Fatalf("get: %v, want a conflict", err)
	}
	if !database.IsConflict(tx.Conflict()) {
		t.Fatalf("Conflict() = %v", tx.Conflict())
	}
	if _, err := tx.Commit(ctx); !database.IsConflict(err) {
		t.Fatalf("commit: %v, want a conflict", err)
	}
}
