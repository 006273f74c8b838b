package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"hull/database"
	"hull/persistence/sqlite"
)

// newStoredApp opens an App with no deployed code over a fresh SQLite
// file, with a clock the test moves.
func newStoredApp(t *testing.T, now func() time.Time) *App {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hull.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lease, err := st.Acquire(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(ctx, st, lease, database.Options{CursorKey: []byte("k"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a, err := New(ctx, st, db, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestOldSessionRequestsArePruned(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	a := newStoredApp(t, func() time.Time { return clock })
	record := func(session string, n int) {
		for i := range n {
			tx, err := a.db.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := recordSession(ctx, &dbTxn{tx: tx}, SessionRequest{SessionID: session, RequestID: uint32(i)}, &CallResult{Value: []byte("null")}); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	stored := func(session string, id uint32) bool {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		_, ok, err := replaySession(ctx, &dbTxn{tx: tx}, SessionRequest{SessionID: session, RequestID: id})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	record("old", 7)
	clock = clock.Add(10 * 24 * time.Hour)
	record("new", 3)
	clock = clock.Add(5 * 24 * time.Hour)

	steps := []struct {
		name      string
		cutoff    time.Time
		batch     int
		deleted   int
		oldStored bool
	}{
		{"a cutoff before every record deletes nothing", clock.Add(-30 * 24 * time.Hour), 0, 0, true},
		{"records older than the retention go, in several small transactions", clock.Add(-SessionRetention), 2, 7, false},
		{"pruning again finds nothing", clock.Add(-SessionRetention), 2, 0, false},
	}
	for _, s := range steps {
		n, err := a.PruneSessionRequests(ctx, s.cutoff, s.batch)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n != s.deleted {
			t.Fatalf("%s: deleted %d, want %d", s.name, n, s.deleted)
		}
		if got := stored("old", 6); got != s.oldStored {
			t.Fatalf("%s: old record stored = %v, want %v", s.name, got, s.oldStored)
		}
		for i := range uint32(3) {
			if !stored("new", i) {
				t.Fatalf("%s: recent record %d was deleted", s.name, i)
			}
		}
	}
}
