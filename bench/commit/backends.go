package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"hull/bench/internal/benchutil"
	"hull/persistence/postgres"
	"hull/persistence/sqlite"
)

func openSQLite(ctx context.Context) (target, error) {
	dir, err := os.MkdirTemp("", "hull-bench-commit-")
	if err != nil {
		return target{}, err
	}
	path := filepath.Join(dir, "hull.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		os.RemoveAll(dir)
		return target{}, err
	}
	raw, err := openRawSQLite(ctx, path+".raw")
	if err != nil {
		s.Close()
		os.RemoveAll(dir)
		return target{}, err
	}
	return target{store: s, raw: raw, rawConns: 1, close: func() { raw.close(); s.Close(); os.RemoveAll(dir) }}, nil
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
	if _, err := tx.StmtContext(ctx, r.upsert).ExecContext(ctx, id%1000, []byte(`{"n":1,"client":0}`)); err != nil {
		return err
	}
	return tx.Commit()
}

func (r *rawSQLite) close() { r.db.Close() }

// openPostgres creates a fresh database on the server for both the store
// and the raw table, and drops it on close.
func openPostgres(ctx context.Context, dsn string) (target, error) {
	if dsn == "" {
		return target{}, errors.New("postgres needs -dsn (see scripts/pg-test-server.sh)")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return target{}, err
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "hull_bench_commit_" + hex.EncodeToString(b[:])
	u.Path = ""
	s, err := postgres.Open(ctx, postgres.Config{URL: u.String(), InstanceName: name, MaxConns: 16, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return target{}, err
	}
	u.Path = "/" + name
	raw, err := openRawPostgres(ctx, u.String(), 16)
	if err != nil {
		s.Close()
		return target{}, err
	}
	drop := func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return target{store: s, raw: raw, rawConns: 16, close: func() { raw.close(); s.Close(); drop() }}, nil
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
ON CONFLICT (id) DO UPDATE SET value = excluded.value`, conn*1_000_000+id%1000, []byte(`{"n":1,"client":0}`))
	return err
}

func (r *rawPostgres) close() {
	for _, c := range r.conns {
		c.Close(context.Background())
	}
}
