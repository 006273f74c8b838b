package database_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hull/database"
	"hull/value"
)

// serialEnv is a database over a counting store with one counter
// document, and a way to run a transaction serialized.
type serialEnv struct {
	t  *testing.T
	cs *countingStore
	db *database.DB
	id value.ID
}

func newSerialEnv(t *testing.T, hold time.Duration) *serialEnv {
	t.Helper()
	cs := newCountingStore(openSQLite(t))
	db := openDB(t, cs, database.Options{Retry: database.RetryPolicy{Backoff: time.Millisecond, SerialHold: hold}})
	e := &serialEnv{t: t, cs: cs, db: db, id: insertDoc(t, db, "counters", `{"n":0}`)}
	<-cs.entered
	return e
}

// serialized begins a serialized transaction that has read the counter,
// and returns it with a function that ends its attempt (after the
// transaction was committed or rolled back).
func (e *serialEnv) serialized() (*database.Tx, func()) {
	e.t.Helper()
	got := make(chan *database.Tx)
	end := make(chan struct{})
	go func() {
		_ = database.RunSerialized(context.Background(), e.db, func(ctx context.Context) error {
			if !database.Serialized(ctx) {
				e.t.Error("the context of a serialized attempt is not marked")
			}
			tx, err := e.db.Begin(ctx)
			if err != nil {
				e.t.Error(err)
				close(got)
				return err
			}
			if database.Serialized(ctx) {
				e.t.Error("the attempt's transaction has begun, yet its context still says the next Begin holds")
			}
			mustGet(e.t, tx, e.id)
			got <- tx
			<-end
			return nil
		})
	}()
	tx := <-got
	if tx == nil {
		e.t.FailNow()
	}
	return tx, func() { close(end) }
}

// other starts an optimistic increment of the counter and returns its
// outcome once it has committed (or failed).
func (e *serialEnv) other() <-chan error {
	done := make(chan error, 1)
	go func() { done <- increment(context.Background(), e.db, e.id) }()
	return done
}

func (e *serialEnv) writes() int { return len(e.cs.groupSizes()) }

// A serialized transaction holds every other commit back until it
// commits; it then cannot conflict, and the commits that waited are
// validated after it and written in the same group.
func TestASerializedTransactionCannotConflict(t *testing.T) {
	e := newSerialEnv(t, time.Minute)
	insertDoc(t, e.db, "other", `{}`)
	tx, end := e.serialized()
	defer end()
	before := e.writes()
	other := e.other()
	unrelated := make(chan error, 1)
	go func() {
		unrelated <- commitWith(t, e.db, func(tx *database.Tx) { mustInsert(t, tx, "other", `{}`) })
	}()
	waitQueued(e.db, 2)
	time.Sleep(20 * time.Millisecond)
	if got := e.writes(); got != before {
		t.Fatalf("%d store writes while a serialized transaction ran", got-before)
	}
	mustPatch(t, tx, e.id, `{"n":10}`)
	if _, err := tx.Commit(context.Background()); err != nil {
		t.Fatalf("the serialized transaction: %v, want it committed", err)
	}
	// The optimistic increment read the counter before the serialized
	// commit, so it conflicts (and would be run again by Retry).
	if err := <-other; !database.IsConflict(err) {
		t.Fatalf("the increment that waited: %v, want a conflict", err)
	}
	if err := <-unrelated; err != nil {
		t.Fatalf("the unrelated insert that waited: %v", err)
	}
	if got := e.cs.groupSizes(); len(got) != before+1 || got[before] != 2 {
		t.Fatalf("groups %v: the serialized commit and the insert were not written as one group", got)
	}
	if got := counterValue(t, e.db, e.id); got != 10 {
		t.Fatalf("counter %v, want 10", got)
	}
}

// The ways a hold ends without a commit: the transaction is rolled back,
// or it runs past SerialHold; the committer then goes on.
func TestAHoldEndsWithoutACommit(t *testing.T) {
	tests := []struct {
		name       string
		hold       time.Duration
		rollback   bool
		wantExpiry int64
	}{
		{"a rolled back serialized transaction lets the others commit", time.Minute, true, 0},
		{"a serialized transaction that runs past its hold lets the others commit", 30 * time.Millisecond, false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newSerialEnv(t, tc.hold)
			tx, end := e.serialized()
			defer end()
			other := e.other()
			waitQueued(e.db, 1)
			if tc.rollback {
				tx.Rollback()
			}
			if err := <-other; err != nil {
				t.Fatalf("the waiting commit: %v", err)
			}
			if got := e.db.Stats().HoldsExpired; got != tc.wantExpiry {
				t.Fatalf("%d holds expired, want %d", got, tc.wantExpiry)
			}
			if tc.rollback {
				return
			}
			// Past its hold the transaction is validated as any other.
			mustPatch(t, tx, e.id, `{"n":10}`)
			if _, err := tx.Commit(context.Background()); !database.IsConflict(err) {
				t.Fatalf("commit after the hold expired: %v, want a conflict", err)
			}
			if st := e.db.Stats(); st.SerialConflicts != 1 {
				t.Fatalf("stats %+v, want one serialized conflict", st)
			}
		})
	}
}

// A serialized transaction begins only once the group being written is
// installed, so it reads the newest state.
func TestASerializedTransactionBeginsAfterTheGroupBeingWritten(t *testing.T) {
	e := newSerialEnv(t, time.Minute)
	gate := make(chan struct{})
	e.cs.setGate(gate)
	other := e.other()
	<-e.cs.entered
	began := make(chan *database.Tx, 1)
	go func() {
		tx, end := e.serialized()
		defer end()
		began <- tx
		tx.Rollback()
	}()
	select {
	case <-began:
		t.Fatal("a serialized transaction began while a group was being written")
	case <-time.After(20 * time.Millisecond):
	}
	close(gate)
	if err := <-other; err != nil {
		t.Fatal(err)
	}
	tx := <-began
	if got, want := tx.SnapshotTS(), e.db.DurableTS(); got != want {
		t.Fatalf("snapshot %d, want the newest durable ts %d", got, want)
	}
}

// Serialized attempts wait their turn; a caller that gives up while
// waiting gets its context's error, not a conflict.
func TestWaitingForTheSerializedTurnFollowsTheContext(t *testing.T) {
	e := newSerialEnv(t, time.Minute)
	tx, end := e.serialized()
	defer func() { tx.Rollback(); end() }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	ran := false
	err := database.RunSerialized(ctx, e.db, func(context.Context) error { ran = true; return nil })
	if ran || !errors.Is(err, context.DeadlineExceeded) || database.IsConflict(err) {
		t.Fatalf("ran %v, err %v; want the deadline while waiting", ran, err)
	}
}

// Close writes the commits queued behind a hold instead of leaving them
// waiting.
func TestCloseWritesWhatWaitsBehindAHold(t *testing.T) {
	e := newSerialEnv(t, time.Minute)
	tx, end := e.serialized()
	defer func() { tx.Rollback(); end() }()
	other := e.other()
	waitQueued(e.db, 1)
	closed := make(chan struct{})
	go func() { e.db.Close(); close(closed) }()
	if err := <-other; err != nil {
		t.Fatalf("the waiting commit: %v", err)
	}
	<-closed
}

// DB.Retry inside a serialized attempt runs its attempt at once: the turn
// is already the caller's.
func TestARetryInsideASerializedAttemptDoesNotWaitForItself(t *testing.T) {
	e := newSerialEnv(t, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := database.RunSerialized(ctx, e.db, func(ctx context.Context) error {
		return database.RunSerialized(ctx, e.db, func(ctx context.Context) error { return increment(ctx, e.db, e.id) })
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := counterValue(t, e.db, e.id); got != 1 {
		t.Fatalf("counter %v, want 1", got)
	}
}
