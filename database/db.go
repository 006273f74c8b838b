// Package database owns hull's transactional document database on top of a
// persistence.Store: tables and indexes (kept as documents in system
// tables), snapshot transactions with read-your-own-writes, index range
// queries with filters, limits and signed pagination cursors, schema index
// changes with background backfill (backfill.go), commit timestamps, the
// read set of every transaction, and a document cache at the durable
// watermark that spares remote stores a round trip per point read
// (doccache.go); a process fenced out by a newer one stops serving
// (fence.go); retention GC trims the store's revision log to a window,
// keeping every open transaction's snapshot (retention.go).
//
// Transactions are optimistic: every transaction reads one snapshot
// without locks and records its read set (the index intervals it actually
// consumed and the documents it got). A mutation's Commit hands its
// prepared writes to the committer (its goroutine, or the committing
// goroutine itself when no group is being written; one group is written
// at a time: committer.go), which validates the read
// set against every commit since the snapshot (a conflict fails it with a
// *ConflictError, and DB.Retry runs it again, serialized after a few
// conflicts so that it cannot conflict: serial.go), assigns rising
// timestamps and writes each group of queued commits with one store
// Write; a commit is acknowledged, and becomes readable, only once
// durable. A transaction at the newest snapshot reads index ranges from
// the store's current state when no commit since touched them (reads.go).
package database

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
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
	// Retry is how DB.Retry runs conflicting transactions again.
	Retry RetryPolicy
	// DocCacheBytes bounds the document cache (latest versions of recently
	// read and written documents, which spares a store round trip per
	// point read); default 64 MiB, negative disables it.
	DocCacheBytes int64
	// Observer, when set, is told of each commit group as it is written
	// (see Observer); counts are also in Stats.
	Observer Observer
}

// Limits bounds what one transaction may read from and write to user
// tables.
type Limits struct {
	DocumentsRead    int   // default 32,000
	BytesRead        int64 // default 16 MiB
	DocumentsWritten int   // default 16,000
	BytesWritten     int64 // default 16 MiB
	// ReadIntervals bounds the index intervals (queries and document
	// gets) in the read set; default 4,096.
	ReadIntervals int
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
	if o.Limits.BytesWritten <= 0 {
		o.Limits.BytesWritten = 16 << 20
	}
	if o.Limits.ReadIntervals <= 0 {
		o.Limits.ReadIntervals = 4096
	}
	o.Retry = o.Retry.withDefaults()
	if o.DocCacheBytes == 0 {
		o.DocCacheBytes = 64 << 20
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

	queue commitQueue
	stats counters
	// turn is held by the serialized attempt of Retry that runs (see
	// serial.go); waiters queue for it in order.
	turn chan struct{}

	// cache holds latest document versions at the durable watermark; nil
	// when disabled. Updated under mu.
	cache  *docCache
	fenced atomic.Bool
	// writing is set (under mu) while a group is being written: the store
	// may hold versions not yet installed, so reads do not fill the cache.
	writing bool
	// inflight is the group being written, while writing.
	inflight []*pending
	bf       backfiller
	// pins are the snapshots of open transactions, which GC keeps.
	pins pinSet
	// retained is the oldest ts reads may ask for, as this process knows
	// it (the store's floor at Open, raised by GC): a read below it fails
	// at once. The store enforces its own floor all the same.
	retained atomic.Int64

	mu      sync.Mutex
	cat     *catalog
	durable int64              // highest durable commit ts
	schemas map[string]*Schema // active schema by namespace; replaced, never changed
	// metaTS is the ts of the newest commit that changed the catalog or
	// the schema.
	metaTS int64
	// catFrom is a ts from which on cat is the catalog: the durable ts
	// when it was loaded, then the ts of each commit that changed it.
	catFrom int64

	// recent holds the summaries of every commit after recentFrom;
	// committed is closed (and replaced) at every commit group.
	recent     []CommitSummary
	recentFrom int64
	// recentBytes is the size of recent (CommitSummary.size).
	recentBytes int64
	committed   chan struct{}
}

// counters are the committer's statistics.
type counters struct {
	commits, groups, conflicts, retries, maxGroup atomic.Int64
	serialized, serialConflicts, holdsExpired     atomic.Int64
	writeErrors                                   atomic.Int64
	// gcRemoved and gcHorizon are what retention passes reported (see
	// ReportGC).
	gcRemoved, gcHorizon atomic.Int64
}

// Stats are counts since Open.
type Stats struct {
	Commits   int64 // transactions written
	Groups    int64 // store writes (each one group of commits)
	Conflicts int64 // transactions refused by validation
	Retries   int64 // transactions run again by Retry
	MaxGroup  int64 // the largest group written
	// Serialized counts attempts of Retry run serialized (see
	// Serialized); SerialConflicts those refused all the same, which
	// only happens after their hold expired (HoldsExpired counts those).
	Serialized, SerialConflicts, HoldsExpired int64
	// WriteErrors counts store writes of a commit group that failed.
	WriteErrors int64
	// GCRevisionsRemoved is the document revisions retention passes
	// removed from the log; GCHorizonTS the oldest ts still readable
	// after the latest pass (0: none reported). See ReportGC.
	GCRevisionsRemoved, GCHorizonTS int64
	// StorageFailures counts the store's round trips that failed because
	// storage did not answer (persistence.ErrUnavailable), since the
	// store was opened.
	StorageFailures int64
}

// Stats returns the committer's counts since Open.
func (db *DB) Stats() Stats {
	return Stats{
		Commits: db.stats.commits.Load(), Groups: db.stats.groups.Load(),
		Conflicts: db.stats.conflicts.Load(), Retries: db.stats.retries.Load(),
		MaxGroup:   db.stats.maxGroup.Load(),
		Serialized: db.stats.serialized.Load(), SerialConflicts: db.stats.serialConflicts.Load(),
		HoldsExpired: db.stats.holdsExpired.Load(), WriteErrors: db.stats.writeErrors.Load(),
		GCRevisionsRemoved: db.stats.gcRemoved.Load(), GCHorizonTS: db.stats.gcHorizon.Load(),
		StorageFailures: db.store.Health().Status().Failures,
	}
}

// Open loads the metadata and the durable max ts from store and starts the
// committer. Writes are made under lease. Close stops the committer.
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
	db := &DB{store: store, lease: lease, opts: opts, cat: cat, durable: ts, catFrom: ts, recentFrom: ts, committed: make(chan struct{}), turn: make(chan struct{}, 1)}
	schemas, err := db.loadSchemas(ctx, cat)
	if err != nil {
		return nil, fmt.Errorf("database: open: %w", err)
	}
	db.schemas = schemas
	from, err := store.RetainedFrom(ctx)
	if err != nil {
		return nil, fmt.Errorf("database: open: read the retained floor: %w", err)
	}
	db.retained.Store(from)
	if opts.DocCacheBytes > 0 {
		db.cache = newDocCache(opts.DocCacheBytes)
	}
	db.queue.init()
	db.bf.init()
	go db.runCommitter()
	db.startBackfiller()
	return db, nil
}

// Close stops the committer once the commits already queued are written;
// later commits fail with ErrClosed. It does not close the store.
func (db *DB) Close() error {
	db.stopBackfiller()
	db.queue.close()
	<-db.queue.stopped
	return nil
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

func (db *DB) snapshot() (*catalog, int64, map[string]*Schema) {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.cat, db.durable, db.schemas
}

// begin starts a transaction at ts (0: the durable ts) and pins its
// snapshot against GC until it ends. The pin is taken under the lock that
// guards the durable ts, so a GC horizon computed from an earlier durable
// ts is at or below it, and one computed later sees the pin.
func (db *DB) begin(ts int64, readOnly bool) (*Tx, int64, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	durable := db.durable
	if ts == 0 {
		ts = durable
	}
	if ts > durable {
		return nil, durable, fmt.Errorf("database: begin read at %d: not yet durable (durable ts %d)", ts, durable)
	}
	if from := db.retained.Load(); ts < from {
		return nil, durable, &TooOldError{TS: ts, Err: fmt.Errorf("read at %d, retained from %d: %w", ts, from, persistence.ErrTooOld)}
	}
	tx := newTx(db, db.cat, ts, db.schemas, readOnly)
	tx.pin = db.pins.add(ts)
	return tx, durable, nil
}

// Begin starts a mutation at the durable ts. It does not wait for other
// transactions: Commit validates what the transaction read against what
// committed meanwhile and fails with a *ConflictError when that changed.
// With the context of a serialized attempt of Retry, it first holds the
// committer and begins at the newest durable state (see Serialized);
// such a transaction must be committed or rolled back. Otherwise Rollback
// is optional; it only marks the transaction done.
func (db *DB) Begin(ctx context.Context) (*Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("database: begin: %w", err)
	}
	if err := db.Fenced(); err != nil {
		return nil, err
	}
	if s := db.serialFor(ctx); s != nil {
		return db.beginSerial(ctx, s)
	}
	tx, _, err := db.begin(0, false)
	if err != nil {
		return nil, err
	}
	tx.atHead = true
	return tx, nil
}

// BeginRead starts a read-only transaction at ts; ts 0 means the durable
// ts. A ts above the durable ts is refused. Rollback is optional for
// read-only transactions.
func (db *DB) BeginRead(ctx context.Context, ts int64) (*Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("database: begin read: %w", err)
	}
	if err := db.Fenced(); err != nil {
		return nil, err
	}
	tx, durable, err := db.begin(ts, true)
	if err != nil {
		return nil, err
	}
	tx.atHead = tx.ts == durable
	return tx, nil
}

// BeginReadAsOf is BeginRead at ts (0: the durable ts) whose tables and
// indexes are those of ts as well, read from the store when they have
// changed since: a read of the past (a point-in-time snapshot) then
// finds the tables a later import replaced, with the documents they had
// then. Other transactions see the newest catalog whatever their ts (a
// table made since is only empty at ts).
func (db *DB) BeginReadAsOf(ctx context.Context, ts int64) (*Tx, error) {
	tx, err := db.BeginRead(ctx, ts)
	if err != nil {
		return nil, err
	}
	db.mu.Lock()
	current := tx.ts >= db.catFrom && tx.cat == db.cat
	db.mu.Unlock()
	if current {
		return tx, nil
	}
	cat, err := loadCatalogAt(ctx, db.store, tx.ts)
	if err != nil {
		tx.Rollback()
		return nil, tx.readErr(fmt.Sprintf("load the tables as of %d", tx.ts), err)
	}
	tx.cat = cat
	return tx, nil
}

// nextTS assigns a commit ts: max(now, durable+1), in nanoseconds.
func (db *DB) nextTS(durable int64) int64 {
	now := db.opts.Now().UnixNano()
	return max(now, durable+1)
}

// refresh reloads the durable ts, the catalog and the schema from the
// store. Called by the committer only.
func (db *DB) refresh(ctx context.Context) error {
	ts, err := db.store.MaxTS(ctx)
	if err != nil {
		return fmt.Errorf("read max ts: %w", err)
	}
	cat, err := loadCatalog(ctx, db.store)
	if err != nil {
		return err
	}
	schemas, err := db.loadSchemas(ctx, cat)
	if err != nil {
		return err
	}
	db.mu.Lock()
	// A commit of unknown outcome may have changed any document.
	db.cache.clear()
	db.bf.signal()
	if ts != db.durable {
		// Commits of unknown content: read sets cannot be checked across
		// them, and they may have changed the catalog.
		db.recent, db.recentFrom, db.recentBytes, db.metaTS = nil, ts, 0, ts
		db.broadcast()
	}
	if cat != db.cat {
		db.catFrom = ts
	}
	db.durable, db.cat, db.schemas = ts, cat, schemas
	db.mu.Unlock()
	return nil
}
