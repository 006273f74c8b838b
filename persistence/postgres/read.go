package postgres

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"hull/persistence"
)

// Reads at Latest use current state. Reads at a ts use the logs, and read
// the retained floor in the same statement (one snapshot), so a
// concurrent GC can never make them see a half-collected past: the query
// returns the floor in every row, and no data when at is below it.
const (
	sqlFloor = `(SELECT coalesce((SELECT value FROM hull_meta WHERE key = 'retained_from'), 0) AS floor) f`

	sqlGetLatest = `
SELECT d.tbl, d.id, d.ts, d.prev_ts, false, d.value
FROM hull_documents d JOIN unnest($1::bigint[], $2::bytea[]) AS u (tbl, id) ON d.tbl = u.tbl AND d.id = u.id`
	sqlGetOneLatest = `
SELECT tbl, id, ts, prev_ts, false, value FROM hull_documents WHERE tbl = $1::bigint AND id = $2::bytea`
	sqlGetAt = `
SELECT f.floor, x.tbl, x.id, x.ts, x.prev_ts, x.deleted, x.value
FROM ` + sqlFloor + ` LEFT JOIN LATERAL (
	SELECT u.tbl, u.id, l.ts, l.prev_ts, l.deleted, l.value
	FROM unnest($1::bigint[], $2::bytea[]) AS u (tbl, id)
	CROSS JOIN LATERAL (
		SELECT ts, prev_ts, deleted, value FROM hull_document_log l
		WHERE l.tbl = u.tbl AND l.id = u.id AND l.ts <= $3::bigint ORDER BY l.ts DESC LIMIT 1) l
	WHERE f.floor <= $3::bigint
) x ON true`
	sqlRetainedFrom = `SELECT coalesce((SELECT value FROM hull_meta WHERE key = 'retained_from'), 0)`
	sqlRevisions    = `
SELECT tbl, id, ts, prev_ts, deleted, value FROM hull_document_log
WHERE ts > $1::bigint AND ts <= $2::bigint ORDER BY ts, tbl, id`
)

// Get returns the newest live revision at or below at of each id, in one
// query whatever the number of ids.
func (s *Store) Get(ctx context.Context, ids []persistence.DocID, at int64) (_ map[persistence.DocID]persistence.Revision, err error) {
	defer s.observe(&err)
	out := make(map[persistence.DocID]persistence.Revision, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	tbls, keys := make([]int64, len(ids)), make([][]byte, len(ids))
	for i, id := range ids {
		tbls[i], keys[i] = int64(id.Table), id.Internal[:]
	}
	var rows pgx.Rows
	switch {
	case at == persistence.Latest && len(ids) == 1: // the common point read: the simplest plan
		rows, err = s.pool.Query(ctx, sqlGetOneLatest, tbls[0], keys[0])
	case at == persistence.Latest:
		rows, err = s.pool.Query(ctx, sqlGetLatest, tbls, keys)
	default:
		rows, err = s.pool.Query(ctx, sqlGetAt, tbls, keys, at)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get %d ids at %d: %w", len(ids), at, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			floor *int64
			r     docRow
			dest  = []any{&r.tbl, &r.id, &r.ts, &r.prevTS, &r.deleted, &r.value}
		)
		if at != persistence.Latest {
			dest = append([]any{&floor}, dest...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("postgres: get at %d: %w", at, err)
		}
		if floor != nil && at < *floor {
			return nil, tooOld("get", at, *floor)
		}
		if rev, ok := r.revision(); ok && !rev.Deleted {
			out[rev.ID] = rev
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: get at %d: %w", at, err)
	}
	return out, nil
}

// docRow is a document row whose columns may all be NULL (an outer join
// that found nothing).
type docRow struct {
	tbl, ts, prevTS *int64
	id, value       []byte
	deleted         *bool
}

// revision converts r, reporting false when the row is empty.
func (r *docRow) revision() (persistence.Revision, bool) {
	if r.tbl == nil || r.ts == nil {
		return persistence.Revision{}, false
	}
	rev := persistence.Revision{TS: *r.ts}
	rev.ID.Table = uint32(*r.tbl)
	copy(rev.ID.Internal[:], r.id)
	if r.prevTS != nil {
		rev.PrevTS = *r.prevTS
	}
	rev.Deleted = r.deleted != nil && *r.deleted
	if !rev.Deleted {
		rev.Value = nonNil(r.value)
	}
	return rev, true
}

func tooOld(op string, at, floor int64) error {
	return fmt.Errorf("postgres: %s at %d, retained from %d: %w", op, at, floor, persistence.ErrTooOld)
}

// Scan returns the live entries of r as of at, each joined with its
// document, in one query. Rows come ordered by key prefix and, where
// prefixes tie, by the full key; the range bounds compare full keys where
// a prefix alone cannot decide.
func (s *Store) Scan(ctx context.Context, r persistence.Range, at int64) (_ []persistence.IndexEntry, err error) {
	defer s.observe(&err)
	q := &query{}
	var sql string
	if at == persistence.Latest {
		sql = q.scanLatest(r)
	} else {
		sql = q.scanAt(r, at)
	}
	rows, err := s.pool.Query(ctx, sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: scan index %d at %d: %w", r.Index, at, err)
	}
	defer rows.Close()
	var out []persistence.IndexEntry
	for rows.Next() {
		var (
			floor       *int64
			prefix, key []byte
			d           docRow
			dest        = []any{&prefix, &key, &d.tbl, &d.id, &d.ts, &d.prevTS, &d.deleted, &d.value}
		)
		if at != persistence.Latest {
			dest = append([]any{&floor}, dest...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("postgres: scan index %d at %d: %w", r.Index, at, err)
		}
		if floor != nil && at < *floor {
			return nil, tooOld("scan", at, *floor)
		}
		if prefix == nil { // the outer join of a historical scan found nothing
			continue
		}
		e := persistence.IndexEntry{Key: fullKey(prefix, key)}
		doc, ok := d.revision()
		if !ok || doc.Deleted {
			return nil, fmt.Errorf("postgres: scan index %d at %d: entry %x points at a missing document", r.Index, at, e.Key)
		}
		e.Doc = doc
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: scan index %d at %d: %w", r.Index, at, err)
	}
	// The order is the query's; sorting again is cheap insurance against
	// a plan that loses it through the lateral join.
	slices.SortStableFunc(out, func(a, b persistence.IndexEntry) int {
		if r.Descending {
			return bytes.Compare(b.Key, a.Key)
		}
		return bytes.Compare(a.Key, b.Key)
	})
	return out, nil
}

func fullKey(prefix, key []byte) []byte {
	if key != nil {
		return key
	}
	return nonNil(prefix)
}

// query accumulates positional arguments for a generated statement.
type query struct{ args []any }

func (q *query) arg(v any, cast string) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args)) + "::" + cast
}

// bounds renders r's key range over the columns of alias. A bound that
// fits in a prefix compares prefixes only (exact); a longer bound compares
// prefixes and, where they tie, full keys (key IS NULL means the key is
// its prefix).
func (q *query) bounds(alias string, r persistence.Range) string {
	var b strings.Builder
	start := splitKey(r.Start)
	if start.rest == nil {
		fmt.Fprintf(&b, " AND %[1]s.key_prefix >= %[2]s", alias, q.arg(start.prefix, "bytea"))
	} else {
		p := q.arg(start.prefix, "bytea")
		fmt.Fprintf(&b, " AND (%[1]s.key_prefix > %[2]s OR (%[1]s.key_prefix = %[2]s AND %[1]s.key >= %[3]s))",
			alias, p, q.arg(start.rest, "bytea"))
	}
	if r.End == nil {
		return b.String()
	}
	end := splitKey(r.End)
	if end.rest == nil {
		fmt.Fprintf(&b, " AND %[1]s.key_prefix < %[2]s", alias, q.arg(end.prefix, "bytea"))
	} else {
		p := q.arg(end.prefix, "bytea")
		fmt.Fprintf(&b, " AND (%[1]s.key_prefix < %[2]s OR (%[1]s.key_prefix = %[2]s AND (%[1]s.key IS NULL OR %[1]s.key < %[3]s)))",
			alias, p, q.arg(end.rest, "bytea"))
	}
	return b.String()
}

// order renders the key order over alias: by prefix, then by full key
// (a NULL key is the prefix itself, the smallest of its tie group).
func order(alias string, desc bool) string {
	if desc {
		return fmt.Sprintf(" ORDER BY %[1]s.key_prefix DESC, %[1]s.key DESC NULLS LAST", alias)
	}
	return fmt.Sprintf(" ORDER BY %[1]s.key_prefix, %[1]s.key NULLS FIRST", alias)
}

func (q *query) limit(r persistence.Range) string {
	if r.Limit <= 0 {
		return ""
	}
	return " LIMIT " + q.arg(int64(r.Limit), "bigint")
}

func (q *query) scanLatest(r persistence.Range) string {
	return `
SELECT e.key_prefix, e.key, e.tbl, e.id, d.ts, d.prev_ts, false, d.value
FROM hull_index_entries e LEFT JOIN hull_documents d ON d.tbl = e.tbl AND d.id = e.id
WHERE e.idx = ` + q.arg(int64(r.Index), "bigint") + q.bounds("e", r) + order("e", r.Descending) + q.limit(r)
}

// scanAt takes the log rows of keys in range that are the newest of their
// key at or below at (an anti-join the planner runs as index probes, so a
// limited scan stops early), keeps the live ones, and joins each with its
// document's newest revision at or below at.
func (q *query) scanAt(r persistence.Range, at int64) string {
	idx, ts := q.arg(int64(r.Index), "bigint"), q.arg(at, "bigint")
	return `
SELECT f.floor, x.key_prefix, x.key, x.tbl, x.id, x.ts, x.prev_ts, x.deleted, x.value
FROM ` + sqlFloor + ` LEFT JOIN LATERAL (
	SELECT a.key_prefix, a.key, a.tbl, a.id, d.ts, d.prev_ts, d.deleted, d.value
	FROM hull_index_log a
	LEFT JOIN LATERAL (
		SELECT dl.ts, dl.prev_ts, dl.deleted, dl.value FROM hull_document_log dl
		WHERE dl.tbl = a.tbl AND dl.id = a.id AND dl.ts <= ` + ts + `
		ORDER BY dl.ts DESC LIMIT 1
	) d ON true
	WHERE a.idx = ` + idx + ` AND a.ts <= ` + ts + q.bounds("a", r) + ` AND NOT a.deleted
		AND NOT EXISTS (SELECT 1 FROM hull_index_log n
			WHERE n.idx = a.idx AND n.key_prefix = a.key_prefix AND n.key_hash = a.key_hash
				AND n.ts > a.ts AND n.ts <= ` + ts + `)
		AND f.floor <= ` + ts + order("a", r.Descending) + q.limit(r) + `
) x ON true`
}

// Revisions streams document revisions with after < ts <= through in
// (ts, id) order, from one query.
func (s *Store) Revisions(ctx context.Context, after, through int64, fn func(persistence.Revision) error) (err error) {
	defer s.observe(&err)
	rows, err := s.pool.Query(ctx, sqlRevisions, after, through)
	if err != nil {
		return fmt.Errorf("postgres: revisions (%d, %d]: %w", after, through, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d docRow
		if err := rows.Scan(&d.tbl, &d.id, &d.ts, &d.prevTS, &d.deleted, &d.value); err != nil {
			return fmt.Errorf("postgres: revisions (%d, %d]: %w", after, through, err)
		}
		r, _ := d.revision()
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: revisions (%d, %d]: %w", after, through, err)
	}
	return nil
}

// RetainedFrom returns the oldest ts a read may ask for.
func (s *Store) RetainedFrom(ctx context.Context) (_ int64, err error) {
	defer s.observe(&err)
	var from int64
	if err := s.pool.QueryRow(ctx, sqlRetainedFrom).Scan(&from); err != nil {
		return 0, fmt.Errorf("postgres: retained from: %w", err)
	}
	return from, nil
}
