package main

import (
	"context"
	"database/sql"
	"fmt"

	"hull/bench/internal/benchutil"
)

// rawSQLite is the limit for the sqlite backend: a separate file opened
// with the same pragmas (WAL, synchronous=FULL, BEGIN IMMEDIATE).
type rawSQLite struct {
	db                        *sql.DB
	getStmt, scanStmt, upsert *sql.Stmt
}

func openRawSQLite(ctx context.Context, path string) (*rawSQLite, error) {
	db, err := sql.Open("sqlite", benchutil.RawSQLiteDSN(path))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	if _, err := db.ExecContext(ctx, `
CREATE TABLE IF NOT EXISTS raw (id BLOB PRIMARY KEY, key BLOB NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS raw_by_key ON raw (key);`); err != nil {
		db.Close()
		return nil, fmt.Errorf("raw sqlite schema: %w", err)
	}
	r := &rawSQLite{db: db}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&r.getStmt, `SELECT value FROM raw WHERE id = ?`},
		{&r.scanStmt, `SELECT value FROM raw WHERE key >= ? ORDER BY key LIMIT ?`},
		{&r.upsert, `INSERT INTO raw (id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET key = excluded.key, value = excluded.value`},
	} {
		if *p.dst, err = db.PrepareContext(ctx, p.query); err != nil {
			db.Close()
			return nil, fmt.Errorf("raw sqlite prepare: %w", err)
		}
	}
	return r, nil
}

func (r *rawSQLite) load(ctx context.Context, rows []row) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt := tx.StmtContext(ctx, r.upsert)
	for _, row := range rows {
		if _, err := stmt.ExecContext(ctx, row.id, row.key, row.value); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (r *rawSQLite) get(ctx context.Context, id []byte) ([]byte, error) {
	var v []byte
	err := r.getStmt.QueryRowContext(ctx, id).Scan(&v)
	return v, err
}

func (r *rawSQLite) scan(ctx context.Context, start []byte, limit int) ([][]byte, error) {
	rows, err := r.scanStmt.QueryContext(ctx, start, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var v []byte
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// commit is one single-row write transaction, as durable as a store commit.
func (r *rawSQLite) commit(ctx context.Context, row row) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.StmtContext(ctx, r.upsert).ExecContext(ctx, row.id, row.key, row.value); err != nil {
		return err
	}
	return tx.Commit()
}

func (r *rawSQLite) close() { r.db.Close() }
