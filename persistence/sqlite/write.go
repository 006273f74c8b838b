package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"hull/persistence"
)

// Statements of the write path, applied per document and per index entry.
const (
	// sqlPrevTS finds the previous revision of a document, deletions
	// included, in the log's primary key.
	sqlPrevTS = `
SELECT coalesce(max(ts), 0) FROM document_log WHERE tbl = ? AND id = ? AND ts < ?`
	sqlLogDocument = `
INSERT OR REPLACE INTO document_log (tbl, id, ts, prev_ts, deleted, value) VALUES (?, ?, ?, ?, ?, ?)`
	sqlPutDocument = `
INSERT INTO documents (tbl, id, ts, prev_ts, value) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (tbl, id) DO UPDATE SET ts = excluded.ts, prev_ts = excluded.prev_ts, value = excluded.value`
	sqlDeleteDocument = `DELETE FROM documents WHERE tbl = ? AND id = ?`
	sqlLogIndex       = `
INSERT OR REPLACE INTO index_log (idx, key, ts, deleted, tbl, id) VALUES (?, ?, ?, ?, ?, ?)`
	sqlPutIndex = `
INSERT INTO index_entries (idx, key, tbl, id, ts) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (idx, key) DO UPDATE SET tbl = excluded.tbl, id = excluded.id, ts = excluded.ts`
	sqlDeleteIndex = `DELETE FROM index_entries WHERE idx = ? AND key = ?`
	// sqlMaxTS derives the durable max ts from the logs and the floor GC
	// leaves behind; both logs are indexed by ts.
	sqlMaxTS = `
SELECT max(
	coalesce((SELECT max(ts) FROM document_log), 0),
	coalesce((SELECT max(ts) FROM index_log), 0),
	coalesce((SELECT value FROM meta WHERE key = 'ts_floor'), 0))`
)

// Write applies commits in one BEGIN IMMEDIATE transaction after checking
// the lease inside it. With synchronous=FULL the group is on disk when Write
// returns nil; on any error nothing was written.
func (s *Store) Write(ctx context.Context, lease persistence.Lease, commits []persistence.Commit) (err error) {
	defer s.observe(&err)
	if err := validateCommits(commits); err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: write: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := scanFence(tx.StmtContext(ctx, s.stmts.lease).QueryRowContext(ctx), lease); err != nil {
		return fmt.Errorf("sqlite: write: %w", err)
	}
	if len(commits) == 0 {
		return tx.Commit()
	}
	var maxTS int64
	if err := tx.StmtContext(ctx, s.stmts.maxTS).QueryRowContext(ctx).Scan(&maxTS); err != nil {
		return fmt.Errorf("sqlite: write: read max ts: %w", err)
	}
	if commits[0].TS <= maxTS {
		return fmt.Errorf("sqlite: write: commit ts %d <= durable max ts %d: %w",
			commits[0].TS, maxTS, persistence.ErrTSNotRising)
	}
	st := s.bindWrite(ctx, tx)
	for _, c := range commits {
		if err := st.apply(ctx, c); err != nil {
			return fmt.Errorf("sqlite: write: commit %d: %w", c.TS, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: write: commit: %w", err)
	}
	return nil
}

// validateCommits checks the shape of a group before it is sent.
func validateCommits(commits []persistence.Commit) error {
	if err := persistence.ValidateCommits(commits); err != nil {
		return fmt.Errorf("%s: %w", "sqlite", err)
	}
	return nil
}

// writeStmts are the prepared write statements bound to one transaction.
type writeStmts struct {
	prevTS, logDoc, putDoc, delDoc, logIdx, putIdx, delIdx *sql.Stmt
}

func (s *Store) bindWrite(ctx context.Context, tx *sql.Tx) *writeStmts {
	return &writeStmts{
		prevTS: tx.StmtContext(ctx, s.stmts.prevTS),
		logDoc: tx.StmtContext(ctx, s.stmts.logDoc),
		putDoc: tx.StmtContext(ctx, s.stmts.putDoc),
		delDoc: tx.StmtContext(ctx, s.stmts.delDoc),
		logIdx: tx.StmtContext(ctx, s.stmts.logIdx),
		putIdx: tx.StmtContext(ctx, s.stmts.putIdx),
		delIdx: tx.StmtContext(ctx, s.stmts.delIdx),
	}
}

// apply writes one commit: each document's log row (its prev_ts read from
// the log first), then current state; then each index entry likewise.
func (st *writeStmts) apply(ctx context.Context, c persistence.Commit) error {
	for _, r := range c.Documents {
		tbl, id := int64(r.ID.Table), r.ID.Internal[:]
		var value []byte
		if !r.Deleted {
			value = nonNil(r.Value)
		}
		var prevTS int64
		if err := st.prevTS.QueryRowContext(ctx, tbl, id, c.TS).Scan(&prevTS); err != nil {
			return fmt.Errorf("read previous revision: %w", err)
		}
		if _, err := st.logDoc.ExecContext(ctx, tbl, id, c.TS, prevTS, r.Deleted, value); err != nil {
			return fmt.Errorf("log document: %w", err)
		}
		var err error
		if r.Deleted {
			_, err = st.delDoc.ExecContext(ctx, tbl, id)
		} else {
			_, err = st.putDoc.ExecContext(ctx, tbl, id, c.TS, prevTS, value)
		}
		if err != nil {
			return fmt.Errorf("update document: %w", err)
		}
	}
	for _, w := range c.Indexes {
		tbl, id, key := int64(w.Doc.Table), w.Doc.Internal[:], nonNil(w.Key)
		if _, err := st.logIdx.ExecContext(ctx, int64(w.Index), key, c.TS, w.Deleted, tbl, id); err != nil {
			return fmt.Errorf("log index entry: %w", err)
		}
		var err error
		if w.Deleted {
			_, err = st.delIdx.ExecContext(ctx, int64(w.Index), key)
		} else {
			_, err = st.putIdx.ExecContext(ctx, int64(w.Index), key, tbl, id, c.TS)
		}
		if err != nil {
			return fmt.Errorf("update index entry: %w", err)
		}
	}
	return nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// MaxTS returns the highest durable commit ts, derived from the logs and
// the floor kept by GC.
func (s *Store) MaxTS(ctx context.Context) (_ int64, err error) {
	defer s.observe(&err)
	var ts int64
	if err := s.read.QueryRowContext(ctx, sqlMaxTS).Scan(&ts); err != nil {
		return 0, fmt.Errorf("sqlite: max ts: %w", err)
	}
	return ts, nil
}
