package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"hull/persistence"
	"hull/persistence/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		NewDB: func(t *testing.T) func(ctx context.Context) (persistence.Store, error) {
			u := newDatabase(t)
			return func(ctx context.Context) (persistence.Store, error) {
				return Open(ctx, quietConfig(u))
			}
		},
	})
}

// The writer is SIGKILLed mid-stream. Unlike SQLite, a server may still
// finish a batch it received whole from the dead writer and commit it
// (unacknowledged, which is allowed). So the checker reopens as a
// successor would: it takes the lease, which waits for any such commit or
// fences it out, and only then reads.
// openCrashTarget opens the store of a crash test: as is in the child,
// and with the lease taken in the checker.
func openCrashTarget(ctx context.Context, u string) (persistence.Store, error) {
	s, err := Open(ctx, quietConfig(u))
	if err != nil || storetest.IsCrashChild() {
		return s, err
	}
	if _, err := s.Acquire(ctx, "crash checker"); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func TestCrashSafety(t *testing.T) {
	storetest.Crash(t, storetest.CrashConfig{
		NewTarget: newDatabase,
		Open:      openCrashTarget,
		Kills:     25,
		Seed:      1,
	})
}

// The writer is SIGKILLed while compaction runs beside its writes, over
// and over (a new generation, its predecessor's rows moved seven at a
// time, the emptied partition detached and dropped, indexes rebuilt):
// wherever a kill lands, every acknowledged commit is in the log exactly
// once and current state matches it, and the next process finishes the
// DDL the kill cut short.
func TestCrashSafetyDuringCompaction(t *testing.T) {
	var target string
	storetest.Crash(t, storetest.CrashConfig{
		NewTarget: func(t *testing.T) string { target = newDatabase(t); return target },
		Open:      openCrashTarget,
		Alongside: func(ctx context.Context, st persistence.Store, l persistence.Lease) error {
			s := st.(*Store)
			s.gcChunk, s.compactAlways = 7, true
			for ctx.Err() == nil {
				if err := s.compact(ctx, l, 0); err != nil {
					return err
				}
			}
			return nil
		},
		Kills: 30,
		Seed:  2,
	})
	s, err := Open(t.Context(), quietConfig(target))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if gen, err := s.currentGen(t.Context()); err != nil || gen < 2 {
		t.Fatalf("log generation after the kills = %d, %v; compaction barely ran", gen, err)
	}
}

// A write batch relies on PostgreSQL running the statements before one
// Sync as one implicit transaction: a failure late in the batch must undo
// what earlier statements did.
func TestABatchFailingLateCommitsNothing(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, quietConfig(newDatabase(t)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO hull_meta (key, value) VALUES ('probe', 1)`)
	b.Queue(`SELECT 1 / 0`)
	if err := s.pool.SendBatch(ctx, b).Close(); err == nil {
		t.Fatalf("a batch dividing by zero succeeded")
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM hull_meta WHERE key = 'probe'`).Scan(&n); err != nil {
		t.Fatalf("count probe rows: %v", err)
	}
	if n != 0 {
		t.Fatalf("the first statement of a failed batch committed")
	}
}

// Opening an up-to-date database is one query, and opening many stores at
// once migrates once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	u := newDatabase(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := Open(t.Context(), quietConfig(u))
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent open: %v", err)
		}
	}
	s, err := Open(t.Context(), quietConfig(u))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	var version int
	if err := s.pool.QueryRow(t.Context(), `SELECT value FROM hull_meta WHERE key = 'schema_version'`).Scan(&version); err != nil {
		t.Fatalf("read schema version: %v", err)
	}
	if version != len(migrations) {
		t.Fatalf("schema version %d, want %d", version, len(migrations))
	}
}

// After a first load the planner has statistics for hull's tables, so a
// range read walks the index instead of sorting every entry.
func TestALargeFirstLoadRefreshesPlannerStatistics(t *testing.T) {
	ctx := t.Context()
	u := newDatabase(t)
	s, err := Open(ctx, quietConfig(u))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	l, err := s.Acquire(ctx, "loader")
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	c := persistence.Commit{TS: 1}
	for i := range 600 {
		id := persistence.DocID{Table: 1, Internal: [16]byte{byte(i >> 8), byte(i)}}
		c.Documents = append(c.Documents, persistence.Revision{ID: id, TS: 1, Value: []byte(`{}`)})
		c.Indexes = append(c.Indexes, persistence.IndexWrite{Index: 1, Key: id.Internal[:], Doc: id})
	}
	if err := s.Write(ctx, l, []persistence.Commit{c}); err != nil {
		t.Fatalf("write: %v", err)
	}
	s.bg.Wait() // the refresh runs in the background; Close would cancel it
	s.Close()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var tuples float64
	if err := conn.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE relname = 'hull_index_entries'`).Scan(&tuples); err != nil {
		t.Fatalf("read statistics: %v", err)
	}
	if tuples != 600 {
		t.Fatalf("planner thinks hull_index_entries holds %v rows, want 600", tuples)
	}
}
