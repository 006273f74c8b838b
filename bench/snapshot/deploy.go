package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"hull/app"
	"hull/database"
	"hull/persistence"
	"hull/persistence/postgres"
	"hull/persistence/sqlite"
)

// deployment is one hull deployment: store, database and app.
type deployment struct {
	app *app.App
	db  *database.DB
	// sqlitePath is the database file (SQLite), dbURL the database's URL
	// (PostgreSQL).
	sqlitePath string
	dbURL      string
	close      func()
}

// opener opens a fresh deployment named name.
type opener func(ctx context.Context, name string) (*deployment, error)

func sqliteOpener(dir string) opener {
	return func(ctx context.Context, name string) (*deployment, error) {
		path := filepath.Join(dir, name+".db")
		s, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		d, err := deploy(ctx, s)
		if err != nil {
			s.Close()
			return nil, err
		}
		d.sqlitePath = path
		return d, nil
	}
}

// postgresOpener creates a fresh database on the server per deployment
// and drops it on close.
func postgresOpener(dsn string) (opener, error) {
	if dsn == "" {
		return nil, errors.New("postgres needs -dsn (see scripts/pg-test-server.sh)")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse -dsn: %w", err)
	}
	return func(ctx context.Context, name string) (*deployment, error) {
		var b [4]byte
		_, _ = rand.Read(b[:])
		instance := "hull_bench_snapshot_" + name + "_" + hex.EncodeToString(b[:])
		server := *u
		server.Path = ""
		s, err := postgres.Open(ctx, postgres.Config{URL: server.String(), InstanceName: instance, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return nil, fmt.Errorf("open postgres %s: %w", instance, err)
		}
		d, err := deploy(ctx, s)
		if err != nil {
			s.Close()
			return nil, err
		}
		db := server
		db.Path = "/" + postgres.DatabaseName(instance)
		d.dbURL = db.String()
		closeStore := d.close
		d.close = func() {
			closeStore()
			conn, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				return
			}
			defer conn.Close(context.Background())
			_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+postgres.DatabaseName(instance)+" WITH (FORCE)")
		}
		return d, nil
	}, nil
}

// deploy opens the database and the app over an open store.
func deploy(ctx context.Context, s persistence.Store) (*deployment, error) {
	lease, err := s.Acquire(ctx, "bench")
	if err != nil {
		return nil, fmt.Errorf("acquire the lease: %w", err)
	}
	db, err := database.Open(ctx, s, lease, database.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("open the database: %w", err)
	}
	a, err := app.New(ctx, s, db, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open the app: %w", err)
	}
	return &deployment{app: a, db: db, close: func() { a.Close(); db.Close(); s.Close() }}, nil
}
