package database

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"hull/persistence"
)

// Retention: the store keeps every revision of the log until GC removes
// what no read at or after a horizon can need. The horizon is the oldest
// of
//
//   - now minus the retention window (reads older than the window fail
//     with a *TooOldError, mutations conflict and run again),
//   - the snapshot of every open transaction (a query or mutation that
//     began before the horizon passed it keeps reading its snapshot), and
//   - the durable ts (nothing not yet durable is touched).
//
// The committer itself needs no history: conflicts are checked against
// the in-memory summaries of recent commits, and subscriptions re-run at
// newer snapshots from those summaries too. The current revision of every
// live document is never removed; a deleted document's history, its
// deletion included, goes once the deletion is older than the horizon.

// DefaultRetention is the retention window hull serves with unless told
// otherwise.
const DefaultRetention = 24 * time.Hour

// maxPinAge bounds how long an open transaction holds the horizon back:
// far longer than a query or mutation runs (their CPU limit is about a
// second) and than a snapshot export of a large deployment takes, so only
// a transaction its caller forgot to end is ever dropped, and it cannot
// hold GC back forever.
const maxPinAge = time.Hour

// pinSet records the snapshots of open transactions.
type pinSet struct {
	mu   sync.Mutex
	next uint64
	pins map[uint64]pin
}

type pin struct {
	ts    int64
	since time.Time
}

// add pins ts and returns the pin's id (never 0).
func (p *pinSet) add(ts int64) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pins == nil {
		p.pins = map[uint64]pin{}
	}
	p.next++
	p.pins[p.next] = pin{ts: ts, since: time.Now()}
	return p.next
}

// remove drops a pin; removing one that is gone does nothing.
func (p *pinSet) remove(id uint64) {
	if id == 0 {
		return
	}
	p.mu.Lock()
	delete(p.pins, id)
	p.mu.Unlock()
}

// oldest returns the oldest pinned snapshot (ok false when none), first
// dropping pins older than maxAge.
func (p *pinSet) oldest(maxAge time.Duration) (ts int64, stale int, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, pn := range p.pins {
		if time.Since(pn.since) > maxAge {
			delete(p.pins, id)
			stale++
			continue
		}
		if !ok || pn.ts < ts {
			ts, ok = pn.ts, true
		}
	}
	return ts, stale, ok
}

// GCHorizon returns the oldest snapshot GC must keep readable with the
// given retention window: now minus the window, but never above the
// snapshot of an open transaction or above the durable ts.
func (db *DB) GCHorizon(window time.Duration) int64 {
	keep := db.opts.Now().Add(-window).UnixNano()
	// Read the durable ts before the pins: a transaction that begins
	// after this read pins a snapshot at or above it.
	keep = min(keep, db.DurableTS())
	oldest, stale, ok := db.pins.oldest(maxPinAge)
	if stale > 0 {
		db.opts.Logger.Warn("database: transactions open for too long no longer hold back the retention window",
			"count", stale, "max_age", maxPinAge)
	}
	if ok {
		keep = min(keep, oldest)
	}
	return keep
}

// GC runs one retention pass: it removes the log entries no read at or
// after GCHorizon(window) needs. Reads below the horizon fail with a
// *TooOldError from then on. The store works in small transactions and
// pauses between them, so commits keep flowing while it runs.
func (db *DB) GC(ctx context.Context, window time.Duration) (persistence.GCStats, error) {
	if err := db.Fenced(); err != nil {
		return persistence.GCStats{}, err
	}
	keep := db.GCHorizon(window)
	if keep <= 0 {
		return persistence.GCStats{}, nil
	}
	stats, err := db.store.GC(ctx, db.lease, keep)
	// The store raises its floor before it removes anything.
	for cur := db.retained.Load(); cur < keep && !db.retained.CompareAndSwap(cur, keep); cur = db.retained.Load() {
	}
	if err != nil {
		return stats, fmt.Errorf("database: gc below %d: %w", keep, err)
	}
	db.ReportGC(stats, keep)
	return stats, nil
}

// RetentionOptions configures KeepLogTrimmed.
type RetentionOptions struct {
	// Window is how long the history of the log is kept: reads at a
	// timestamp older than that fail as too old. Default
	// DefaultRetention.
	Window time.Duration
	// Interval is the time between retention passes; default a tenth of
	// the window, between 1 s and 1 min, so each pass removes only a
	// little.
	Interval time.Duration
}

func (o RetentionOptions) withDefaults() RetentionOptions {
	if o.Window <= 0 {
		o.Window = DefaultRetention
	}
	if o.Interval <= 0 {
		o.Interval = min(max(o.Window/10, time.Second), time.Minute)
	}
	return o
}

// KeepLogTrimmed runs a retention pass (GC) every interval until ctx
// ends or this process loses the writer lease. A failed pass is logged
// and tried again at the next interval; a pass in progress stops when
// ctx ends and the next process finishes it.
func (db *DB) KeepLogTrimmed(ctx context.Context, opts RetentionOptions) {
	opts = opts.withDefaults()
	log := db.opts.Logger.With("component", "retention")
	t := time.NewTicker(opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		stats, err := db.GC(ctx, opts.Window)
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, persistence.ErrFenced):
			log.Info("retention stopped: this process no longer holds the writer lease")
			return
		case persistence.IsUnavailable(err):
			log.Debug("retention pass skipped: storage does not answer", "err", err)
		case err != nil:
			log.Warn("retention pass failed", "err", err)
		case stats.DocumentRevisions+stats.IndexEntries > 0:
			log.Debug("retention pass", "document_revisions", stats.DocumentRevisions,
				"index_entries", stats.IndexEntries, "took", time.Since(start).Round(time.Millisecond))
		}
	}
}
