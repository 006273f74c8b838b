package app

import (
	"context"
	"fmt"
	"time"

	"hull/database"
	"hull/value"
)

// SessionRetention is how long the outcome of a session's mutation is
// kept for replay: a client that reconnects later than this resends
// nothing that old (Convex keeps them for 14 days too).
const SessionRetention = 14 * 24 * time.Hour

// sessionPruneBatch bounds the deletions of one pruning transaction.
const sessionPruneBatch = 256

// PruneSessionRequests deletes the recorded outcomes of session mutations
// created before cutoff, in transactions of at most batch deletions (0:
// a default), and returns how many it deleted. A transaction that
// conflicts is retried; recent records are never touched.
func (a *App) PruneSessionRequests(ctx context.Context, cutoff time.Time, batch int) (int, error) {
	if batch <= 0 {
		batch = sessionPruneBatch
	}
	total := 0
	for {
		var n int
		err := a.db.Retry(ctx, func(ctx context.Context) error {
			tx, err := a.db.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if n, err = pruneSessionBatch(ctx, tx, cutoff, batch); err != nil || n == 0 {
				return err
			}
			_, err = tx.Commit(ctx)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("prune %s: %w", sessionTable, err)
		}
		total += n
		if n < batch {
			return total, nil
		}
	}
}

// pruneSessionBatch deletes up to batch records older than cutoff, oldest
// first.
func pruneSessionBatch(ctx context.Context, tx *database.Tx, cutoff time.Time, batch int) (int, error) {
	st, err := tx.SystemQuery(ctx, &database.Query{
		Kind:  database.IndexRange,
		Table: sessionTable,
		Index: "by_creation_time",
		Range: []database.RangeExpr{{Op: "Lt", Field: "_creationTime", Value: value.Float64(float64(cutoff.UnixMilli()))}},
	})
	if err != nil {
		return 0, err
	}
	var ids []value.ID
	for len(ids) < batch {
		doc, ok, err := st.Next(ctx)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		id, err := value.ParseID(strField(doc, "_id"))
		if err != nil {
			return 0, fmt.Errorf("record id: %w", err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		if _, err := tx.SystemDelete(ctx, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// KeepSessionRequestsPruned prunes records older than SessionRetention
// now and then every interval, until ctx ends. Failures are logged and
// retried at the next tick.
func (a *App) KeepSessionRequestsPruned(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := a.PruneSessionRequests(ctx, time.Now().Add(-SessionRetention), 0)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Warn("pruning old session requests failed", "err", err)
		case n > 0:
			a.log.Info("pruned old session requests", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
