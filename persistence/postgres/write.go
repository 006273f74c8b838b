package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hull/persistence"
)

// Statements of a write batch. Each takes whole columns as arrays and
// writes every row of its table in one statement.
const (
	sqlBeginWrite = `SELECT hull_begin_write($1::bigint, $2::bigint)`
	// A document's prev_ts is the ts of its newest logged revision; a
	// revision following another of the same batch gets it from Go (rows of
	// the same statement cannot see each other), marked by prev_ts >= 0.
	sqlLogDocuments = `
INSERT INTO hull_document_log (tbl, id, ts, prev_ts, deleted, value)
SELECT u.tbl, u.id, u.ts,
	CASE WHEN u.prev_ts >= 0 THEN u.prev_ts ELSE coalesce(
		(SELECT max(l.ts) FROM hull_document_log l WHERE l.tbl = u.tbl AND l.id = u.id), 0) END,
	u.value IS NULL, u.value
FROM unnest($1::bigint[], $2::bytea[], $3::bigint[], $4::bigint[], $5::bytea[]) AS u (tbl, id, ts, prev_ts, value)`
	sqlDeleteDocuments = `
DELETE FROM hull_documents d USING unnest($1::bigint[], $2::bytea[]) AS u (tbl, id)
WHERE d.tbl = u.tbl AND d.id = u.id`
	// Runs after sqlLogDocuments in the same transaction, so the log
	// already holds each revision and its predecessor.
	sqlPutDocuments = `
INSERT INTO hull_documents (tbl, id, ts, prev_ts, value)
SELECT u.tbl, u.id, u.ts, coalesce(
		(SELECT max(l.ts) FROM hull_document_log l WHERE l.tbl = u.tbl AND l.id = u.id AND l.ts < u.ts), 0),
	u.value
FROM unnest($1::bigint[], $2::bytea[], $3::bigint[], $4::bytea[]) AS u (tbl, id, ts, value)
ON CONFLICT (tbl, id) DO UPDATE SET ts = excluded.ts, prev_ts = excluded.prev_ts, value = excluded.value`
	sqlLogIndexes = `
INSERT INTO hull_index_log (idx, key_prefix, key_hash, key, ts, deleted, tbl, id)
SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bigint[], $6::boolean[], $7::bigint[], $8::bytea[])`
	sqlDeleteIndexes = `
DELETE FROM hull_index_entries e USING unnest($1::bigint[], $2::bytea[], $3::bytea[]) AS u (idx, key_prefix, key_hash)
WHERE e.idx = u.idx AND e.key_prefix = u.key_prefix AND e.key_hash = u.key_hash`
	sqlPutIndexes = `
INSERT INTO hull_index_entries (idx, key_prefix, key_hash, key, tbl, id)
SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bigint[], $6::bytea[])
ON CONFLICT (idx, key_prefix, key_hash) DO UPDATE SET key = excluded.key, tbl = excluded.tbl, id = excluded.id`
	sqlRaiseTSFloor = `
INSERT INTO hull_meta (key, value) VALUES ('ts_floor', $1::bigint)
ON CONFLICT (key) DO UPDATE SET value = greatest(hull_meta.value, excluded.value)`
	sqlMaxTS = `SELECT hull_max_ts()`
)

// Write applies commits as one pipelined batch: PostgreSQL runs the
// statements up to the batch's single Sync as one implicit transaction, so
// the lease check, the log appends and the current-state updates commit
// together, in one round trip, or not at all.
func (s *Store) Write(ctx context.Context, lease persistence.Lease, commits []persistence.Commit) error {
	if err := validateCommits(commits); err != nil {
		return err
	}
	b := &pgx.Batch{}
	if len(commits) == 0 {
		b.Queue(`SELECT hull_check_fence($1::bigint, true)`, lease.Fence)
	} else {
		b.Queue(sqlBeginWrite, lease.Fence, commits[0].TS)
		queueCommits(b, commits)
	}
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return writeError("write", lease, err)
	}
	rows := 0
	for _, c := range commits {
		rows += len(c.Documents) + len(c.Indexes)
	}
	s.wrote(rows)
	return nil
}

// writeError maps the errors a fenced batch raises to the persistence
// sentinels.
func writeError(op string, lease persistence.Lease, err error) error {
	switch pgCode(err) {
	case codeFenced:
		return fmt.Errorf("postgres: %s with lease %d: %v: %w", op, lease.Fence, pgMessage(err), persistence.ErrFenced)
	case codeTSNotRises:
		return fmt.Errorf("postgres: %s: %v: %w", op, pgMessage(err), persistence.ErrTSNotRising)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// validateCommits checks the shape of a group before it is sent:
// timestamps strictly rising, each revision at its commit's ts.
func validateCommits(commits []persistence.Commit) error {
	for i, c := range commits {
		if i > 0 && c.TS <= commits[i-1].TS {
			return fmt.Errorf("postgres: write: commit ts %d follows %d: %w",
				c.TS, commits[i-1].TS, persistence.ErrTSNotRising)
		}
		if c.TS <= 0 || c.TS == persistence.Latest {
			return fmt.Errorf("postgres: write: commit ts %d out of range", c.TS)
		}
		for _, r := range c.Documents {
			if r.TS != c.TS {
				return fmt.Errorf("postgres: write: revision of %v at ts %d inside commit %d", r.ID, r.TS, c.TS)
			}
		}
	}
	return nil
}

// docColumns are document rows as columns.
type docColumns struct {
	tbl    []int64
	id     [][]byte
	ts     []int64
	prevTS []int64
	value  [][]byte // nil: a deletion
}

// add appends r and returns its row.
func (c *docColumns) add(r persistence.Revision, prevTS int64) int {
	c.tbl = append(c.tbl, int64(r.ID.Table))
	c.id = append(c.id, r.ID.Internal[:])
	c.ts = append(c.ts, r.TS)
	c.prevTS = append(c.prevTS, prevTS)
	c.value = append(c.value, revisionValue(r))
	return len(c.tbl) - 1
}

// set replaces the value of row i with r's (same document, same ts).
func (c *docColumns) set(i int, r persistence.Revision) { c.value[i] = revisionValue(r) }

// revisionValue is the stored value of r: NULL for a deletion, never NULL
// for a live document.
func revisionValue(r persistence.Revision) []byte {
	if r.Deleted {
		return nil
	}
	return nonNil(r.Value)
}

// indexColumns are index rows as columns.
type indexColumns struct {
	idx     []int64
	prefix  [][]byte
	hash    [][]byte
	key     [][]byte // nil when the prefix is the whole key
	ts      []int64
	deleted []bool
	tbl     []int64
	id      [][]byte
}

// add appends w at ts and returns its row.
func (c *indexColumns) add(w persistence.IndexWrite, ts int64) int {
	k := splitKey(w.Key)
	c.idx = append(c.idx, int64(w.Index))
	c.prefix = append(c.prefix, k.prefix)
	c.hash = append(c.hash, k.hash)
	c.key = append(c.key, k.rest)
	c.ts = append(c.ts, ts)
	c.deleted = append(c.deleted, w.Deleted)
	c.tbl = append(c.tbl, int64(w.Doc.Table))
	c.id = append(c.id, w.Doc.Internal[:])
	return len(c.idx) - 1
}

// set replaces row i (same index, key and ts) with w.
func (c *indexColumns) set(i int, w persistence.IndexWrite) {
	c.deleted[i], c.tbl[i], c.id[i] = w.Deleted, int64(w.Doc.Table), w.Doc.Internal[:]
}

// queueCommits adds the log appends and current-state updates of commits
// to b: at most one statement per table and kind. A document or index key
// written twice in one commit keeps its last write; current state gets
// each one's last write in the group.
func queueCommits(b *pgx.Batch, commits []persistence.Commit) {
	var (
		docLog    docColumns
		idxLog    indexColumns
		lastDoc   = map[persistence.DocID]persistence.Revision{}
		lastIdx   = map[indexKey]persistence.IndexWrite{}
		docOrder  []persistence.DocID
		idxOrder  []indexKey
		docRow    = map[persistence.DocID]int{} // row in docLog, this commit
		idxRow    = map[indexKey]int{}          // row in idxLog, this commit
		lastRowTS int64
	)
	for _, c := range commits {
		clear(docRow)
		clear(idxRow)
		for _, r := range c.Documents {
			prev, seen := lastDoc[r.ID]
			switch i, dup := docRow[r.ID]; {
			case dup:
				docLog.set(i, r)
			case seen:
				docRow[r.ID] = docLog.add(r, prev.TS)
			default:
				docRow[r.ID] = docLog.add(r, -1) // -1: look it up in the log
				docOrder = append(docOrder, r.ID)
			}
			lastDoc[r.ID] = r
			lastRowTS = c.TS
		}
		for _, w := range c.Indexes {
			k := indexKey{w.Index, string(w.Key)}
			if i, dup := idxRow[k]; dup {
				idxLog.set(i, w)
			} else {
				idxRow[k] = idxLog.add(w, c.TS)
			}
			if _, seen := lastIdx[k]; !seen {
				idxOrder = append(idxOrder, k)
			}
			lastIdx[k] = w
			lastRowTS = c.TS
		}
	}
	queueDocuments(b, &docLog, lastDoc, docOrder)
	queueIndexes(b, &idxLog, lastIdx, idxOrder)
	if last := commits[len(commits)-1].TS; lastRowTS < last {
		// The group ends in empty commits: record their ts so MaxTS covers it.
		b.Queue(sqlRaiseTSFloor, last)
	}
}

type indexKey struct {
	index persistence.IndexID
	key   string
}

func queueDocuments(b *pgx.Batch, log *docColumns, last map[persistence.DocID]persistence.Revision, order []persistence.DocID) {
	if len(log.tbl) == 0 {
		return
	}
	b.Queue(sqlLogDocuments, log.tbl, log.id, log.ts, log.prevTS, log.value)
	var del, put docColumns
	for _, id := range order {
		r := last[id]
		if r.Deleted {
			del.add(r, 0)
		} else {
			put.add(r, 0)
		}
	}
	if len(del.tbl) > 0 {
		b.Queue(sqlDeleteDocuments, del.tbl, del.id)
	}
	if len(put.tbl) > 0 {
		b.Queue(sqlPutDocuments, put.tbl, put.id, put.ts, put.value)
	}
}

func queueIndexes(b *pgx.Batch, log *indexColumns, last map[indexKey]persistence.IndexWrite, order []indexKey) {
	if len(log.idx) == 0 {
		return
	}
	b.Queue(sqlLogIndexes, log.idx, log.prefix, log.hash, log.key, log.ts, log.deleted, log.tbl, log.id)
	var del, put indexColumns
	for _, k := range order {
		if w := last[k]; w.Deleted {
			del.add(w, 0)
		} else {
			put.add(w, 0)
		}
	}
	if len(del.idx) > 0 {
		b.Queue(sqlDeleteIndexes, del.idx, del.prefix, del.hash)
	}
	if len(put.idx) > 0 {
		b.Queue(sqlPutIndexes, put.idx, put.prefix, put.hash, put.key, put.tbl, put.id)
	}
}

// storedKey is an index key as stored: an indexed prefix of at most
// keyPrefixLen bytes, the sha256 of the whole key, and the whole key when
// the prefix is not all of it.
type storedKey struct {
	prefix, hash, rest []byte
}

func splitKey(key []byte) storedKey {
	key = nonNil(key)
	sum := sha256.Sum256(key)
	if len(key) <= keyPrefixLen {
		return storedKey{prefix: key, hash: sum[:]}
	}
	return storedKey{prefix: key[:keyPrefixLen], hash: sum[:], rest: key}
}

// nonNil keeps empty values and keys from turning into SQL NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// MaxTS returns the highest durable commit ts, derived from the logs (both
// indexed by ts) and the floor GC and empty commits leave behind.
func (s *Store) MaxTS(ctx context.Context) (int64, error) {
	var ts int64
	if err := s.pool.QueryRow(ctx, sqlMaxTS).Scan(&ts); err != nil {
		return 0, fmt.Errorf("postgres: max ts: %w", err)
	}
	return ts, nil
}

// pgMessage returns the server's message of err, or err itself.
func pgMessage(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}
