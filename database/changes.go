package database

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"time"

	"hull/persistence"
)

// WrittenKey is one index key a commit touched: the old or the new key of
// a written document in one of its table's indexes.
type WrittenKey struct {
	Index persistence.IndexID
	Key   []byte
	// Doc is the written document.
	Doc persistence.DocID
}

// CommitSummary is what a commit wrote, for invalidating read sets.
type CommitSummary struct {
	TS   int64
	Keys []WrittenKey
	// bytes is size(), set when the summary enters the recent-commit log.
	bytes int64
}

// The in-memory log of commit summaries keeps at least recentMinAge of
// history (a transaction whose snapshot fell out of it conflicts, so a
// mutation running that long always would) once it holds more than
// recentSoftCap summaries, and never more than recentHardCap.
const (
	recentSoftCap = 4096
	recentHardCap = 65536
	recentMinAge  = 5 * time.Second
	// recentMaxBytes bounds the log's keys whatever their count: a few
	// commits of thousands of documents each (an import, a backfill, a
	// bulk mutation) are dropped down to half of it, young or not (a
	// transaction whose snapshot they held conflicts and retries).
	recentMaxBytes = 32 << 20
)

// size is what a summary holds in memory, roughly.
func (s *CommitSummary) size() int64 {
	n := int64(48)
	for _, k := range s.Keys {
		n += int64(len(k.Key)) + 64
	}
	return n
}

// summarize lists, for every written document, its old and new keys in
// every index of its table (unchanged keys included: the document behind
// them changed).
func (tx *Tx) summarize(ts int64) CommitSummary {
	s := CommitSummary{TS: ts}
	for _, did := range tx.order {
		w := tx.writes[did]
		if !w.hasOld && !w.hasDoc {
			continue
		}
		for _, ix := range tx.cat.tableIndexes(w.tablet) {
			if w.hasOld {
				s.Keys = append(s.Keys, WrittenKey{Index: ix.ID, Key: indexKey(ix, w.old), Doc: did})
			}
			if w.hasDoc {
				s.Keys = append(s.Keys, WrittenKey{Index: ix.ID, Key: indexKey(ix, w.doc), Doc: did})
			}
		}
	}
	return s
}

// record appends a summary to the recent-commit log. Called with db.mu
// held; the caller wakes waiters once (broadcast).
func (db *DB) record(s CommitSummary) {
	s.bytes = s.size()
	db.recent = append(db.recent, s)
	db.recentBytes += s.bytes
	n := len(db.recent)
	drop := 0
	if n > recentSoftCap {
		// Drop what is older than recentMinAge, down to half the soft
		// cap, in chunks of at least a quarter so the copy is amortized.
		cutoff := s.TS - recentMinAge.Nanoseconds()
		drop = sort.Search(n-recentSoftCap/2, func(i int) bool { return db.recent[i].TS >= cutoff })
		drop = max(drop, n-recentHardCap)
		if drop < n/4 && n <= recentHardCap {
			drop = 0
		}
	}
	if db.recentBytes > recentMaxBytes {
		left := db.recentBytes
		for i := range db.recent[:drop] {
			left -= db.recent[i].bytes
		}
		// Keep the newest summary: a read set is checked against it.
		for drop < n-1 && left > recentMaxBytes/2 {
			left -= db.recent[drop].bytes
			drop++
		}
	}
	if drop == 0 {
		return
	}
	for i := range db.recent[:drop] {
		db.recentBytes -= db.recent[i].bytes
	}
	db.recentFrom = db.recent[drop-1].TS
	db.recent = append([]CommitSummary(nil), db.recent[drop:]...)
}

// broadcast wakes everything waiting for a commit. Called with db.mu held.
func (db *DB) broadcast() {
	close(db.committed)
	db.committed = make(chan struct{})
}

// CommitsSince returns the summaries of the commits with after < TS <=
// through, oldest first. ok is false when some of them are no longer in
// memory (the caller must assume everything changed).
func (db *DB) CommitsSince(after, through int64) (out []CommitSummary, ok bool) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if after >= through {
		return nil, true
	}
	if after < db.recentFrom {
		return nil, false
	}
	for _, s := range db.recent {
		if s.TS > after && s.TS <= through {
			out = append(out, s)
		}
	}
	return out, true
}

// WaitDurable blocks until the durable ts is above after, and returns it.
func (db *DB) WaitDurable(ctx context.Context, after int64) (int64, error) {
	for {
		db.mu.Lock()
		ts, ch := db.durable, db.committed
		db.mu.Unlock()
		if ts > after {
			return ts, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, fmt.Errorf("database: wait for a commit after %d: %w", after, ctx.Err())
		}
	}
}

// Overlaps reports whether any written key falls in any read interval.
func Overlaps(reads []ReadInterval, commits []CommitSummary) bool {
	for _, c := range commits {
		for _, k := range c.Keys {
			for _, r := range reads {
				if r.Index == k.Index && bytes.Compare(k.Key, r.Start) >= 0 && (r.End == nil || bytes.Compare(k.Key, r.End) < 0) {
					return true
				}
			}
		}
	}
	return false
}
