package database

import (
	"errors"
	"fmt"

	"hull/persistence"
)

// ErrFenced is returned by every read, Begin and Commit of a database
// whose process lost the writer lease to a newer one: its cache and its
// view of the durable state can no longer be trusted. It wraps
// persistence.ErrFenced.
var ErrFenced = fmt.Errorf("database: this process was fenced out by a newer one and no longer serves reads or writes: %w", persistence.ErrFenced)

// Fence stops the database from serving: from now on reads, Begin and
// Commit fail with ErrFenced, and the document cache is dropped. The
// committer calls it when a write fails with persistence.ErrFenced; the
// process's lease watcher calls it when a lease check does. It is safe to
// call more than once.
func (db *DB) Fence() {
	if db.fenced.Swap(true) {
		return
	}
	db.opts.Logger.Warn("database: fenced out by a newer process; reads and writes now fail")
	db.mu.Lock()
	db.cache.clear()
	db.mu.Unlock()
}

// Fenced returns ErrFenced once Fence was called, else nil.
func (db *DB) Fenced() error {
	if db.fenced.Load() {
		return ErrFenced
	}
	return nil
}

// fenceOn fences the database when err says the lease is lost.
func (db *DB) fenceOn(err error) {
	if errors.Is(err, persistence.ErrFenced) {
		db.Fence()
	}
}

// CacheStats returns the document cache's counts.
func (db *DB) CacheStats() CacheStats { return db.cache.stats() }

// setWriting marks a group write in flight (see DB.writing), or its end
// (group nil).
func (db *DB) setWriting(group []*pending) {
	db.mu.Lock()
	db.writing = group != nil
	db.inflight = group
	db.mu.Unlock()
}

// fillCache records a read of the current state of a document, made after
// the durable ts was watermark, unless a commit since watermark wrote the
// document (its entry from the committer is newer than the read) or that
// cannot be told.
func (db *DB) fillCache(id persistence.DocID, rev persistence.Revision, found bool, watermark int64) {
	if db.cache == nil || db.fenced.Load() {
		return
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if watermark < db.recentFrom || db.writing {
		return
	}
	for i := len(db.recent) - 1; i >= 0 && db.recent[i].TS > watermark; i-- {
		for _, k := range db.recent[i].Keys {
			if k.Doc == id {
				return
			}
		}
	}
	db.cache.fill(id, rev, found, watermark)
}
