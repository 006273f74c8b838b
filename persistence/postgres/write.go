package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"hull/persistence"
)

// sqlWrite applies a whole write group (see hull_write in schema.go).
const (
	sqlWrite = `SELECT hull_write($1::bigint, $2::bigint, $3::bigint,
	$4::bigint[], $5::bytea[], $6::bigint[], $7::bigint[], $8::bytea[],
	$9::bigint[], $10::bytea[],
	$11::bigint[], $12::bytea[], $13::bigint[], $14::bytea[],
	$15::bigint[], $16::bytea[], $17::bytea[], $18::bytea[], $19::bigint[], $20::boolean[], $21::bigint[], $22::bytea[],
	$23::bigint[], $24::bytea[], $25::bytea[],
	$26::bigint[], $27::bytea[], $28::bytea[], $29::bytea[], $30::bigint[], $31::bytea[])`
	sqlMaxTS = `SELECT hull_max_ts()`
)

// Write applies commits with one statement, in one round trip: a call of
// hull_write, which checks the lease under a lock on the lease row and the
// ts against the durable maximum, then appends to both logs and updates
// current state, all in the statement's transaction. Nothing commits
// unless everything does.
func (s *Store) Write(ctx context.Context, lease persistence.Lease, commits []persistence.Commit) (err error) {
	defer s.observe(&err)
	if err := validateCommits(commits); err != nil {
		return err
	}
	if len(commits) == 0 {
		_, err = s.pool.Exec(ctx, `SELECT hull_check_fence($1::bigint, true)`, lease.Fence)
	} else {
		_, err = s.pool.Exec(ctx, sqlWrite, writeArgs(lease, commits)...)
	}
	if err != nil {
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

// validateCommits checks the shape of a group before it is sent.
func validateCommits(commits []persistence.Commit) error {
	if err := persistence.ValidateCommits(commits); err != nil {
		return fmt.Errorf("%s: %w", "postgres", err)
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

// writeArgs turns commits into hull_write's arguments: every log row, and
// each document's and index key's last write for current state. A
// document or index key written twice in one commit keeps its last write.
func writeArgs(lease persistence.Lease, commits []persistence.Commit) []any {
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
	var floorTS int64
	if last := commits[len(commits)-1].TS; lastRowTS < last {
		floorTS = last // the group ends in empty commits: record their ts so MaxTS covers it
	}
	args := []any{lease.Fence, commits[0].TS, floorTS}
	args = append(args, documentArgs(&docLog, lastDoc, docOrder)...)
	return append(args, indexArgs(&idxLog, lastIdx, idxOrder)...)
}

type indexKey struct {
	index persistence.IndexID
	key   string
}

// documentArgs returns the document log columns, then the ids to delete
// from current state, then the rows to upsert into it.
func documentArgs(log *docColumns, last map[persistence.DocID]persistence.Revision, order []persistence.DocID) []any {
	var del, put docColumns
	for _, id := range order {
		if r := last[id]; r.Deleted {
			del.add(r, 0)
		} else {
			put.add(r, 0)
		}
	}
	return []any{log.tbl, log.id, log.ts, log.prevTS, log.value, del.tbl, del.id, put.tbl, put.id, put.ts, put.value}
}

// indexArgs returns the index log columns, then the keys to delete from
// current state, then the entries to upsert into it.
func indexArgs(log *indexColumns, last map[indexKey]persistence.IndexWrite, order []indexKey) []any {
	var del, put indexColumns
	for _, k := range order {
		if w := last[k]; w.Deleted {
			del.add(w, 0)
		} else {
			put.add(w, 0)
		}
	}
	return []any{log.idx, log.prefix, log.hash, log.key, log.ts, log.deleted, log.tbl, log.id,
		del.idx, del.prefix, del.hash,
		put.idx, put.prefix, put.hash, put.key, put.tbl, put.id}
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
func (s *Store) MaxTS(ctx context.Context) (_ int64, err error) {
	defer s.observe(&err)
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
