package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"hull/persistence"
)

// defaultGCChunk bounds the log rows one GC transaction examines, so locks
// are short, WAL comes in small pieces and a writer never waits long.
// After each chunk GC pauses as long as the chunk took (at most
// gcMaxPause), so it takes at most about half of the database's time.
// The rows GC deletes leave dead tuples that autovacuum makes reusable:
// the log stops growing once it holds about one retention window of
// writes, but its files keep their size (see bench/README.md).
const (
	defaultGCChunk = 5000
	gcMaxPause     = 50 * time.Millisecond
)

// Retention statements. GC first raises the floors in one transaction,
// then walks the log rows in (gc_done, keepFrom] in (ts, …) order, a chunk
// per transaction: for each row it deletes the row just before it of the
// same document (or index key), which no read at or after keepFrom can
// reach, and the row itself when it is a deletion. Rows are walked oldest
// first, so the row before is the only older one left: each costs one
// primary-key seek however long its document's history. gc_done records
// how far the walk got, so a GC cut short resumes where it stopped.
const (
	sqlGCRaiseFloors = `
WITH old AS (SELECT coalesce((SELECT value FROM hull_meta WHERE key = 'gc_done'), 0) AS done),
up AS (
	INSERT INTO hull_meta (key, value) VALUES ('retained_from', $1::bigint), ('ts_floor', hull_max_ts())
	ON CONFLICT (key) DO UPDATE SET value = greatest(hull_meta.value, excluded.value))
SELECT done FROM old`
	sqlGCDocuments = `
WITH win AS (
	SELECT tbl, id, ts, deleted FROM hull_document_log
	WHERE (ts, tbl, id) > ($3::bigint, $4::bigint, $5::bytea) AND ts <= $1::bigint
	ORDER BY ts, tbl, id LIMIT $2::bigint),
doomed AS (
	SELECT win.tbl, win.id, p.ts FROM win CROSS JOIN LATERAL (
		SELECT l.ts FROM hull_document_log l
		WHERE l.tbl = win.tbl AND l.id = win.id AND l.ts < win.ts ORDER BY l.ts DESC LIMIT 1) p
	UNION ALL
	SELECT tbl, id, ts FROM win WHERE deleted),
gone AS (
	DELETE FROM hull_document_log l USING doomed
	WHERE l.tbl = doomed.tbl AND l.id = doomed.id AND l.ts = doomed.ts
	RETURNING 1)
SELECT w.ts, w.tbl, w.id, (SELECT count(*) FROM gone), (SELECT count(*) FROM win)
FROM (SELECT ts, tbl, id FROM win ORDER BY ts DESC, tbl DESC, id DESC LIMIT 1) w`
	sqlGCIndexes = `
WITH win AS (
	SELECT idx, key_prefix, key_hash, ts, deleted FROM hull_index_log
	WHERE (ts, idx, key_prefix, key_hash) > ($3::bigint, $4::bigint, $5::bytea, $6::bytea) AND ts <= $1::bigint
	ORDER BY ts, idx, key_prefix, key_hash LIMIT $2::bigint),
doomed AS (
	SELECT win.idx, win.key_prefix, win.key_hash, p.ts FROM win CROSS JOIN LATERAL (
		SELECT l.ts FROM hull_index_log l
		WHERE l.idx = win.idx AND l.key_prefix = win.key_prefix AND l.key_hash = win.key_hash AND l.ts < win.ts
		ORDER BY l.ts DESC LIMIT 1) p
	UNION ALL
	SELECT idx, key_prefix, key_hash, ts FROM win WHERE deleted),
gone AS (
	DELETE FROM hull_index_log l USING doomed
	WHERE l.idx = doomed.idx AND l.key_prefix = doomed.key_prefix AND l.key_hash = doomed.key_hash AND l.ts = doomed.ts
	RETURNING 1)
SELECT w.ts, w.idx, w.key_prefix, w.key_hash, (SELECT count(*) FROM gone), (SELECT count(*) FROM win)
FROM (SELECT ts, idx, key_prefix, key_hash FROM win ORDER BY ts DESC, idx DESC, key_prefix DESC, key_hash DESC LIMIT 1) w`
	sqlGCDone = `
INSERT INTO hull_meta (key, value) VALUES ('gc_done', $1::bigint)
ON CONFLICT (key) DO UPDATE SET value = greatest(hull_meta.value, excluded.value)`
	sqlCheckShared = `SELECT hull_check_fence($1::bigint, false)`
)

// GC removes log rows that no read at or after keepFrom needs and raises
// RetainedFrom to keepFrom (never lowering it). Every transaction it runs
// is fenced like Write. Reads check the floor in their own snapshot, so
// they never see a half-collected past.
func (s *Store) GC(ctx context.Context, lease persistence.Lease, keepFrom int64) (persistence.GCStats, error) {
	var stats persistence.GCStats
	b := &pgx.Batch{}
	b.Queue(sqlCheckShared, lease.Fence)
	var done int64
	b.Queue(sqlGCRaiseFloors, keepFrom).QueryRow(func(row pgx.Row) error { return row.Scan(&done) })
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return stats, writeError("gc", lease, err)
	}
	if keepFrom > done {
		if err := s.collect(ctx, lease, keepFrom, done, &stats); err != nil {
			return stats, err
		}
	}
	if err := s.compact(ctx, lease, stats.DocumentRevisions+stats.IndexEntries); err != nil {
		return stats, err
	}
	return stats, nil
}

// collect walks both logs from just after gc_done (done) up to keepFrom
// and records how far it got.
func (s *Store) collect(ctx context.Context, lease persistence.Lease, keepFrom, done int64, stats *persistence.GCStats) error {
	n, err := s.gcLog(ctx, lease, sqlGCDocuments, keepFrom, []any{done, int64(math.MaxInt64), []byte{}})
	stats.DocumentRevisions = n
	if err != nil {
		return err
	}
	n, err = s.gcLog(ctx, lease, sqlGCIndexes, keepFrom, []any{done, int64(math.MaxInt64), []byte{}, []byte{}})
	stats.IndexEntries = n
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(sqlCheckShared, lease.Fence)
	b.Queue(sqlGCDone, keepFrom)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return writeError("gc", lease, err)
	}
	s.logger.Debug("postgres: gc", "keep_from", keepFrom,
		"document_revisions", stats.DocumentRevisions, "index_entries", stats.IndexEntries)
	return nil
}

// gcLog runs one chunked GC statement until a chunk comes back short.
// Each chunk starts after cursor, the last row the previous one examined.
func (s *Store) gcLog(ctx context.Context, lease persistence.Lease, stmt string, keepFrom int64, cursor []any) (int64, error) {
	return s.chunked(ctx, lease, "gc", stmt, []any{keepFrom, s.gcChunk}, cursor)
}

// chunked runs stmt, with the arguments lead and then cursor, until a
// chunk comes back short. stmt returns one row: the next cursor, the rows
// it changed and the rows it examined (at most s.gcChunk); no row when it
// examined none.
func (s *Store) chunked(ctx context.Context, lease persistence.Lease, op, stmt string, lead, cursor []any) (int64, error) {
	var changed int64
	for {
		if err := ctx.Err(); err != nil {
			return changed, fmt.Errorf("postgres: %s: %w", op, err)
		}
		next := make([]any, len(cursor))
		var n, seen int64
		dest := make([]any, 0, len(next)+2)
		for i := range next {
			dest = append(dest, &next[i])
		}
		dest = append(dest, &n, &seen)
		start := time.Now()
		// The fence is checked after the chunk's changes, in the same
		// implicit transaction: a fenced-out process's chunk rolls back
		// all the same, and the shared lock on the lease row, which every
		// commit waits for, is held only from the check to the commit.
		b := &pgx.Batch{}
		b.Queue(stmt, append(append([]any{}, lead...), cursor...)...).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(dest...); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return nil
		})
		b.Queue(sqlCheckShared, lease.Fence)
		if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
			return changed, writeError(op, lease, err)
		}
		changed += n
		if seen < s.gcChunk {
			return changed, nil
		}
		cursor = next
		if err := pause(ctx, time.Since(start)); err != nil {
			return changed, err
		}
	}
}

// pause waits as long as the work before it took, at most gcMaxPause.
func pause(ctx context.Context, took time.Duration) error {
	t := time.NewTimer(min(took, gcMaxPause))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("postgres: gc: %w", ctx.Err())
	case <-t.C:
		return nil
	}
}
