package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"hull/config"
	"hull/persistence"
	"hull/persistence/sqlite"
	"hull/server"
)

// openBackend opens storage and mounts the application on it. It runs in
// the background after the port is bound and is retried with backoff while
// it fails.
//
// This is where the application layer plugs in: once it exists, build it
// over store here, register its handlers in backend.Routes and its
// shutdown work (closing WebSocket sessions, releasing the lease) with
// srv.OnDrain / srv.OnShutdown.
func openBackend(ctx context.Context, cfg config.Config, srv *server.Server, log *slog.Logger) (server.Backend, error) {
	_ = srv // the application registers its shutdown hooks on srv
	store, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return &backend{store: store, log: log}, nil
}

// openStore opens the configured persistence.Store.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (persistence.Store, error) {
	if cfg.UsesPostgres() {
		return openPostgres(ctx, cfg, log)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
	}
	store, err := sqlite.Open(ctx, cfg.SQLitePath(), sqlite.Options{Logger: log})
	if err != nil {
		return nil, &storageError{err: err, hint: "check that " + cfg.SQLitePath() +
			" is a writable SQLite file and that no other hull process holds it"}
	}
	logStorage(log, "opened embedded database", "path", cfg.SQLitePath())
	return store, nil
}

// backend is what the server mounts once storage is open.
type backend struct {
	store persistence.Store
	log   *slog.Logger
}

// Routes registers the application's handlers (none yet beyond the
// server's own defaults).
func (b *backend) Routes(r *server.Routes) {}

// Shutdown closes the store once requests have drained.
func (b *backend) Shutdown(ctx context.Context) error {
	if err := b.store.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	logStorage(b.log, "closed store")
	return nil
}

// storageError carries an operator hint that /healthz shows.
type storageError struct {
	err  error
	hint string
}

func (e *storageError) Error() string { return e.err.Error() }
func (e *storageError) Unwrap() error { return e.err }
func (e *storageError) Hint() string  { return e.hint }

// logStorage logs a storage event.
func logStorage(log *slog.Logger, msg string, args ...any) {
	log.Info(msg, append([]any{"component", "storage"}, args...)...)
}
