package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"hull/persistence"
)

// history is where a churn left off: the last ts, and the ts of the live
// document's last patch (its index key), 0 before the first.
type history struct{ ts, patched int64 }

// churn writes the retention benchmark's workload, smaller: patches of
// one document (its index entry moving each time) and insert/delete pairs
// of others, commits batches at a time, continuing h.
func churn(t *testing.T, s *Store, l persistence.Lease, h *history, patches, pairs int) {
	t.Helper()
	ts := h.ts
	ctx := t.Context()
	body := strings.Repeat("lorem ipsum ", 15)
	live := persistence.DocID{Table: 1}
	key := func(doc persistence.DocID, v int) []byte {
		return binary.BigEndian.AppendUint32(append([]byte{}, doc.Internal[:4]...), uint32(v))
	}
	var batch []persistence.Commit
	flush := func() {
		if err := s.Write(ctx, l, batch); err != nil {
			t.Fatalf("write at %d: %v", ts, err)
		}
		batch = batch[:0]
	}
	for i := 0; i < patches; i++ {
		ts++
		c := persistence.Commit{TS: ts,
			Documents: []persistence.Revision{{ID: live, TS: ts, Value: fmt.Appendf(nil, `{"n":%d,"body":%q}`, ts, body)}},
			Indexes:   []persistence.IndexWrite{{Index: 1, Key: key(live, int(ts)), Doc: live}},
		}
		if h.patched > 0 {
			c.Indexes = append(c.Indexes, persistence.IndexWrite{Index: 1, Key: key(live, int(h.patched)), Doc: live, Deleted: true})
		}
		h.patched = ts
		if batch = append(batch, c); len(batch) == 100 {
			flush()
		}
	}
	for i := 0; i < pairs; i++ {
		doc := persistence.DocID{Table: 2}
		binary.BigEndian.PutUint64(doc.Internal[:], uint64(ts))
		ts++
		batch = append(batch, persistence.Commit{TS: ts,
			Documents: []persistence.Revision{{ID: doc, TS: ts, Value: fmt.Appendf(nil, `{"i":%d,"body":%q}`, i, body)}},
			Indexes:   []persistence.IndexWrite{{Index: 2, Key: key(doc, 0), Doc: doc}},
		})
		ts++
		batch = append(batch, persistence.Commit{TS: ts,
			Documents: []persistence.Revision{{ID: doc, TS: ts, Deleted: true}},
			Indexes:   []persistence.IndexWrite{{Index: 2, Key: key(doc, 0), Doc: doc, Deleted: true}},
		})
		if len(batch) >= 100 {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	h.ts = ts
}

// hullSize is the size of hull's relations after a VACUUM, as autovacuum
// would leave them.
func hullSize(t *testing.T, s *Store) int64 {
	t.Helper()
	ctx := t.Context()
	if _, err := s.pool.Exec(ctx, `VACUUM`); err != nil {
		t.Fatalf("vacuum: %v", err)
	}
	var n int64
	if err := s.pool.QueryRow(ctx, sqlHullSize).Scan(&n); err != nil {
		t.Fatalf("size: %v", err)
	}
	return n
}

// After a churning workload and GC at its end, hull's relations are
// within twice the size of the same live data freshly written: GC's
// compaction drops the dead log generations and rebuilds the bloated
// indexes, where deleting rows alone would leave the files at their
// largest.
func TestGCGivesSpaceBack(t *testing.T) {
	ctx := t.Context()
	open := func() (*Store, persistence.Lease) {
		s, l := openWriter(t, newDatabase(t))
		s.compactMinBytes = 0
		return s, l
	}
	s, l := open()
	h := &history{}
	churn(t, s, l, h, 4000, 3000)
	before := hullSize(t, s)
	if _, err := s.GC(ctx, l, h.ts); err != nil {
		t.Fatalf("gc: %v", err)
	}
	after := hullSize(t, s)
	fresh, fl := open()
	churn(t, fresh, fl, &history{ts: h.ts - 1}, 1, 0)
	limit := hullSize(t, fresh)
	t.Logf("hull relations: %d bytes after the workload, %d after gc, %d fresh", before, after, limit)
	if after > 2*limit {
		t.Errorf("after gc hull's relations take %d bytes, over twice the %d of a fresh import", after, limit)
	}
	// The data is all there: the live document and its one index entry.
	checkLive(t, s, h.ts)
	// A second workload and GC start from the new generation.
	churn(t, s, l, h, 2000, 1000)
	if _, err := s.GC(ctx, l, h.ts); err != nil {
		t.Fatalf("second gc: %v", err)
	}
	if again := hullSize(t, s); again > 2*limit {
		t.Errorf("after a second workload and gc hull's relations take %d bytes, limit %d", again, 2*limit)
	}
	checkLive(t, s, h.ts)
}

func checkLive(t *testing.T, s *Store, ts int64) {
	t.Helper()
	ctx := t.Context()
	live := persistence.DocID{Table: 1}
	for _, at := range []int64{ts, persistence.Latest} {
		got, err := s.Get(ctx, []persistence.DocID{live}, at)
		if err != nil || len(got) != 1 {
			t.Fatalf("get at %d = %+v, %v", at, got, err)
		}
		for _, idx := range []persistence.IndexID{1, 2} {
			entries, err := s.Scan(ctx, persistence.Range{Index: idx}, at)
			want := 1
			if idx == 2 {
				want = 0
			}
			if err != nil || len(entries) != want {
				t.Fatalf("scan of index %d at %d = %d entries, %v; want %d", idx, at, len(entries), err, want)
			}
		}
	}
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM hull_document_log`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("document log rows = %d, %v; want 1", n, err)
	}
}

// A database made by schema version 1 (unpartitioned logs) keeps its
// whole history through the upgrade: its logs become generation 0, reads
// at every ts still see what they saw, and the first compaction moves
// their live rows into a new generation and drops the old tables.
func TestUpgradeToPartitionedLogs(t *testing.T) {
	ctx := t.Context()
	u := newDatabase(t)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{metaTable, migrations[0],
		`INSERT INTO hull_meta (key, value) VALUES ('schema_version', 1)`,
		`INSERT INTO hull_lease (id, fence, holder) VALUES (1, 1, 'v1')`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("schema v1: %v", err)
		}
	}
	v1 := persistence.Lease{Fence: 1, Holder: "v1"}
	doc := persistence.DocID{Table: 1}
	key := func(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }
	for ts := int64(1); ts <= 20; ts++ {
		c := persistence.Commit{TS: ts,
			Documents: []persistence.Revision{{ID: doc, TS: ts, Value: fmt.Appendf(nil, `{"v":%d}`, ts)}},
			Indexes:   []persistence.IndexWrite{{Index: 1, Key: key(ts), Doc: doc}},
		}
		if ts > 1 {
			c.Indexes = append(c.Indexes, persistence.IndexWrite{Index: 1, Key: key(ts - 1), Doc: doc, Deleted: true})
		}
		if _, err := conn.Exec(ctx, sqlWrite, writeArgs(v1, []persistence.Commit{c})...); err != nil {
			t.Fatalf("v1 write %d: %v", ts, err)
		}
	}
	s, err := Open(ctx, quietConfig(u))
	if err != nil {
		t.Fatalf("open (upgrade): %v", err)
	}
	defer s.Close()
	check := func(when string) {
		t.Helper()
		for at := int64(1); at <= 20; at++ {
			got, err := s.Get(ctx, []persistence.DocID{doc}, at)
			if err != nil || got[doc].TS != at {
				t.Fatalf("%s: get at %d = %+v, %v", when, at, got, err)
			}
			entries, err := s.Scan(ctx, persistence.Range{Index: 1}, at)
			if err != nil || len(entries) != 1 || string(entries[0].Key) != string(key(at)) {
				t.Fatalf("%s: scan at %d = %d entries, %v", when, at, len(entries), err)
			}
		}
	}
	check("after the upgrade")
	l, err := s.Acquire(ctx, "v2")
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	s.compactAlways = true
	if _, err := s.GC(ctx, l, 1); err != nil {
		t.Fatalf("gc: %v", err)
	}
	check("after compaction")
	var gens []string
	rows, _ := s.pool.Query(ctx, `SELECT relname FROM pg_class WHERE relname ~ '^hull_(document|index)_log_g[0-9]+$' ORDER BY 1`)
	if gens, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatalf("list partitions: %v", err)
	}
	if want := []string{"hull_document_log_g1", "hull_index_log_g1"}; !slices.Equal(gens, want) {
		t.Fatalf("log tables after compaction = %v, want %v", gens, want)
	}
}

// A process fenced out before it compacts starts no generation and moves
// nothing: the generation change and every move check the fence in their
// own transaction.
func TestAFencedCompactionChangesNothing(t *testing.T) {
	ctx := t.Context()
	u := newDatabase(t)
	s, l := openWriter(t, u)
	churn(t, s, l, &history{}, 50, 50)
	successor, err := Open(ctx, quietConfig(u))
	if err != nil {
		t.Fatalf("open successor: %v", err)
	}
	defer successor.Close()
	sl, err := successor.Acquire(ctx, "successor")
	if err != nil {
		t.Fatalf("takeover: %v", err)
	}
	s.compactAlways = true
	if err := s.compact(ctx, l, 0); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("fenced compaction: %v, want ErrFenced", err)
	}
	if gen, err := successor.currentGen(ctx); err != nil || gen != 0 {
		t.Fatalf("generation after a fenced compaction = %d, %v; want 0", gen, err)
	}
	// The successor starts generation 1 and moves generation 0 into it
	// in chunks; a fenced process's move chunk then moves nothing.
	successor.compactAlways, successor.gcChunk = true, 10
	if _, err := successor.check(ctx, sl); err != nil {
		t.Fatalf("successor check: %v", err)
	}
	var before int
	if err := successor.pool.QueryRow(ctx, `SELECT count(*) FROM hull_document_log_g0`).Scan(&before); err != nil || before == 0 {
		t.Fatalf("generation 0 rows = %d, %v", before, err)
	}
	if err := s.drain(ctx, l, documentLog, "hull_document_log_g0"); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("fenced move: %v, want ErrFenced", err)
	}
	var after int
	if err := successor.pool.QueryRow(ctx, `SELECT count(*) FROM hull_document_log_g0`).Scan(&after); err != nil || after != before {
		t.Fatalf("generation 0 rows after a fenced move = %d, %v; want %d", after, err, before)
	}
	if _, err := successor.GC(ctx, sl, 1); err != nil {
		t.Fatalf("successor gc: %v", err)
	}
	if err := successor.pool.QueryRow(ctx, `SELECT count(*) FROM hull_document_log`).Scan(&after); err != nil || after != 150 {
		t.Fatalf("log rows after the successor's compaction = %d, %v; want 150", after, err)
	}
}

// Documents inserted and then deleted but the newest leave the live row
// on the last page of hull_documents, where VACUUM cannot cut the table
// short; compaction moves it forward, so the table shrinks too.
func TestGCEmptiesTheTailOfCurrentState(t *testing.T) {
	ctx := t.Context()
	s, l := openWriter(t, newDatabase(t))
	s.compactMinBytes = 0
	const n = 20000
	id := func(i int) persistence.DocID {
		d := persistence.DocID{Table: 1}
		binary.BigEndian.PutUint64(d.Internal[:], uint64(i))
		return d
	}
	var ts int64
	var batch []persistence.Commit
	flush := func() {
		if err := s.Write(ctx, l, batch); err != nil {
			t.Fatalf("write at %d: %v", ts, err)
		}
		batch = batch[:0]
	}
	for i := range 2*n - 1 {
		ts++
		c := persistence.Commit{TS: ts}
		if i < n {
			d := id(i)
			c.Documents = []persistence.Revision{{ID: d, TS: ts, Value: fmt.Appendf(nil, `{"i":%d,"body":"%0200d"}`, i, 0)}}
			c.Indexes = []persistence.IndexWrite{{Index: 1, Key: d.Internal[:], Doc: d}}
		} else {
			d := id(i - n)
			c.Documents = []persistence.Revision{{ID: d, TS: ts, Deleted: true}}
			c.Indexes = []persistence.IndexWrite{{Index: 1, Key: d.Internal[:], Doc: d, Deleted: true}}
		}
		if batch = append(batch, c); len(batch) == 100 {
			flush()
		}
	}
	flush()
	if _, err := s.GC(ctx, l, ts); err != nil {
		t.Fatalf("gc: %v", err)
	}
	hullSize(t, s) // VACUUM
	var heap int64
	if err := s.pool.QueryRow(ctx, `SELECT pg_relation_size('hull_documents')`).Scan(&heap); err != nil {
		t.Fatalf("size: %v", err)
	}
	if heap > 64<<10 {
		t.Errorf("hull_documents holds one row in %d bytes", heap)
	}
	last := id(n - 1)
	for _, at := range []int64{ts, persistence.Latest} {
		got, err := s.Get(ctx, []persistence.DocID{last, id(0)}, at)
		if err != nil || len(got) != 1 || got[last].TS != n {
			t.Fatalf("get at %d = %+v, %v; want the last document at ts %d", at, got, err, n)
		}
		entries, err := s.Scan(ctx, persistence.Range{Index: 1}, at)
		if err != nil || len(entries) != 1 || entries[0].Doc.ID != last {
			t.Fatalf("scan at %d = %d entries, %v", at, len(entries), err)
		}
	}
}
