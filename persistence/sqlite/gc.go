package sqlite

import (
	"context"
	"fmt"

	"hull/persistence"
)

// Retention statements. A log row goes when a newer row of the same
// document (or index key) is also at or below keepFrom; then a deletion at
// or below keepFrom is the oldest row left of its document, and goes too.
const (
	sqlGCDocuments = `
DELETE FROM document_log WHERE ts < ?1 AND EXISTS (
	SELECT 1 FROM document_log n
	WHERE n.tbl = document_log.tbl AND n.id = document_log.id AND n.ts > document_log.ts AND n.ts <= ?1)`
	sqlGCDocumentDeletions = `DELETE FROM document_log WHERE deleted = 1 AND ts <= ?`
	sqlGCIndexes           = `
DELETE FROM index_log WHERE ts < ?1 AND EXISTS (
	SELECT 1 FROM index_log n
	WHERE n.idx = index_log.idx AND n.key = index_log.key AND n.ts > index_log.ts AND n.ts <= ?1)`
	sqlGCIndexDeletions = `DELETE FROM index_log WHERE deleted = 1 AND ts <= ?`
	sqlSetMeta          = `
INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`
)

// GC removes log rows that no read at or after keepFrom needs, raises the
// retained floor to keepFrom and records the max ts as a floor so MaxTS
// never falls. It is fenced like Write. A keepFrom at or below the current
// floor does nothing.
func (s *Store) GC(ctx context.Context, lease persistence.Lease, keepFrom int64) (stats persistence.GCStats, err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return stats, fmt.Errorf("sqlite: gc: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := checkFence(ctx, tx, lease); err != nil {
		return stats, fmt.Errorf("sqlite: gc: %w", err)
	}
	var retained, maxTS int64
	if err := tx.QueryRowContext(ctx, sqlRetainedFrom).Scan(&retained); err != nil {
		return stats, fmt.Errorf("sqlite: gc: read retained floor: %w", err)
	}
	if keepFrom <= retained {
		return stats, tx.Commit()
	}
	if err := tx.QueryRowContext(ctx, sqlMaxTS).Scan(&maxTS); err != nil {
		return stats, fmt.Errorf("sqlite: gc: read max ts: %w", err)
	}
	for _, step := range []struct {
		query string
		count *int64
	}{
		{sqlGCDocuments, &stats.DocumentRevisions},
		{sqlGCDocumentDeletions, &stats.DocumentRevisions},
		{sqlGCIndexes, &stats.IndexEntries},
		{sqlGCIndexDeletions, &stats.IndexEntries},
	} {
		res, err := tx.ExecContext(ctx, step.query, keepFrom)
		if err != nil {
			return stats, fmt.Errorf("sqlite: gc below %d: %w", keepFrom, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return stats, fmt.Errorf("sqlite: gc below %d: %w", keepFrom, err)
		}
		*step.count += n
	}
	for key, v := range map[string]int64{metaRetainedFrom: keepFrom, metaTSFloor: maxTS} {
		if _, err := tx.ExecContext(ctx, sqlSetMeta, key, v); err != nil {
			return stats, fmt.Errorf("sqlite: gc: set %s: %w", key, err)
		}
	}
	// Raised before the deletions commit (see checkRetained); it never
	// falls, even when this commit fails.
	for cur := s.retained.Load(); cur < keepFrom && !s.retained.CompareAndSwap(cur, keepFrom); cur = s.retained.Load() {
	}
	if err := tx.Commit(); err != nil {
		return stats, fmt.Errorf("sqlite: gc: commit: %w", err)
	}
	if stats.DocumentRevisions+stats.IndexEntries > 0 {
		// Hand freed pages back to the file system; best effort.
		if _, err := s.write.ExecContext(ctx, `PRAGMA incremental_vacuum`); err != nil {
			s.logger.Warn("sqlite: incremental vacuum failed", "path", s.path, "err", err)
		}
	}
	return stats, nil
}
