package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"hull/persistence"
)

// Read statements. Latest reads come from current state; reads at a ts take
// the newest log row at or below it.
const (
	sqlGetLatest = `SELECT ts, prev_ts, 0, value FROM documents WHERE tbl = ? AND id = ?`
	sqlGetAt     = `
SELECT ts, prev_ts, deleted, value FROM document_log
WHERE tbl = ? AND id = ? AND ts <= ? ORDER BY ts DESC LIMIT 1`
	sqlRetainedFrom = `SELECT coalesce((SELECT value FROM meta WHERE key = 'retained_from'), 0)`
	sqlScanLatest   = `
SELECT e.key, e.tbl, e.id, d.ts, d.prev_ts, d.value
FROM index_entries e LEFT JOIN documents d ON d.tbl = e.tbl AND d.id = e.id
WHERE e.idx = ?1 AND e.key >= ?2 %[1]s
ORDER BY e.key %[2]s LIMIT ?4`
	sqlScanAt = `
SELECT l.key, l.tbl, l.id, d.ts, d.prev_ts, d.value
FROM index_log l
LEFT JOIN document_log d ON d.tbl = l.tbl AND d.id = l.id AND d.deleted = 0 AND d.ts = (
	SELECT max(m.ts) FROM document_log m WHERE m.tbl = l.tbl AND m.id = l.id AND m.ts <= ?5)
WHERE l.idx = ?1 AND l.key >= ?2 %[1]s AND l.ts <= ?5 AND l.deleted = 0
	AND NOT EXISTS (SELECT 1 FROM index_log n
		WHERE n.idx = l.idx AND n.key = l.key AND n.ts > l.ts AND n.ts <= ?5)
ORDER BY l.key %[2]s LIMIT ?4`
	sqlRevisions = `
SELECT tbl, id, ts, prev_ts, deleted, value FROM document_log
WHERE ts > ? AND ts <= ? ORDER BY ts, tbl, id`
)

// Get returns the newest live revision at or below at of each id.
func (s *Store) Get(ctx context.Context, ids []persistence.DocID, at int64) (_ map[persistence.DocID]persistence.Revision, err error) {
	defer s.observe(&err)
	out := make(map[persistence.DocID]persistence.Revision, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if at != persistence.Latest {
		// The log at or below at does not change: one statement per id,
		// no transaction, then the retained floor check.
		if err := s.checkRetained(at); err != nil {
			return nil, fmt.Errorf("sqlite: get: %w", err)
		}
		args := []any{nil, nil, at}
		for _, id := range ids {
			if err := getOne(ctx, s.stmts.getAt, args, id, at, out); err != nil {
				return nil, err
			}
		}
		if err := s.checkRetained(at); err != nil {
			return nil, fmt.Errorf("sqlite: get: %w", err)
		}
		return out, nil
	}
	if len(ids) == 1 {
		// One statement is its own snapshot: no transaction needed.
		return out, getOne(ctx, s.stmts.getLatest, []any{nil, nil}, ids[0], at, out)
	}
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	stmt, args := tx.StmtContext(ctx, s.stmts.getLatest), []any{nil, nil}
	for _, id := range ids {
		if err := getOne(ctx, stmt, args, id, at, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// getOne reads id with stmt (args[0:2] are set to its table and id) and
// adds it to out when live.
func getOne(ctx context.Context, stmt *sql.Stmt, args []any, id persistence.DocID, at int64, out map[persistence.DocID]persistence.Revision) error {
	args[0], args[1] = int64(id.Table), id.Internal[:]
	r := persistence.Revision{ID: id}
	var value []byte
	err := stmt.QueryRowContext(ctx, args...).Scan(&r.TS, &r.PrevTS, &r.Deleted, &value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: get %v at %d: %w", id, at, err)
	}
	if !r.Deleted {
		r.Value = nonNil(value)
		out[id] = r
	}
	return nil
}

// checkRetained returns a wrapped persistence.ErrTooOld when at is below
// the retained floor. A read at a ts checks after it ran: GC raises the
// floor before its deletions commit, so a read that could have missed
// deleted rows sees the raised floor.
func (s *Store) checkRetained(at int64) error {
	if from := s.retained.Load(); at < from {
		return fmt.Errorf("read at %d, retained from %d: %w", at, from, persistence.ErrTooOld)
	}
	return nil
}

// Scan returns the live entries of r as of at, each joined with its
// document in the same query.
func (s *Store) Scan(ctx context.Context, r persistence.Range, at int64) (_ []persistence.IndexEntry, err error) {
	defer s.observe(&err)
	limit := int64(-1)
	if r.Limit > 0 {
		limit = int64(r.Limit)
	}
	var end any // nil: no upper bound
	if r.End != nil {
		end = r.End
	}
	// One statement is its own snapshot, and the log at or below a ts does
	// not change: no transaction.
	args := []any{int64(r.Index), nonNil(r.Start), end, limit}
	historical := at != persistence.Latest
	if historical {
		if err := s.checkRetained(at); err != nil {
			return nil, fmt.Errorf("sqlite: scan: %w", err)
		}
		args = append(args, at)
	}
	stmt := s.stmts.scan[b2i(historical)][b2i(r.End != nil)][b2i(r.Descending)]
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: scan index %d: %w", r.Index, err)
	}
	defer rows.Close()
	var out []persistence.IndexEntry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: scan index %d: %w", r.Index, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: scan index %d: %w", r.Index, err)
	}
	if historical {
		if err := s.checkRetained(at); err != nil {
			return nil, fmt.Errorf("sqlite: scan: %w", err)
		}
	}
	return out, nil
}

func scanEntry(rows *sql.Rows) (persistence.IndexEntry, error) {
	var (
		e          persistence.IndexEntry
		tbl        int64
		id, value  []byte
		ts, prevTS sql.NullInt64
	)
	if err := rows.Scan(&e.Key, &tbl, &id, &ts, &prevTS, &value); err != nil {
		return e, err
	}
	e.Doc.ID.Table = uint32(tbl)
	copy(e.Doc.ID.Internal[:], id)
	if !ts.Valid {
		return e, fmt.Errorf("entry %x points at missing document %v", e.Key, e.Doc.ID)
	}
	e.Doc.TS, e.Doc.PrevTS, e.Doc.Value = ts.Int64, prevTS.Int64, nonNil(value)
	return e, nil
}

// Revisions streams document revisions with after < ts <= through in
// (ts, id) order.
func (s *Store) Revisions(ctx context.Context, after, through int64, fn func(persistence.Revision) error) (err error) {
	defer s.observe(&err)
	rows, err := s.read.QueryContext(ctx, sqlRevisions, after, through)
	if err != nil {
		return fmt.Errorf("sqlite: revisions (%d, %d]: %w", after, through, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r     persistence.Revision
			tbl   int64
			id    []byte
			value []byte
		)
		if err := rows.Scan(&tbl, &id, &r.TS, &r.PrevTS, &r.Deleted, &value); err != nil {
			return fmt.Errorf("sqlite: revisions (%d, %d]: %w", after, through, err)
		}
		r.ID.Table = uint32(tbl)
		copy(r.ID.Internal[:], id)
		if !r.Deleted {
			r.Value = nonNil(value)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: revisions (%d, %d]: %w", after, through, err)
	}
	return nil
}

// RetainedFrom returns the oldest ts a read may ask for.
func (s *Store) RetainedFrom(ctx context.Context) (_ int64, err error) {
	defer s.observe(&err)
	var from int64
	if err := s.read.QueryRowContext(ctx, sqlRetainedFrom).Scan(&from); err != nil {
		return 0, fmt.Errorf("sqlite: retained from: %w", err)
	}
	return from, nil
}
