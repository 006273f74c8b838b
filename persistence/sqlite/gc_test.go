package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hull/persistence"
	"hull/persistence/storetest"
)

func quietOptions() Options { return Options{Logger: slog.New(slog.DiscardHandler)} }

// The whole suite again with GC walking the log three rows at a time, so
// every GC crosses many chunk boundaries, some inside one commit's rows.
func TestConformanceWithTinyGCChunks(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		NewDB: func(t *testing.T) func(ctx context.Context) (persistence.Store, error) {
			path := filepath.Join(t.TempDir(), "hull.db")
			return func(ctx context.Context) (persistence.Store, error) {
				s, err := Open(ctx, path, quietOptions())
				if err == nil {
					s.gcChunkRows = 3
				}
				return s, err
			}
		},
	})
}

// writeHistory writes n revisions of one document, each moving its one
// index entry, and returns the store and its lease.
func writeHistory(t *testing.T, path string, n int) (*Store, persistence.Lease, persistence.DocID) {
	t.Helper()
	ctx := t.Context()
	s, err := Open(ctx, path, quietOptions())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	l, err := s.Acquire(ctx, "writer")
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	doc := persistence.DocID{Table: 1}
	pad := strings.Repeat("x", 2000)
	for ts := int64(1); ts <= int64(n); ts++ {
		c := persistence.Commit{TS: ts,
			Documents: []persistence.Revision{{ID: doc, TS: ts, Value: fmt.Appendf(nil, `{"v":%d,"pad":%q}`, ts, pad)}},
			Indexes:   []persistence.IndexWrite{{Index: 1, Key: key(ts), Doc: doc}},
		}
		if ts > 1 {
			c.Indexes = append(c.Indexes, persistence.IndexWrite{Index: 1, Key: key(ts - 1), Doc: doc, Deleted: true})
		}
		if err := s.Write(ctx, l, []persistence.Commit{c}); err != nil {
			t.Fatalf("write %d: %v", ts, err)
		}
	}
	return s, l, doc
}

func key(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// GC hands the pages it frees back to the file system, and reads in the
// window still see what they should.
func TestGCReturnsSpaceToTheFileSystem(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hull.db")
	s, l, doc := writeHistory(t, path, 2000)
	if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, path)
	stats, err := s.GC(ctx, l, 1990)
	if err != nil {
		t.Fatalf("gc: %v", err)
	}
	if stats.DocumentRevisions != 1989 || stats.IndexEntries != 2*1989 {
		t.Fatalf("gc removed %+v, want 1989 document revisions and 3978 index rows", stats)
	}
	if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	after := fileSize(t, path)
	if after*10 > before {
		t.Fatalf("file is %d bytes after gc, %d before: want a tenth or less", after, before)
	}
	for at := int64(1990); at <= 2000; at++ {
		got, err := s.Get(ctx, []persistence.DocID{doc}, at)
		if err != nil || got[doc].TS != at {
			t.Fatalf("get at %d after gc = %+v, %v", at, got[doc].TS, err)
		}
	}
}

// A GC cut short after raising the floor leaves gc_done behind; the next
// GC at the same keepFrom finishes the walk.
func TestAnInterruptedGCIsFinishedByTheNext(t *testing.T) {
	ctx := t.Context()
	s, l, doc := writeHistory(t, filepath.Join(t.TempDir(), "hull.db"), 10)
	if _, err := s.raiseFloors(ctx, l, 8); err != nil {
		t.Fatalf("raise floors: %v", err)
	}
	stats, err := s.GC(ctx, l, 8)
	if err != nil {
		t.Fatalf("gc: %v", err)
	}
	if stats.DocumentRevisions != 7 || stats.IndexEntries != 14 {
		t.Fatalf("resumed gc removed %+v, want 7 document revisions and 14 index rows", stats)
	}
	for at := int64(8); at <= 10; at++ {
		got, err := s.Get(ctx, []persistence.DocID{doc}, at)
		if err != nil || got[doc].TS != at {
			t.Fatalf("get at %d after gc = %+v, %v", at, got, err)
		}
	}
	again, err := s.GC(ctx, l, 8)
	if err != nil || again != (persistence.GCStats{}) {
		t.Fatalf("a second gc at the same keepFrom = %+v, %v; want nothing to do", again, err)
	}
}

// A database file made without incremental auto-vacuum is converted once
// at open.
func TestOpenTurnsOnIncrementalVacuumInAnOldFile(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.ExecContext(ctx, `PRAGMA auto_vacuum = NONE`); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, old); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	var mode int
	if err := old.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 0 {
		t.Fatalf("old file auto_vacuum = %d, %v; want 0", mode, err)
	}
	old.Close()
	s, err := Open(ctx, path, quietOptions())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	if err := s.write.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 2 {
		t.Fatalf("auto_vacuum after open = %d, %v; want 2 (incremental)", mode, err)
	}
}
