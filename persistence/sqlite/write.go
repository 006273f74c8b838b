package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"hull/persistence"
)

// Statements of the write path beside the multi-row ones of batch.go.
const (
	// sqlPrevTS finds the previous revision of a document, deletions
	// included, in the log's primary key.
	sqlPrevTS = `
SELECT coalesce(max(ts), 0) FROM document_log WHERE tbl = ? AND id = ? AND ts < ?`
	sqlDeleteDocument = `DELETE FROM documents WHERE tbl = ? AND id = ?`
	sqlDeleteIndex    = `DELETE FROM index_entries WHERE idx = ? AND key = ?`
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
	if err := st.applyGroup(ctx, commits); err != nil {
		return fmt.Errorf("sqlite: write: commits %d..%d: %w", commits[0].TS, commits[len(commits)-1].TS, err)
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

// writeStmts are the prepared write statements bound to one transaction;
// the multi-row ones are bound when first used.
type writeStmts struct {
	tx                     *sql.Tx
	all                    *statements
	prevTS, delDoc, delIdx *sql.Stmt
	bound                  [batchKinds][batchSizes]*sql.Stmt
}

func (s *Store) bindWrite(ctx context.Context, tx *sql.Tx) *writeStmts {
	return &writeStmts{
		tx:     tx,
		all:    s.stmts,
		prevTS: tx.StmtContext(ctx, s.stmts.prevTS),
		delDoc: tx.StmtContext(ctx, s.stmts.delDoc),
		delIdx: tx.StmtContext(ctx, s.stmts.delIdx),
	}
}

// batch returns kind k's statement for 1<<i rows, bound to the transaction.
func (st *writeStmts) batch(ctx context.Context, k batchKind, i int) *sql.Stmt {
	if st.bound[k][i] == nil {
		st.bound[k][i] = st.tx.StmtContext(ctx, st.all.batch[k][i])
	}
	return st.bound[k][i]
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
