package benchutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"hull/persistence/postgres"
	"hull/persistence/sqlite"
)

// TempSQLite opens a quiet SQLite store on a new file in a new temp
// folder (named after prefix). It returns the store, the file's path and
// a cleanup that closes the store and removes the folder.
func TempSQLite(ctx context.Context, prefix string) (*sqlite.Store, string, func(), error) {
	dir, err := os.MkdirTemp("", "hull-bench-"+prefix+"-")
	if err != nil {
		return nil, "", nil, err
	}
	path := filepath.Join(dir, "hull.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, fmt.Errorf("open sqlite store: %w", err)
	}
	return s, path, func() { s.Close(); os.RemoveAll(dir) }, nil
}

// FreshPostgres creates a database of its own on the server at dsn
// (named hull_bench_<prefix>_<random>) and opens a quiet store on it with
// up to 16 connections. It returns the store, the new database's URL and
// a drop that closes the store and drops the database.
func FreshPostgres(ctx context.Context, dsn, prefix string) (*postgres.Store, string, func(), error) {
	if dsn == "" {
		return nil, "", nil, errors.New("postgres needs -dsn (see scripts/pg-test-server.sh)")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, "", nil, fmt.Errorf("parse -dsn: %w", err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "hull_bench_" + prefix + "_" + hex.EncodeToString(b[:])
	u.Path = ""
	s, err := postgres.Open(ctx, postgres.Config{URL: u.String(), InstanceName: name, MaxConns: 16, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, "", nil, fmt.Errorf("open postgres store: %w", err)
	}
	u.Path = "/" + name
	drop := func() {
		s.Close()
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return s, u.String(), drop, nil
}
