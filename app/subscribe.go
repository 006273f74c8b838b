package app

import (
	"context"

	"hull/app/dbsyscall"
	"hull/database"
	"hull/database/matcher"
)

// Deps is what a query result depends on: the index ranges it read, and
// the code version and environment variables it ran with.
type Deps struct {
	Reads   []database.ReadInterval
	version *Version
	env     *map[string]string
}

// Changed reports whether a query result read at ts with deps may differ
// at through: a commit in (ts, through] wrote into a range it read, or
// the code or the environment changed. When the commits are no longer
// known it says true.
func (a *App) Changed(d *Deps, ts, through int64) bool {
	if d == nil || a.active.Load() != d.version || a.env.Load() != d.env {
		return true
	}
	if through <= ts {
		return false
	}
	commits, ok := a.commitsSince(ts, through)
	return !ok || database.Overlaps(d.Reads, commits)
}

// commitRange is a remembered answer of CommitsSince: after a commit,
// every subscription asks for the same range.
type commitRange struct {
	after, through int64
	commits        []database.CommitSummary
	ok             bool
}

func (a *App) commitsSince(after, through int64) ([]database.CommitSummary, bool) {
	if c := a.lastRange.Load(); c != nil && c.after == after && c.through == through {
		return c.commits, c.ok
	}
	commits, ok := a.db.CommitsSince(after, through)
	a.lastRange.Store(&commitRange{after: after, through: through, commits: commits, ok: ok})
	return commits, ok
}

// LatestTS returns the latest readable timestamp.
func (a *App) LatestTS() int64 { return a.db.DurableTS() }

// WaitCommit blocks until the latest readable timestamp is above after.
func (a *App) WaitCommit(ctx context.Context, after int64) (int64, error) {
	return a.db.WaitDurable(ctx, after)
}

// withJournal gives a query run the journal of its subscription's last
// run.
func withJournal(t txn, journal string) txn {
	d := t.(*dbTxn)
	return &dbTxn{tx: d.tx, h: dbsyscall.New(d.tx, dbsyscall.Options{PrevEndCursor: journal}), scheduled: d.scheduled, ended: d.ended}
}

// queryDeps captures what a finished query run depends on, and its
// journal.
func queryDeps(t txn, version *Version, env *map[string]string) (*Deps, *string) {
	d := t.(*dbTxn)
	var journal *string
	if c := d.h.EndCursor(); c != "" {
		journal = &c
	}
	return &Deps{Reads: d.tx.ReadSet(), version: version, env: env}, journal
}

// Subscriptions registered for change notification: a matcher over their
// read sets answers, per commit range, which ones it touched.

// Watch registers deps under id (replacing an earlier registration).
func (a *App) Watch(id uint64, d *Deps) {
	if d == nil {
		return
	}
	rs := matcher.ReadSet{Intervals: make([]matcher.Interval, 0, len(d.Reads))}
	for _, r := range d.Reads {
		rs.Intervals = append(rs.Intervals, matcher.Interval{Index: r.Index, Start: r.Start, End: r.End})
	}
	a.watch.Register(matcher.SubscriptionID(id), rs)
}

// Unwatch forgets id.
func (a *App) Unwatch(id uint64) { a.watch.Unregister(matcher.SubscriptionID(id)) }

// Touched returns the registered ids that a commit in (after, through]
// may have changed; all is true when every registration must be checked
// (the commits are no longer known, or the code or environment changed).
func (a *App) Touched(after, through int64) (ids []uint64, all bool) {
	version, env := a.active.Load(), a.env.Load()
	if prev := a.watchedConfig.Swap(&watchedConfig{version: version, env: env}); prev == nil || prev.version != version || prev.env != env {
		return nil, true
	}
	commits, ok := a.commitsSince(after, through)
	if !ok {
		return nil, true
	}
	var keys []matcher.Key
	for _, c := range commits {
		for _, k := range c.Keys {
			keys = append(keys, matcher.Key{Index: k.Index, Key: k.Key})
		}
	}
	a.watch.Match(keys, nil, func(id matcher.SubscriptionID) { ids = append(ids, uint64(id)) })
	return ids, false
}

// watchedConfig is the code version and environment Touched last saw.
type watchedConfig struct {
	version *Version
	env     *map[string]string
}
