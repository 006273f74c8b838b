package app

import (
	"context"
	"fmt"
	"time"

	"hull/blob"
	"hull/database"
	"hull/value"
)

// SweepStats counts what one sweep removed.
type SweepStats struct {
	Orphans int // objects without metadata
	Partial int // unfinished uploads (temporary files, multipart uploads)
	Tokens  int // records of used upload URLs past their expiry
}

// Sweep removes what crashes leave behind: objects that no metadata names
// and that are older than OrphanGrace, unfinished uploads begun before
// that, and the records of used upload URLs that have expired. It reads
// one index entry per stored object older than the grace period.
func (f *Files) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	if f.store == nil {
		return st, nil
	}
	cutoff := f.now().Add(-f.opts.OrphanGrace)
	var batch []string
	flush := func() error {
		n, err := f.removeOrphans(ctx, batch)
		st.Orphans += n
		batch = batch[:0]
		return err
	}
	err := f.store.List(ctx, "", func(info blob.Info) error {
		if !info.Modified.Before(cutoff) || f.isInflight(info.Key) {
			return nil
		}
		if _, ok := uuidOfKey(info.Key); !ok {
			return nil // not hull's: leave it alone
		}
		batch = append(batch, info.Key)
		if len(batch) >= 100 {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return st, fmt.Errorf("sweep orphaned files: %w", err)
	}
	if c, ok := f.store.(blob.Cleaner); ok {
		n, err := c.CleanPartial(ctx, cutoff)
		st.Partial = n
		if err != nil {
			return st, fmt.Errorf("sweep unfinished uploads: %w", err)
		}
	}
	n, err := f.pruneTokens(ctx, f.now().Add(-time.Minute))
	st.Tokens = n
	if err != nil {
		return st, fmt.Errorf("prune used upload URLs: %w", err)
	}
	return st, nil
}

// removeOrphans deletes the objects among keys that no metadata names.
func (f *Files) removeOrphans(ctx context.Context, keys []string) (int, error) {
	tx, err := f.db.BeginRead(ctx, 0)
	if err != nil {
		return 0, err
	}
	var orphans []string
	for _, k := range keys {
		uuid, _ := uuidOfKey(k)
		_, found, err := firstInIndex(ctx, tx, fileKeysTable, fileKeysByUUID, "uuid", uuid)
		if err != nil {
			tx.Rollback()
			return 0, err
		}
		if !found {
			orphans = append(orphans, k)
		}
	}
	tx.Rollback()
	n := 0
	for _, k := range orphans {
		if f.isInflight(k) {
			continue
		}
		if err := f.store.Delete(ctx, k); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// pruneTokens deletes used-token records that expired before cutoff, in
// batches.
func (f *Files) pruneTokens(ctx context.Context, cutoff time.Time) (int, error) {
	total := 0
	for {
		n := 0
		err := f.db.Retry(ctx, func(ctx context.Context) error {
			tx, err := f.db.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			st, err := tx.SystemQuery(ctx, &database.Query{
				Kind: database.IndexRange, Table: uploadTokensTable, Index: tokensByExpiry,
				Range: []database.RangeExpr{{Op: "Lt", Field: "expires", Value: value.Float64(cutoff.UnixMilli())}},
			})
			if err != nil {
				return err
			}
			var ids []value.ID
			for len(ids) < 500 {
				doc, ok, err := st.Next(ctx)
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				id, err := value.ParseID(strField(doc, "_id"))
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			for _, id := range ids {
				if _, err := tx.SystemDelete(ctx, id); err != nil {
					return err
				}
			}
			n = len(ids)
			if n == 0 {
				return nil
			}
			_, err = tx.Commit(ctx)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < 500 {
			return total, nil
		}
	}
}

// KeepFilesSwept removes the bytes of deleted files as their deletes
// commit, and sweeps (Files.Sweep) after firstSweep and then every
// interval, until ctx ends. Failures are logged and retried later.
func (a *App) KeepFilesSwept(ctx context.Context, firstSweep, interval time.Duration) {
	f := a.files
	if f.store == nil {
		return
	}
	t := time.NewTimer(firstSweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case key := <-f.drops:
			if _, err := f.removeIfUnreferenced(ctx, key); err != nil && ctx.Err() == nil {
				a.log.Warn("file storage: removing the bytes of a deleted file failed; the sweep will retry", "key", key, "err", err, "hint", blob.Hint(err))
			}
		case <-t.C:
			st, err := f.Sweep(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				a.log.Warn("file storage: sweep failed", "err", err, "hint", blob.Hint(err))
			case st != SweepStats{}:
				a.log.Info("file storage: swept", "orphans", st.Orphans, "unfinished_uploads", st.Partial, "expired_upload_urls", st.Tokens)
			}
			t.Reset(interval)
		}
	}
}
