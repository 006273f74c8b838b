package database

import (
	"time"

	"hull/persistence"
)

// Observer is told of the committer's work as it happens, for metrics.
// Its methods are called by whoever writes a group (the committer
// goroutine, or a submitter writing its own: one at a time) and must
// return quickly. Counts (commits, conflicts, retries, failed writes) are in
// Stats as well; an Observer adds what counts cannot carry.
type Observer interface {
	// CommitGroup reports one group written: how many transactions it
	// held and how long the store write took.
	CommitGroup(size int, write time.Duration)
}

// GCReporter is what a retention pass reports into once it has trimmed
// the revision log (persistence.Store.GC): DB implements it, and Stats
// carries the totals.
type GCReporter interface {
	ReportGC(removed persistence.GCStats, horizonTS int64)
}

// ReportGC records a retention pass: the revisions it removed and the
// horizon it raised RetainedFrom to. It is safe for concurrent use; a
// horizon below the last one reported is ignored.
func (db *DB) ReportGC(removed persistence.GCStats, horizonTS int64) {
	db.stats.gcRemoved.Add(removed.DocumentRevisions)
	for {
		cur := db.stats.gcHorizon.Load()
		if horizonTS <= cur || db.stats.gcHorizon.CompareAndSwap(cur, horizonTS) {
			return
		}
	}
}

var _ GCReporter = (*DB)(nil)
