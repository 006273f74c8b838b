package app

import (
	"context"

	"hull/app/dbsyscall"
	"hull/database"
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
	return &dbTxn{tx: d.tx, h: dbsyscall.New(d.tx, dbsyscall.Options{PrevEndCursor: journal})}
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
