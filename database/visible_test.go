package database_test

import (
	"context"
	"sync/atomic"
	"testing"

	"hull/database"
)

func TestBeforeVisibleRunsBeforeAnyReaderSeesTheCommit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	start := e.db.DurableTS()
	var switched atomic.Int64
	seen := make(chan int64, 1)
	go func() {
		ts, err := e.db.WaitDurable(ctx, start)
		if err != nil {
			t.Error(err)
		}
		// Whoever sees the new ts must also see the switched state.
		if switched.Load() != ts {
			t.Errorf("a reader saw ts %d before the hook ran (hook saw %d)", ts, switched.Load())
		}
		seen <- ts
	}()
	ts := e.mutate(func(tx *database.Tx) {
		mustInsert(t, tx, "notes", `{"text":"x"}`)
		tx.BeforeVisible(func(ts int64) { switched.Store(ts) })
	})
	if got := <-seen; got != ts {
		t.Fatalf("the reader woke at %d, the commit is at %d", got, ts)
	}
}

func TestBeforeVisibleDoesNotRunWhenNothingIsCommitted(t *testing.T) {
	e := newEnv(t)
	ran := false
	e.mutate(func(tx *database.Tx) { tx.BeforeVisible(func(int64) { ran = true }) })
	if ran {
		t.Fatal("the hook ran for a transaction that wrote nothing")
	}
}
