package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/jackc/pgx/v5"

	"hull/persistence"
	"hull/persistence/storetest"
)

// The whole suite again with GC walking the log three rows at a time, so
// every GC crosses many chunk boundaries, some inside one commit's rows,
// and with every GC compacting: a new log generation, the old one's rows
// moved into it three at a time, and the current-state indexes rebuilt.
func TestConformanceWithTinyGCChunks(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		NewDB: func(t *testing.T) func(ctx context.Context) (persistence.Store, error) {
			u := newDatabase(t)
			return func(ctx context.Context) (persistence.Store, error) {
				s, err := Open(ctx, quietConfig(u))
				if err == nil {
					s.gcChunk = 3
					s.compactAlways = true
				}
				return s, err
			}
		},
	})
}

// A GC cut short after raising the floor (a crash, a cancelled context)
// leaves gc_done behind; the next GC at the same keepFrom finishes the
// walk, and reads in the window still see every revision they should.
func TestAnInterruptedGCIsFinishedByTheNext(t *testing.T) {
	ctx := t.Context()
	s, l := openWriter(t, newDatabase(t))
	doc := persistence.DocID{Table: 1}
	key := func(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
	for ts := int64(1); ts <= 10; ts++ {
		c := persistence.Commit{TS: ts,
			Documents: []persistence.Revision{{ID: doc, TS: ts, Value: fmt.Appendf(nil, `{"v":%d}`, ts)}},
			Indexes:   []persistence.IndexWrite{{Index: 1, Key: key(int(ts)), Doc: doc}},
		}
		if ts > 1 {
			c.Indexes = append(c.Indexes, persistence.IndexWrite{Index: 1, Key: key(int(ts - 1)), Doc: doc, Deleted: true})
		}
		if err := s.Write(ctx, l, []persistence.Commit{c}); err != nil {
			t.Fatalf("write %d: %v", ts, err)
		}
	}
	// Only the first step of a GC at 8: the floor rises, nothing is deleted.
	b := &pgx.Batch{}
	b.Queue(sqlGCRaiseFloors, int64(8))
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		t.Fatalf("raise floors: %v", err)
	}
	stats, err := s.GC(ctx, l, 8)
	if err != nil {
		t.Fatalf("gc: %v", err)
	}
	// Revisions 1–7 of the document go; so do index rows 1–7 and the
	// deletions at or below 8 (whose keys have nothing older left).
	if stats.DocumentRevisions != 7 || stats.IndexEntries != 14 {
		t.Fatalf("resumed gc removed %+v, want 7 document revisions and 14 index rows", stats)
	}
	for at := int64(8); at <= 10; at++ {
		got, err := s.Get(ctx, []persistence.DocID{doc}, at)
		if err != nil || got[doc].TS != at {
			t.Fatalf("get at %d after gc = %+v, %v", at, got, err)
		}
		entries, err := s.Scan(ctx, persistence.Range{Index: 1}, at)
		if err != nil || len(entries) != 1 || string(entries[0].Key) != string(key(int(at))) {
			t.Fatalf("scan at %d after gc = %d entries, %v", at, len(entries), err)
		}
	}
	again, err := s.GC(ctx, l, 8)
	if err != nil || again != (persistence.GCStats{}) {
		t.Fatalf("a second gc at the same keepFrom = %+v, %v; want nothing to do", again, err)
	}
}

// A chunk checks the fence after its deletions, in the same transaction:
// a process fenced out mid-GC deletes nothing.
func TestAFencedGCChunkDeletesNothing(t *testing.T) {
	ctx := t.Context()
	u := newDatabase(t)
	s, l := openWriter(t, u)
	doc := persistence.DocID{Table: 1}
	for ts := int64(1); ts <= 5; ts++ {
		c := persistence.Commit{TS: ts, Documents: []persistence.Revision{{ID: doc, TS: ts, Value: fmt.Appendf(nil, `{"v":%d}`, ts)}}}
		if err := s.Write(ctx, l, []persistence.Commit{c}); err != nil {
			t.Fatalf("write %d: %v", ts, err)
		}
	}
	successor, err := Open(ctx, quietConfig(u))
	if err != nil {
		t.Fatalf("open successor: %v", err)
	}
	defer successor.Close()
	if _, err := successor.Acquire(ctx, "successor"); err != nil {
		t.Fatalf("takeover: %v", err)
	}
	n, err := s.gcLog(ctx, l, sqlGCDocuments, 5, []any{int64(0), int64(math.MaxInt64), []byte{}})
	if !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("fenced chunk: %d removed, %v; want ErrFenced", n, err)
	}
	var left int
	if err := successor.pool.QueryRow(ctx, `SELECT count(*) FROM hull_document_log`).Scan(&left); err != nil || left != 5 {
		t.Fatalf("log rows after a fenced chunk = %d, %v; want all 5", left, err)
	}
}

// openWriter opens a store on the database at u and takes its lease.
func openWriter(t *testing.T, u string) (*Store, persistence.Lease) {
	t.Helper()
	s, err := Open(t.Context(), quietConfig(u))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	l, err := s.Acquire(t.Context(), "writer")
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	return s, l
}
