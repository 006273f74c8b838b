// Package sqlite is the embedded persistence.Store: one SQLite database file
// in WAL mode holding the revision log, the current-state tables beside it,
// the writer lease and the module store.
//
// One connection writes (every write transaction is BEGIN IMMEDIATE, so the
// database write lock doubles as the lease row lock); a separate pool of
// read-only connections serves reads, which in WAL mode never wait for the
// writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"

	"hull/persistence"
)

// Options tunes a Store. The zero value works.
type Options struct {
	// BusyTimeout bounds how long a connection waits for a lock held by
	// another connection or process. Default 10s.
	BusyTimeout time.Duration
	// ReadConns is the size of the read pool. Default: max(8,
	// 4×GOMAXPROCS): readers of a WAL database do not block each other,
	// and function runs hold a connection for each read.
	ReadConns int
	// Logger receives diagnostics. Default slog.Default().
	Logger *slog.Logger
}

// Store is a persistence.Store on one SQLite database file. It is safe for
// concurrent use.
type Store struct {
	path   string
	write  *sql.DB // exactly one connection; BEGIN IMMEDIATE
	read   *sql.DB // read-only pool
	stmts  *statements
	logger *slog.Logger
	// retained mirrors the durable retained floor (meta retained_from):
	// log rows at or below a ts never change except when GC deletes them,
	// and GC raises this before its deletions commit, so a read at a ts
	// needs no transaction, only this check after it ran.
	retained atomic.Int64
	health   persistence.Health
	// gcChunkRows bounds the log rows one GC transaction walks.
	gcChunkRows int64
}

var _ persistence.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path and migrates its
// schema to the current version. It does not take the writer lease.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: want a plain file path", path)
	}
	opts = opts.withDefaults()
	write, err := sql.Open("sqlite", dsn(path, opts, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open writer for %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := ensureIncrementalVacuum(ctx, write, path, opts.Logger); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn(path, opts, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open readers for %s: %w", path, err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	read.SetConnMaxIdleTime(0)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlite: open readers for %s: %w", path, err)
	}
	stmts, err := prepareStatements(ctx, write, read)
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	st := &Store{path: path, write: write, read: read, stmts: stmts, logger: opts.Logger, gcChunkRows: defaultGCChunk}
	var from int64
	if err := read.QueryRowContext(ctx, sqlRetainedFrom).Scan(&from); err != nil {
		st.Close()
		return nil, fmt.Errorf("sqlite: open %s: read retained floor: %w", path, err)
	}
	st.retained.Store(from)
	return st, nil
}

func (o Options) withDefaults() Options {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 10 * time.Second
	}
	if o.ReadConns <= 0 {
		o.ReadConns = max(8, 4*runtime.GOMAXPROCS(0))
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// dsn builds the driver DSN. Both pools use WAL and synchronous=FULL so a
// commit is on disk when it returns; the writer also fixes incremental
// auto-vacuum (effective only on a new file, before the first table) and
// takes the write lock at BEGIN.
func dsn(path string, opts Options, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_auto_vacuum", "INCREMENTAL")
		q.Set("_txlock", "immediate")
		// A multi-row write keeps a statement journal (to undo the
		// statement alone if a row fails); in a temp file that is a
		// pwrite per page it touches.
		q.Add("_pragma", "temp_store(MEMORY)")
	}
	return path + "?" + q.Encode()
}

// ensureIncrementalVacuum turns on incremental auto-vacuum in a database
// file made without it (the setting only takes on a new file, or with a
// VACUUM, which rewrites the file once), so GC can hand freed pages back.
func ensureIncrementalVacuum(ctx context.Context, db *sql.DB, path string, log *slog.Logger) error {
	var mode int
	if err := db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return fmt.Errorf("read auto_vacuum: %w", err)
	}
	if mode == 2 {
		return nil
	}
	start := time.Now()
	log.Info("sqlite: turning on incremental auto-vacuum; rewriting the database file once", "path", path)
	if _, err := db.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
		return fmt.Errorf("set auto_vacuum: %w", err)
	}
	// VACUUM builds the new file as a temp database: on disk, not in the
	// memory the writer keeps its statement journals in.
	if _, err := db.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
		return fmt.Errorf("put temp storage on disk for vacuum: %w", err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("vacuum to turn on incremental auto-vacuum: %w", err)
	}
	if _, err := db.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
		return fmt.Errorf("put temp storage back in memory: %w", err)
	}
	log.Info("sqlite: incremental auto-vacuum on", "path", path, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Close closes both pools. The lease row stays; a later Acquire takes it
// over.
func (s *Store) Close() error {
	s.stmts.close()
	return errors.Join(s.read.Close(), s.write.Close())
}

// Path returns the database file path.
func (s *Store) Path() string { return s.path }
