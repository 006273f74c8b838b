package postgres

import (
	"sync/atomic"
)

// firstAnalyzeRows is how many rows this process writes before it first
// refreshes the planner's statistics; each later refresh waits for twice
// as many.
const firstAnalyzeRows = 1000

// analyzer refreshes planner statistics after this process has grown the
// tables a lot (a first load, an import). Until autovacuum gets to a new
// table, PostgreSQL guesses it holds a handful of rows and plans a range
// read as "fetch every entry, then sort" instead of walking the index;
// an ANALYZE at 1k, 2k, 4k, … written rows keeps plans right from the
// start and costs a few milliseconds, off the request path.
type analyzer struct {
	written atomic.Int64
	next    atomic.Int64
	running atomic.Bool
}

// wrote counts rows written and, when a threshold is crossed, refreshes
// statistics in the background.
func (s *Store) wrote(rows int) {
	a := &s.analyzer
	n := a.written.Add(int64(rows))
	next := a.next.Load()
	if next == 0 {
		a.next.CompareAndSwap(0, firstAnalyzeRows)
		next = firstAnalyzeRows
	}
	if n < next || !a.next.CompareAndSwap(next, 2*next) || !a.running.CompareAndSwap(false, true) {
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer a.running.Store(false)
		_, err := s.pool.Exec(s.bgCtx,
			`ANALYZE hull_documents, hull_index_entries, hull_document_log, hull_index_log`)
		if err != nil && s.bgCtx.Err() == nil {
			s.logger.Warn("postgres: refreshing planner statistics failed", "database", s.database, "err", err)
		}
	}()
}

// stopBackground cancels and waits for background work.
func (s *Store) stopBackground() {
	s.bgCancel()
	s.bg.Wait()
}
