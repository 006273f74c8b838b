package app

import (
	"context"
	"fmt"
	"time"

	"hull/database"
	"hull/value"
)

// Finished jobs stay in _scheduled_functions for the retention period
// (7 days by default, as Convex), then are deleted in small batches, each
// its own transaction, so the trimming never holds up other commits.
const (
	gcBatch      = 100
	gcScanLimit  = 4 * gcBatch // documents one batch looks at
	gcBatchPause = 50 * time.Millisecond
	// gcFirstPass is short: a host that wakes hull only for due work may
	// stop it again within minutes.
	gcFirstPass = 10 * time.Second
)

func (s *Scheduler) gcLoop() {
	defer s.runs.Done()
	t := time.NewTimer(gcFirstPass)
	defer t.Stop()
	ctx, cancel := context.WithCancel(s.work)
	defer cancel()
	go func() {
		select {
		case <-s.quit:
		case <-ctx.Done():
		}
		cancel()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cutoff := time.Now().Add(-s.opts.Retention).UnixNano()
		n, err := s.app.trimFinishedJobs(ctx, cutoff, gcBatchPause)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("deleting finished scheduled functions failed; trying again later", "err", err, "deleted", n)
		case n > 0:
			s.log.Info("deleted finished scheduled functions past their retention", "deleted", n)
		}
		t.Reset(s.opts.GCInterval)
	}
}

// trimFinishedJobs deletes the jobs of every component instance (the
// app's included) that finished before cutoff (Unix ns), gcBatch at a
// time with pause between batches, and returns how many it deleted.
func (a *App) trimFinishedJobs(ctx context.Context, cutoff int64, pause time.Duration) (int, error) {
	paths := []string{""}
	if v := a.active.Load(); v != nil {
		for p := range v.Components {
			paths = append(paths, p)
		}
	}
	total := 0
	for _, p := range paths {
		n, err := a.trimFinishedJobsIn(ctx, p, cutoff, pause)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// trimFinishedJobsIn trims the jobs of the instance at path. Only jobs
// created before cutoff can qualify, so it walks its _scheduled_functions
// in creation order and stops at cutoff.
func (a *App) trimFinishedJobsIn(ctx context.Context, path string, cutoff int64, pause time.Duration) (int, error) {
	total := 0
	after := 0.0
	for {
		ids, last, done, err := a.finishedJobsBefore(ctx, path, cutoff, after)
		if err != nil {
			return total, err
		}
		if len(ids) > 0 {
			n, err := a.deleteFinishedJobs(ctx, ids, cutoff)
			total += n
			if err != nil {
				return total, err
			}
		}
		if done {
			return total, nil
		}
		after = last
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return total, ctx.Err()
		case <-t.C:
		}
	}
}

// finishedJobsBefore looks at up to gcScanLimit jobs created after
// `after` (ms) and before cutoff, and returns up to gcBatch of them that
// finished before cutoff, the creation time it got to, and whether the
// walk is over.
func (a *App) finishedJobsBefore(ctx context.Context, path string, cutoff int64, after float64) ([]value.ID, float64, bool, error) {
	tx, err := a.db.BeginRead(ctx, 0)
	if err != nil {
		return nil, 0, false, err
	}
	defer tx.Rollback()
	tx = tx.In(path)
	if _, ok := tx.TableNumber(jobsTable); !ok {
		return nil, after, true, nil
	}
	cutoffMs := float64(cutoff) / 1e6
	s, err := tx.SystemQuery(ctx, &database.Query{
		Kind: database.IndexRange, Table: jobsTable, Index: "by_creation_time",
		Range: []database.RangeExpr{
			{Op: "Gt", Field: "_creationTime", Value: value.Float64(after)},
			{Op: "Lt", Field: "_creationTime", Value: value.Float64(cutoffMs)},
		},
		Operators: []database.Operator{{Limit: gcScanLimit}},
	})
	if err != nil {
		return nil, 0, false, fmt.Errorf("read %s: %w", jobsTable, err)
	}
	var ids []value.ID
	last, seen := after, 0
	for len(ids) < gcBatch {
		doc, ok, err := s.Next(ctx)
		if err != nil {
			return nil, 0, false, err
		}
		if !ok {
			return ids, last, seen < gcScanLimit, nil
		}
		seen++
		if ct, ok := mustGet(doc, "_creationTime").(value.Float64); ok {
			last = float64(ct)
		}
		if finishedBefore(doc, cutoffMs) {
			id, err := idField(doc, "_id")
			if err != nil {
				return nil, 0, false, err
			}
			ids = append(ids, id)
		}
	}
	return ids, last, false, nil
}

func finishedBefore(doc value.Object, cutoffMs float64) bool {
	switch jobState(doc) {
	case stateSuccess, stateFailed, stateCanceled:
	default:
		return false
	}
	ct, ok := mustGet(doc, "completedTime").(value.Float64)
	return ok && float64(ct) < cutoffMs
}

// deleteFinishedJobs deletes the jobs that are still finished before
// cutoff, in one transaction.
func (a *App) deleteFinishedJobs(ctx context.Context, ids []value.ID, cutoff int64) (int, error) {
	n := 0
	err := a.db.Retry(ctx, func(ctx context.Context) error {
		n = 0
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for _, id := range ids {
			doc, ok, err := tx.SystemGet(ctx, id)
			if err != nil {
				return err
			}
			if !ok || !finishedBefore(doc, float64(cutoff)/1e6) {
				continue
			}
			if _, err := tx.SystemDelete(ctx, id); err != nil {
				return err
			}
			n++
		}
		_, err = tx.Commit(ctx)
		return err
	})
	return n, err
}
