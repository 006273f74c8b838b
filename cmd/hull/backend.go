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
	"hull/auth"
	"hull/blob"
	"hull/config"
	"hull/database"
	"hull/persistence"
	"hull/persistence/sqlite"
	"hull/runtime"
	"hull/runtime/node"
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
	// File storage first: a missing bucket or refused credentials fail
	// the start before the database is touched.
	files, err := openFiles(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	snaps, err := openSnapshots(ctx, cfg, log)
	if err != nil {
		files.Close()
		return nil, err
	}
	if snaps != nil {
		// Closed with the file store (see backend.close).
		files = withSnapshots{Store: files, snaps: snaps}
	}
	store, err := openStore(ctx, cfg, log)
	if err != nil {
		files.Close()
		return nil, err
	}
	b := &backend{store: store, files: files, log: log}
	holder, _ := os.Hostname()
	lease, err := store.Acquire(ctx, fmt.Sprintf("%s/%d", holder, os.Getpid()))
	if err != nil {
		files.Close()
		store.Close()
		return nil, fmt.Errorf("take the writer lease: %w", err)
	}
	b.lease = &lease
	db, err := database.Open(ctx, store, lease, database.Options{
		CursorKey: deriveKey(cfg.InstanceSecret, "hull pagination cursors"),
		Logger:    log,
		Observer:  srv.Metrics(),
	})
	if err != nil {
		files.Close()
		store.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	a, err := app.New(ctx, store, db, app.Options{
		Logger:   log,
		Observer: srv.Metrics(),
		// Components keep function handles in their tables (a workpool's
		// onComplete): they must verify across restarts.
		HandleKey: deriveKey(cfg.InstanceSecret, "hull function handles"),
		CloudURL:  func() string { c, _ := srv.PublicOrigins(); return c },
		SiteURL:   func() string { _, s := srv.PublicOrigins(); return s },
		// Refused tokens are told without provider lists or key ids when
		// function errors are redacted.
		Auth: auth.Options{RedactErrors: cfg.Redact(), Logger: log},
		Runtime: runtime.Options{
			MemoryLimit:          cfg.FunctionMemoryBytes,
			Timeout:              cfg.QueryTimeout,
			ActionTimeout:        cfg.ActionTimeout,
			MaxConcurrent:        cfg.MaxConcurrentQueries,
			MaxConcurrentActions: cfg.MaxConcurrentActions,
			MaxEnginesPerKey:     perCPU(4),
			Engine:               engine,
		},
		Snapshots: snaps,
		Files: app.FilesOptions{
			Store:          unwrapFiles(files),
			TokenKey:       deriveKey(cfg.InstanceSecret, "hull storage upload urls"),
			UploadURLTTL:   cfg.Storage.UploadURLTTL,
			MaxUploadBytes: cfg.Storage.MaxUploadBytes,
		},
		Node: node.Options{
			Node:         cfg.NodePath,
			Dir:          cfg.NodeDir,
			MaxProcesses: cfg.NodeProcesses,
			IdleTimeout:  cfg.NodeIdleTimeout,
			MemoryLimit:  cfg.NodeMemoryBytes,
		},
	})
	if err != nil {
		files.Close()
		store.Close()
		return nil, fmt.Errorf("start application: %w", err)
	}
	b.app, b.db = a, db
	// Scheduled functions and crons: what became due while no process ran
	// starts now. On SIGTERM the drain lets running ones finish until the
	// deadline; losing the lease abandons them at once.
	b.sched = a.StartScheduler(app.SchedulerOptions{Started: srv.Metrics().SchedulerStarted})
	srv.OnDrain("scheduler", b.sched.Stop)
	watchCtx, stopWatch := context.WithCancel(context.Background())
	b.stopWatch = stopWatch
	go b.watchLease(watchCtx, lease, handOver)
	go a.KeepSessionRequestsPruned(watchCtx, sessionPruneInterval)
	go a.KeepFilesSwept(watchCtx, fileSweepFirst, fileSweepInterval)
	go func() {
		if err := a.RecoverImports(watchCtx); err != nil && watchCtx.Err() == nil {
			log.Warn("cleaning up unfinished imports failed", "err", err)
		}
	}()
	go a.KeepBackedUp(watchCtx, app.BackupOptions{Every: cfg.BackupInterval, Keep: cfg.BackupKeep, IncludeStorage: cfg.BackupIncludeFiles})
	// Retention: the revision log is trimmed to the window continuously,
	// in small steps; a pass in progress stops at shutdown.
	go db.KeepLogTrimmed(watchCtx, database.RetentionOptions{Window: cfg.Retention})
	return b, nil
}

// The file storage sweep (bytes without metadata, unfinished uploads)
// runs this long after start, then at this interval.
const (
	fileSweepFirst    = 5 * time.Minute
	fileSweepInterval = 6 * time.Hour
)

// sessionPruneInterval is how often recorded mutation outcomes older than
// app.SessionRetention are deleted.
const sessionPruneInterval = time.Hour

// leaseCheckInterval is how often a running hull checks that it still
// holds the writer lease. The check is also the storage probe readiness
// reports from (see backend.Ready): a round trip every second, whether or
// not requests come.
const leaseCheckInterval = time.Second

// leaseCheckTimeout bounds one lease check: storage that does not answer
// within it counts as unavailable.
const leaseCheckTimeout = 5 * time.Second

// probeStale is how long readiness trusts the last storage round trip:
// with the lease checked every second, an older one means the probe
// itself is stuck.
const probeStale = 3 * leaseCheckTimeout

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
		err := b.checkLease(ctx, lease)
		if errors.Is(err, persistence.ErrFenced) {
			b.log.Warn("another hull process took over the writer lease; handing over and shutting down", "component", "storage")
			b.fenced.Store(true)
			// Nothing this process runs can commit any more.
			b.sched.Abort()
			if b.db != nil {
				// No read from this process's cache from now on.
				b.db.Fence()
			}
			handOver()
			return
		}
		if err != nil && ctx.Err() == nil && !persistence.IsUnavailable(err) {
			// An outage is logged once by the store, when it begins.
			b.log.Warn("lease check failed", "component", "storage", "err", err)
		}
	}
}

// checkLease checks the lease once, within leaseCheckTimeout; storage
// that does not answer in time is recorded as unavailable.
func (b *backend) checkLease(ctx context.Context, lease persistence.Lease) error {
	cctx, cancel := context.WithTimeout(ctx, leaseCheckTimeout)
	defer cancel()
	err := b.store.CheckLease(cctx, lease)
	if err != nil && ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) {
		err = persistence.Unavailable(fmt.Errorf("storage did not answer a lease check within %s: %w", leaseCheckTimeout, err))
		b.store.Health().Observe(err)
	}
	return err
}

// Ready reports whether storage answers, from the last round trip (the
// lease check makes one every second): /readyz answers 503 with the
// error otherwise. The error says what is wrong without the details,
// which the log has.
func (b *backend) Ready() error {
	if b.fenced.Load() {
		return errors.New("a newer hull process took over the writer lease; this one is shutting down")
	}
	st := b.store.Health().Status()
	if !st.Up {
		return fmt.Errorf("storage does not answer (since %s); the server log has the details", st.Since.UTC().Format(time.RFC3339))
	}
	if !st.Last.IsZero() && time.Since(st.Last) > probeStale {
		return fmt.Errorf("storage has not answered for %s", time.Since(st.Last).Round(time.Second))
	}
	return nil
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
	store, err := sqlite.Open(ctx, cfg.SQLitePath(), sqlite.Options{Logger: log, ReadConns: perCPU(4)})
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
	files     blob.Store
	lease     *persistence.Lease
	app       *app.App
	sched     *app.Scheduler
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
	// Normally stopped by the drain already; this covers a serve error.
	if err := b.sched.Stop(ctx); err != nil {
		b.log.Warn("stop the scheduler", "err", err)
	}
	if b.app != nil {
		b.app.Close() // Node.js processes
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
	if b.files != nil {
		_ = b.files.Close()
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
