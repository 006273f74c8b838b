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

// openSQLite opens a store on a new file in a temp folder. Its size is
// the file's after a checkpoint folds the write-ahead log into it.
func openSQLite(ctx context.Context) (target, error) {
	dir, err := os.MkdirTemp("", "hull-bench-gc-")
	if err != nil {
		return target{}, err
	}
	path := filepath.Join(dir, "hull.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		os.RemoveAll(dir)
		return target{}, err
	}
	side, err := sql.Open("sqlite", benchutil.RawSQLiteDSN(path))
	if err != nil {
		s.Close()
		os.RemoveAll(dir)
		return target{}, err
	}
	size := func(ctx context.Context) (int64, error) {
		if _, err := side.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return 0, fmt.Errorf("checkpoint: %w", err)
		}
		var n int64
		for _, p := range []string{path, path + "-wal"} {
			fi, err := os.Stat(p)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return 0, err
			}
			n += fi.Size()
		}
		return n, nil
	}
	return target{
		store:  s,
		size:   size,
		settle: func(context.Context) error { return nil },
		close:  func() { side.Close(); s.Close(); os.RemoveAll(dir) },
	}, nil
}

// openPostgres creates a fresh database on the server and drops it on
// close. Its size is pg_database_size; settle runs VACUUM, which
// autovacuum would run on its own a little later.
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
	name := "hull_bench_gc_" + hex.EncodeToString(b[:])
	u.Path = ""
	s, err := postgres.Open(ctx, postgres.Config{URL: u.String(), InstanceName: name, MaxConns: 16, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return target{}, err
	}
	u.Path = "/" + name
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		s.Close()
		return target{}, err
	}
	drop := func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return target{
		store: s,
		size: func(ctx context.Context) (n int64, err error) {
			err = conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
			return n, err
		},
		settle: func(ctx context.Context) error {
			if _, err := conn.Exec(ctx, `VACUUM`); err != nil {
				return fmt.Errorf("vacuum: %w", err)
			}
			return nil
		},
		close: func() { conn.Close(context.Background()); s.Close(); drop() },
	}, nil
}
