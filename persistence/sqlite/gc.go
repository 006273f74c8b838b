package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"hull/persistence"
)

// GC tuning. A chunk is one write transaction over at most gcChunk log
// rows, so a commit waits at most one chunk for the write lock; after
// each chunk GC pauses as long as the chunk took (at most gcMaxPause),
// so it never takes more than about half of the writer's time. Free
// pages are handed back vacuumPages at a time, with the same pauses.
const (
	defaultGCChunk = 1000
	gcMaxPause     = 50 * time.Millisecond
	vacuumPages    = 2048
)

// Retention statements. GC first raises the floors in one transaction,
// then walks the log rows in (gc_done, keepFrom] in ts order, a chunk per
// transaction: for each row it deletes the row before it of the same
// document (or index key), which no read at or after keepFrom can reach,
// and the row itself when it is a deletion. Rows are walked oldest first,
// so the row before is the only older one left: each row costs one
// primary-key seek however long its document's history. gc_done records
// how far a finished walk got, so the next GC starts there.
const (
	sqlGCFloors = `
SELECT coalesce((SELECT value FROM meta WHERE key = 'retained_from'), 0),
	coalesce((SELECT value FROM meta WHERE key = 'gc_done'), 0)`
	sqlSetMetaMax = `
INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`
	// A document chunk is the rows after the cursor (ts, tbl, id) up to
	// its end, in the order of document_log_by_ts.
	sqlGCDocumentsEnd = `
SELECT ts, tbl, id FROM document_log
WHERE (ts, tbl, id) > (?1, ?2, ?3) AND ts <= ?4
ORDER BY ts, tbl, id LIMIT 1 OFFSET ?5`
	sqlGCDocuments = `
DELETE FROM document_log WHERE rowid IN (
	SELECT (SELECT l.rowid FROM document_log l
		WHERE l.tbl = w.tbl AND l.id = w.id AND l.ts < w.ts ORDER BY l.ts DESC LIMIT 1)
	FROM document_log w
	WHERE (w.ts, w.tbl, w.id) > (?1, ?2, ?3) AND (w.ts, w.tbl, w.id) <= (?4, ?5, ?6) AND w.ts <= ?7
	UNION ALL
	SELECT w.rowid FROM document_log w
	WHERE (w.ts, w.tbl, w.id) > (?1, ?2, ?3) AND (w.ts, w.tbl, w.id) <= (?4, ?5, ?6) AND w.ts <= ?7 AND w.deleted = 1)`
	// An index chunk is the rows after the cursor (ts, rowid), in the
	// order of index_log_by_ts.
	sqlGCIndexesEnd = `
SELECT ts, rowid FROM index_log
WHERE (ts, rowid) > (?1, ?2) AND ts <= ?3
ORDER BY ts, rowid LIMIT 1 OFFSET ?4`
	sqlGCIndexes = `
DELETE FROM index_log WHERE rowid IN (
	SELECT (SELECT l.rowid FROM index_log l
		WHERE l.idx = w.idx AND l.key = w.key AND l.ts < w.ts ORDER BY l.ts DESC LIMIT 1)
	FROM index_log w
	WHERE (w.ts, w.rowid) > (?1, ?2) AND (w.ts, w.rowid) <= (?3, ?4) AND w.ts <= ?5
	UNION ALL
	SELECT w.rowid FROM index_log w
	WHERE (w.ts, w.rowid) > (?1, ?2) AND (w.ts, w.rowid) <= (?3, ?4) AND w.ts <= ?5 AND w.deleted = 1)`
)

// GC removes log rows that no read at or after keepFrom needs, raises the
// retained floor to keepFrom (never lowering it) and records the max ts as
// a floor so MaxTS never falls. It works in chunks of bounded size, each
// its own fenced write transaction, pausing between them so commits keep
// flowing, and then hands the freed pages back to the file system
// (incremental vacuum). A GC cut short (a cancelled context, a crash) is
// finished by the next one.
func (s *Store) GC(ctx context.Context, lease persistence.Lease, keepFrom int64) (stats persistence.GCStats, err error) {
	defer s.observe(&err)
	done, err := s.raiseFloors(ctx, lease, keepFrom)
	if err != nil || keepFrom <= done {
		return stats, err
	}
	// Both walks start just after every row at or below gc_done and end
	// after every row at or below keepFrom.
	for _, w := range []struct {
		end, del    string
		from, until []any
		count       *int64
	}{
		{sqlGCDocumentsEnd, sqlGCDocuments, []any{done, maxInt64, []byte{}}, []any{keepFrom, maxInt64, bytesMax()}, &stats.DocumentRevisions},
		{sqlGCIndexesEnd, sqlGCIndexes, []any{done, maxInt64}, []any{keepFrom, maxInt64}, &stats.IndexEntries},
	} {
		for cursor := w.from; cursor != nil; {
			n, next, err := s.gcChunk(ctx, lease, w.end, w.del, keepFrom, cursor, w.until)
			*w.count += n
			if err != nil {
				return stats, err
			}
			cursor = next
		}
	}
	if err := s.inWriteTx(ctx, lease, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, sqlSetMetaMax, metaGCDone, keepFrom)
		return err
	}); err != nil {
		return stats, fmt.Errorf("sqlite: gc: record progress: %w", err)
	}
	if stats.DocumentRevisions+stats.IndexEntries > 0 {
		if err := s.vacuum(ctx); err != nil && ctx.Err() == nil {
			// Best effort: the pages stay free for later writes.
			s.logger.Warn("sqlite: incremental vacuum failed", "path", s.path, "err", err)
		}
	}
	return stats, nil
}

// raiseFloors raises retained_from to keepFrom and ts_floor to the max
// ts, and returns gc_done, how far earlier GCs walked.
func (s *Store) raiseFloors(ctx context.Context, lease persistence.Lease, keepFrom int64) (done int64, err error) {
	err = s.inWriteTx(ctx, lease, func(tx *sql.Tx) error {
		var retained, maxTS int64
		if err := tx.QueryRowContext(ctx, sqlGCFloors).Scan(&retained, &done); err != nil {
			return fmt.Errorf("read floors: %w", err)
		}
		if keepFrom <= retained {
			return nil
		}
		if err := tx.QueryRowContext(ctx, sqlMaxTS).Scan(&maxTS); err != nil {
			return fmt.Errorf("read max ts: %w", err)
		}
		for _, kv := range []struct {
			key string
			v   int64
		}{{metaRetainedFrom, keepFrom}, {metaTSFloor, maxTS}} {
			if _, err := tx.ExecContext(ctx, sqlSetMetaMax, kv.key, kv.v); err != nil {
				return fmt.Errorf("set %s: %w", kv.key, err)
			}
		}
		// Raised before the floor commits (see checkRetained); it never
		// falls, even when this commit fails.
		for cur := s.retained.Load(); cur < keepFrom && !s.retained.CompareAndSwap(cur, keepFrom); cur = s.retained.Load() {
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: gc: %w", err)
	}
	return done, nil
}

// gcChunk runs one chunk of a walk: it finds where the chunk starting
// after cursor ends, deletes what the chunk's rows make unreachable, and
// returns the count and the next cursor (nil when the walk is done).
func (s *Store) gcChunk(ctx context.Context, lease persistence.Lease, endStmt, delStmt string, keepFrom int64, cursor, until []any) (int64, []any, error) {
	start := time.Now()
	var removed int64
	var next []any
	err := s.inWriteTx(ctx, lease, func(tx *sql.Tx) error {
		end := make([]any, len(cursor))
		dest := make([]any, len(end))
		for i := range end {
			dest[i] = &end[i]
		}
		args := append(append([]any{}, cursor...), keepFrom, s.gcChunkRows-1)
		err := tx.QueryRowContext(ctx, endStmt, args...).Scan(dest...)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			end = until // the last chunk
		case err != nil:
			return fmt.Errorf("find chunk end: %w", err)
		default:
			next = end
		}
		res, err := tx.ExecContext(ctx, delStmt, append(append(append([]any{}, cursor...), end...), keepFrom)...)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		removed, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return removed, nil, fmt.Errorf("sqlite: gc below %d: %w", keepFrom, err)
	}
	return removed, next, pause(ctx, time.Since(start))
}

// maxInt64 and bytesMax sort after every table number and document id.
const maxInt64 = int64(1<<63 - 1)

func bytesMax() []byte { return bytes.Repeat([]byte{0xff}, 17) }

// inWriteTx runs fn in a fenced write transaction and commits it.
func (s *Store) inWriteTx(ctx context.Context, lease persistence.Lease, fn func(*sql.Tx) error) (err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := checkFence(ctx, tx, lease); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// vacuum hands free pages back to the file system a bounded number at a
// time (each step is a short write transaction of its own).
func (s *Store) vacuum(ctx context.Context) error {
	last := int64(-1)
	for {
		var free int64
		if err := s.write.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
			return fmt.Errorf("read free pages: %w", err)
		}
		if free == 0 || free == last {
			return nil // all returned, or auto-vacuum is off
		}
		last = free
		start := time.Now()
		if _, err := s.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA incremental_vacuum(%d)`, vacuumPages)); err != nil {
			return fmt.Errorf("incremental vacuum: %w", err)
		}
		if err := pause(ctx, time.Since(start)); err != nil {
			return err
		}
	}
}

// pause waits as long as the work before it took, at most gcMaxPause, so
// that GC leaves the writer free at least half the time.
func pause(ctx context.Context, took time.Duration) error {
	t := time.NewTimer(min(took, gcMaxPause))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("sqlite: gc: %w", ctx.Err())
	case <-t.C:
		return nil
	}
}
