// Package database owns hull's transactional document database on top of a
// persistence.Store: tables and indexes (kept as documents in system
// tables), snapshot transactions with read-your-own-writes, index range
// queries with filters, limits and signed pagination cursors, schema index
// changes with synchronous backfill, commit timestamps, and the read set of
// every transaction.
//
// Mutations are serialized by one write lock held from Begin to Commit or
// Rollback; queries run at a snapshot without any lock. Every transaction
// records the index intervals it read, so optimistic concurrency can
// replace the lock later without changing callers.
package database

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"hull/persistence"
)

// Options configures a DB. The zero value works for tests.
type Options struct {
	// CursorKey signs pagination cursors. Cursors survive restarts only if
	// the key does; a random key is used when empty.
	CursorKey []byte
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Rand is the source of document ids; default crypto/rand.
	Rand io.Reader
	// Logger receives diagnostics; default slog.Default().
	Logger *slog.Logger
	// Limits are the per-transaction read limits; zero fields take
	// Convex's defaults.
	Limits Limits
}

// Limits bounds what one transaction may read from and write to user
// tables.
type Limits struct {
	DocumentsRead    int   // default 32,000
	BytesRead        int64 // default 16 MiB
	DocumentsWritten int   // default 16,000
}

func (o Options) withDefaults() (Options, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Limits.DocumentsRead <= 0 {
		o.Limits.DocumentsRead = 32000
	}
	if o.Limits.BytesRead <= 0 {
		o.Limits.BytesRead = 16 << 20
	}
	if o.Limits.DocumentsWritten <= 0 {
		o.Limits.DocumentsWritten = 16000
	}
	if len(o.CursorKey) == 0 {
		o.CursorKey = make([]byte, 32)
		if _, err := io.ReadFull(rand.Reader, o.CursorKey); err != nil {
			return o, fmt.Errorf("generate cursor key: %w", err)
		}
	}
	return o, nil
}

// DB is an open database. It is safe for concurrent use.
type DB struct {
	store persistence.Store
	lease persistence.Lease
	opts  Options

	// writeLock serializes mutations: a token is taken by Begin and given
	// back by Commit or Rollback.
	writeLock chan struct{}

	mu      sync.Mutex
	cat     *catalog
	durable int64 // highest durable commit ts
	schema  *Schema

	// recent holds the summaries of every commit after recentFrom;
	// committed is closed (and replaced) at every commit.
	recent     []CommitSummary
	recentFrom int64
	committed  chan struct{}
}

// Open loads the metadata and the durable max ts from store. Writes are
// made under lease.
func Open(ctx context.Context, store persistence.Store, lease persistence.Lease, opts Options) (*DB, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("database: open: %w", err)
	}
	ts, err := store.MaxTS(ctx)
	if err != nil {
		return nil, fmt.Errorf("database: open: read max ts: %w", err)
	}
	cat, err := loadCatalog(ctx, store)
	if err != nil {
		return nil, fmt.Errorf("database: open: %w", err)
	}
	db := &DB{store: store, lease: lease, opts: opts, writeLock: make(chan struct{}, 1), cat: cat, durable: ts, recentFrom: ts, committed: make(chan struct{})}
	schema, err := db.loadSchema(ctx, cat)
	if err != nil {
		return nil, fmt.Errorf("database: open: %w", err)
	}
	db.schema = schema
	return db, nil
}

// Store returns the underlying store.
func (db *DB) Store() persistence.Store { return db.store }

// DurableTS returns the highest durable commit timestamp: the snapshot a
// new transaction reads.
func (db *DB) DurableTS() int64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.durable
}

func (db *DB) snapshot() (*catalog, int64, *Schema) {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.cat, db.durable, db.schema
}

// Begin starts a mutation at the durable ts. It waits for the write lock
// (mutations run one at a time for now); the transaction holds it until
// Commit or Rollback, so callers must always call one of them.
func (db *DB) Begin(ctx context.Context) (*Tx, error) {
	select {
	case db.writeLock <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("database: begin: %w", ctx.Err())
	}
	cat, ts, schema := db.snapshot()
	tx := newTx(db, cat, ts, schema, false)
	tx.release = func() { <-db.writeLock }
	return tx, nil
}

// BeginRead starts a read-only transaction at ts; ts 0 means the durable
// ts. A ts above the durable ts is refused. Rollback is optional for
// read-only transactions.
func (db *DB) BeginRead(ctx context.Context, ts int64) (*Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("database: begin read: %w", err)
	}
	cat, durable, schema := db.snapshot()
	if ts == 0 {
		ts = durable
	}
	if ts > durable {
		return nil, fmt.Errorf("database: begin read at %d: not yet durable (durable ts %d)", ts, durable)
	}
	return newTx(db, cat, ts, schema, true), nil
}

// nextTS assigns a commit ts: max(now, durable+1), in nanoseconds.
func (db *DB) nextTS(durable int64) int64 {
	now := db.opts.Now().UnixNano()
	return max(now, durable+1)
}

// refresh reloads the durable ts, the catalog and the schema from the
// store. Called with the write lock held.
func (db *DB) refresh(ctx context.Context) error {
	ts, err := db.store.MaxTS(ctx)
	if err != nil {
		return fmt.Errorf("read max ts: %w", err)
	}
	cat, err := loadCatalog(ctx, db.store)
	if err != nil {
		return err
	}
	schema, err := db.loadSchema(ctx, cat)
	if err != nil {
		return err
	}
	db.mu.Lock()
	if ts != db.durable {
		// Commits of unknown content: read sets cannot be checked across them.
		db.recent, db.recentFrom = nil, ts
	}
	db.durable, db.cat, db.schema = ts, cat, schema
	db.mu.Unlock()
	return nil
}

// install publishes a successful commit.
func (db *DB) install(ts int64, cat *catalog, schema *Schema, sum CommitSummary) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.durable = ts
	db.record(sum)
	if cat != nil {
		db.cat = cat
	}
	if schema != nil {
		db.schema = schema
	}
}
