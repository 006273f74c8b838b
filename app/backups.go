package app

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"hull/blob"
)

// Scheduled backups: snapshot ZIPs (the format of `npx convex export`,
// restorable with `hull restore` or `npx convex import`) written to the
// snapshot store under backupPrefix at an interval, the newest few kept.
// The schedule lives in the store itself: a backup's key carries its
// time, so a process that slept or died starts the next backup when the
// last one is an interval old, never a fresh one on every boot.

const backupPrefix = "backups/"

// BackupOptions configures KeepBackedUp.
type BackupOptions struct {
	// Every is the interval between backups; 0 turns them off.
	Every time.Duration
	// Keep is how many backups stay; older ones are deleted after a new
	// one is written. At least 1.
	Keep int
	// IncludeStorage adds the bytes of stored files to each backup.
	IncludeStorage bool
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// BackupInfo describes one stored backup.
type BackupInfo struct {
	Key  string
	Time time.Time // when it was written (from its key)
	Size int64
}

// backupKey names a backup written at t of the data at ts. Keys sort by
// time: nanoseconds, zero-padded.
func backupKey(t time.Time, ts int64) string {
	return fmt.Sprintf("%sbackup_%019d_%d.zip", backupPrefix, t.UnixNano(), ts)
}

// parseBackupKey returns the time a backup key carries.
func parseBackupKey(key string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(key, backupPrefix+"backup_")
	if !ok || !strings.HasSuffix(rest, ".zip") {
		return time.Time{}, false
	}
	at, _, ok := strings.Cut(strings.TrimSuffix(rest, ".zip"), "_")
	if !ok {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, n), true
}

// Backups lists the stored backups, oldest first.
func (a *App) Backups(ctx context.Context) ([]BackupInfo, error) {
	store, err := a.snapshotStore()
	if err != nil {
		return nil, err
	}
	return listBackups(ctx, store)
}

func listBackups(ctx context.Context, store blob.Store) ([]BackupInfo, error) {
	var out []BackupInfo
	err := store.List(ctx, backupPrefix, func(i blob.Info) error {
		if t, ok := parseBackupKey(i.Key); ok {
			out = append(out, BackupInfo{Key: i.Key, Time: t, Size: i.Size})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Backup writes one backup now and prunes the backups beyond keep.
func (a *App) Backup(ctx context.Context, opts BackupOptions) (BackupInfo, error) {
	store, err := a.snapshotStore()
	if err != nil {
		return BackupInfo{}, err
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	t := now()
	ts := a.db.DurableTS()
	key := backupKey(t, ts)
	res, st, err := a.PutSnapshot(ctx, store, key, SnapshotOptions{TS: ts, IncludeStorage: opts.IncludeStorage})
	if err != nil {
		return BackupInfo{}, fmt.Errorf("write backup %s: %w", key, err)
	}
	a.log.Info("backup written", "component", "backup", "key", key, "ts", ts, "documents", st.Documents, "files", st.Files, "bytes", res.Size)
	// A written backup is always followed by its pruning, even when ctx
	// ended meanwhile (a shutdown): it takes a listing and a few deletes.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := a.pruneBackups(pctx, store, max(opts.Keep, 1)); err != nil {
		return BackupInfo{}, err
	}
	return BackupInfo{Key: key, Time: t, Size: res.Size}, nil
}

// pruneBackups deletes all but the newest keep backups.
func (a *App) pruneBackups(ctx context.Context, store blob.Store, keep int) error {
	all, err := listBackups(ctx, store)
	if err != nil {
		return err
	}
	for len(all) > keep {
		if err := store.Delete(ctx, all[0].Key); err != nil {
			return fmt.Errorf("delete old backup %s: %w", all[0].Key, err)
		}
		a.log.Info("old backup deleted", "component", "backup", "key", all[0].Key)
		all = all[1:]
	}
	return nil
}

// KeepBackedUp writes a backup every opts.Every until ctx ends: the first
// once the newest stored backup is an interval old (at once when there is
// none). A failed backup is logged and retried after a tenth of the
// interval (at least a minute, at most the interval).
func (a *App) KeepBackedUp(ctx context.Context, opts BackupOptions) {
	if opts.Every <= 0 {
		return
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	wait := time.Duration(0)
	if store, err := a.snapshotStore(); err == nil {
		if all, err := listBackups(ctx, store); err == nil && len(all) > 0 {
			wait = max(all[len(all)-1].Time.Add(opts.Every).Sub(now()), 0)
		}
	}
	retry := min(max(opts.Every/10, time.Minute), opts.Every)
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		next := opts.Every
		if _, err := a.Backup(ctx, opts); err != nil {
			if ctx.Err() != nil {
				return
			}
			a.log.Error("scheduled backup failed; retrying", "component", "backup", "err", err, "hint", blob.Hint(err), "retry_in", retry)
			next = retry
		}
		t.Reset(next)
	}
}
