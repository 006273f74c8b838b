package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"hull/app"
	"hull/config"
	"hull/database"
	"hull/persistence"
	"hull/persistence/sqlite"
	"hull/runtime"
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
func openBackend(ctx context.Context, cfg config.Config, engine runtime.Engine, srv *server.Server, log *slog.Logger, handOver func()) (server.Backend, error) {
	store, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	b := &backend{store: store, log: log}
	holder, _ := os.Hostname()
	lease, err := store.Acquire(ctx, fmt.Sprintf("%s/%d", holder, os.Getpid()))
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("take the writer lease: %w", err)
	}
	b.lease = &lease
	db, err := database.Open(ctx, store, lease, database.Options{
		CursorKey: deriveKey(cfg.InstanceSecret, "hull pagination cursors"),
		Logger:    log,
	})
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	a, err := app.New(ctx, store, db, app.Options{
		Logger:   log,
		CloudURL: func() string { c, _ := srv.PublicOrigins(); return c },
		SiteURL:  func() string { _, s := srv.PublicOrigins(); return s },
		Runtime: runtime.Options{
			MemoryLimit:          cfg.FunctionMemoryBytes,
			Timeout:              cfg.QueryTimeout,
			ActionTimeout:        cfg.ActionTimeout,
			MaxConcurrent:        cfg.MaxConcurrentQueries,
			MaxConcurrentActions: cfg.MaxConcurrentActions,
			Engine:               engine,
		},
	})
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("start application: %w", err)
	}
	b.app, b.db = a, db
	watchCtx, stopWatch := context.WithCancel(context.Background())
	b.stopWatch = stopWatch
	go b.watchLease(watchCtx, lease, handOver)
	go a.KeepSessionRequestsPruned(watchCtx, sessionPruneInterval)
	return b, nil
}

// sessionPruneInterval is how often recorded mutation outcomes older than
// app.SessionRetention are deleted.
const sessionPruneInterval = time.Hour

// leaseCheckInterval is how often a running hull checks that it still
// holds the writer lease.
const leaseCheckInterval = time.Second

// watchLease shuts this process down once a newer process has taken the
// writer lease (DESIGN decision 1): it can no longer commit, and must not
// keep serving reads that stop advancing.
func (b *backend) watchLease(ctx context.Context, lease persistence.Lease, handOver func()) {
	t := time.NewTicker(leaseCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := b.store.CheckLease(ctx, lease)
		if errors.Is(err, persistence.ErrFenced) {
			b.log.Warn("another hull process took over the writer lease; handing over and shutting down", "component", "storage")
			b.fenced.Store(true)
			if b.db != nil {
				// No read from this process's cache from now on.
				b.db.Fence()
			}
			handOver()
			return
		}
		if err != nil && ctx.Err() == nil {
			b.log.Warn("lease check failed", "component", "storage", "err", err)
		}
	}
}

// deriveKey derives a purpose-bound key from the instance secret.
func deriveKey(secret, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(purpose))
	return m.Sum(nil)
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
	store     persistence.Store
	lease     *persistence.Lease
	app       *app.App
	db        *database.DB
	log       *slog.Logger
	stopWatch context.CancelFunc
	fenced    atomic.Bool
}

// Routes registers the application's handlers.
func (b *backend) Routes(r *server.Routes) { server.MountApp(r, b.app) }

// Shutdown releases the writer lease and closes the store once requests
// have drained.
func (b *backend) Shutdown(ctx context.Context) error {
	if b.stopWatch != nil {
		b.stopWatch()
	}
	if b.db != nil {
		// Commits queued before the drain finish; later ones are refused.
		if err := b.db.Close(); err != nil {
			b.log.Warn("close database", "err", err)
		}
	}
	if b.lease != nil && !b.fenced.Load() {
		if err := b.store.Release(ctx, *b.lease); err != nil {
			b.log.Warn("release writer lease", "err", err)
		}
	}
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
