package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hull/bench/internal/benchutil"
)

func openSQLite(ctx context.Context) (target, error) {
	s, path, cleanup, err := benchutil.TempSQLite(ctx, "commit")
	if err != nil {
		return target{}, err
	}
	raw, err := openRawSQLite(ctx, path+".raw")
	if err != nil {
		cleanup()
		return target{}, err
	}
	return target{store: s, raw: raw, rawConns: 1, close: func() { raw.close(); cleanup() }}, nil
}

// rawSQLite is a separate file with the store's settings: WAL,
// synchronous=FULL, BEGIN IMMEDIATE.
type rawSQLite struct {
	db     *sql.DB
	upsert *sql.Stmt
}

func openRawSQLite(ctx context.Context, path string) (*rawSQLite, error) {
	db, err := sql.Open("sqlite", benchutil.RawSQLiteDSN(path))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS raw (id INTEGER PRIMARY KEY, value BLOB NOT NULL)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("raw sqlite schema: %w", err)
	}
	up, err := db.PrepareContext(ctx, `INSERT INTO raw (id, value) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET value = excluded.value`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("raw sqlite prepare: %w", err)
	}
	return &rawSQLite{db: db, upsert: up}, nil
}

func (r *rawSQLite) commit(ctx context.Context, _, id int) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.StmtContext(ctx, r.upsert).ExecContext(ctx, id%1000, rawValue(0, id)); err != nil {
		return err
	}
	return tx.Commit()
}

func (r *rawSQLite) close() { r.db.Close() }

// rawValue is the row a raw transaction writes: its content changes with
// every transaction. SQLite leaves a page clean when an update writes
// the bytes already there, and a transaction that dirtied no page commits
// without writing the log or syncing it, so rewriting a constant measured
// a no-op, not a commit.
func rawValue(conn, i int) []byte {
	return fmt.Appendf(nil, `{"n":%d,"client":%d}`, i, conn)
}

// openPostgres creates a fresh database on the server for both the store
// and the raw table, and drops it on close.
func openPostgres(ctx context.Context, dsn string) (target, error) {
	s, dbURL, drop, err := benchutil.FreshPostgres(ctx, dsn, "commit")
	if err != nil {
		return target{}, err
	}
	raw, err := openRawPostgres(ctx, dbURL, 16)
	if err != nil {
		drop()
		return target{}, err
	}
	return target{store: s, raw: raw, rawConns: 16, close: func() { raw.close(); drop() }}, nil
}

// rawPostgres writes from one connection per worker, each upsert its own
// (implicit) transaction in one round trip, in the store's exec mode.
type rawPostgres struct {
	conns []*pgx.Conn
}

func openRawPostgres(ctx context.Context, dsn string, n int) (*rawPostgres, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("raw postgres: parse dsn: %w", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	r := &rawPostgres{}
	for range n {
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			r.close()
			return nil, fmt.Errorf("raw postgres: connect: %w", err)
		}
		r.conns = append(r.conns, c)
	}
	if _, err := r.conns[0].Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_raw_commit (id bigint PRIMARY KEY, value bytea NOT NULL)`); err != nil {
		r.close()
		return nil, fmt.Errorf("raw postgres: schema: %w", err)
	}
	return r, nil
}

func (r *rawPostgres) commit(ctx context.Context, conn, id int) error {
	_, err := r.conns[conn].Exec(ctx, `INSERT INTO bench_raw_commit (id, value) VALUES ($1, $2)
ON CONFLICT (id) DO UPDATE SET value = excluded.value`, conn*1_000_000+id%1000, rawValue(conn, id))
	return err
}

func (r *rawPostgres) close() {
	for _, c := range r.conns {
		c.Close(context.Background())
	}
}
