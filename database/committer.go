package database

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"hull/persistence"
)

// pending is a prepared commit waiting for the committer: its writes are
// already revisions and index writes (timestamps left to the committer),
// and every user-level check has passed.
type pending struct {
	ctx      context.Context
	snapshot int64
	reads    readSet
	// meta is set when the commit changes the catalog or the schema.
	meta bool
	cat  *catalog // the new catalog, when meta
	// schemas are the new schemas by namespace, when one was set.
	schemas map[string]*Schema
	commit  persistence.Commit
	sum     CommitSummary
	// backfill marks a batch of index entries from the backfill worker
	// (see checkBackfill).
	backfill bool
	// serial numbers the hold of a serialized transaction (see serial.go);
	// 0 for others.
	serial uint64
	// visible run before the commit becomes readable (Tx.BeforeVisible).
	visible []func(ts int64)
	done    chan commitResult
}

type commitResult struct {
	ts  int64
	err error
}

// commitQueue hands prepared commits to the committer goroutine.
type commitQueue struct {
	// write is held by whoever takes and writes a group: the committer
	// goroutine, or a submitter that found no group being written (see
	// DB.submit). One group is written at a time.
	write sync.Mutex

	mu     sync.Mutex
	items  []*pending
	closed bool
	// busy is open while a group taken is being written and installed.
	busy chan struct{}
	// held numbers the serialized transaction the committer waits for
	// (0: none); holds counts the numbers handed out (see serial.go).
	held, holds uint64
	wake        chan struct{} // one token: something was queued or closed, or a hold ended
	stopped     chan struct{} // closed when the committer has exited
}

func (q *commitQueue) init() {
	q.wake = make(chan struct{}, 1)
	q.stopped = make(chan struct{})
}

func (q *commitQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// push queues p, waking the committer when wake is set; false when the
// database is closed.
func (q *commitQueue) push(p *pending, wake bool) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.items = append(q.items, p)
	if wake {
		q.signal()
	}
	return true
}

// signalIfQueued wakes the committer when something waits in the queue.
func (q *commitQueue) signalIfQueued() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) > 0 || q.closed {
		q.signal()
	}
}

// take removes and returns everything queued, and whether the queue is
// closed. While a serialized transaction holds the committer it returns
// nothing until that transaction's commit is queued (a closed queue
// ignores holds). A group taken must be followed by finish.
func (q *commitQueue) take() ([]*pending, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.held != 0 && !q.closed && !q.takeHeld() {
		return nil, false
	}
	items := q.items
	q.items = nil
	if len(items) > 0 {
		q.busy = make(chan struct{})
	}
	return items, q.closed
}

// finish marks the group taken last as written and installed.
func (q *commitQueue) finish() {
	q.mu.Lock()
	defer q.mu.Unlock()
	close(q.busy)
	q.busy = nil
}

func (q *commitQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.signal()
	q.mu.Unlock()
}

// submit queues a prepared commit and waits until it is durable or
// refused. When no group is being written, the submitter takes the queue
// and writes that group itself, as the committer would: handing a lone
// commit to the committer goroutine and the result back costs two
// wake-ups, a tenth of a one-client mutation's time on a small VM. Commits
// that arrive meanwhile queue for the committer, as they do behind its
// own groups.
func (db *DB) submit(p *pending) (int64, error) {
	p.done = make(chan commitResult, 1)
	if db.queue.write.TryLock() {
		if !db.queue.push(p, false) {
			db.queue.write.Unlock()
			return 0, ErrClosed
		}
		// A hold may leave p queued: the hold's end wakes the committer.
		_, _ = db.writeGroup(context.Background())
		db.queue.write.Unlock()
		db.queue.signalIfQueued()
	} else if !db.queue.push(p, true) {
		return 0, ErrClosed
	}
	r := <-p.done
	return r.ts, r.err
}

// writeGroup takes what is queued and writes it as one group, with
// queue.write held. It reports whether there was a group, and whether
// the queue is closed.
func (db *DB) writeGroup(ctx context.Context) (wrote, closed bool) {
	group, closed := db.queue.take()
	if len(group) == 0 {
		return false, closed
	}
	db.commitGroup(ctx, group)
	db.queue.finish()
	return true, closed
}

// runCommitter is the committer goroutine: it takes every commit queued
// while the previous group was being written and writes them as the next
// group. One group is in flight at a time (queue.write), so commits become
// durable and visible in ts order.
func (db *DB) runCommitter() {
	defer close(db.queue.stopped)
	// Writes are not cut short by Close: a group already taken is finished.
	ctx := context.Background()
	for {
		<-db.queue.wake
		for {
			db.queue.write.Lock()
			wrote, closed := db.writeGroup(ctx)
			db.queue.write.Unlock()
			if wrote {
				continue
			}
			if closed {
				return
			}
			break
		}
	}
}

// commitGroup validates, timestamps, writes and installs one group.
func (db *DB) commitGroup(ctx context.Context, group []*pending) {
	accepted := db.validate(group)
	if len(accepted) == 0 {
		return
	}
	db.mu.Lock()
	last := db.durable
	db.mu.Unlock()
	commits := make([]persistence.Commit, len(accepted))
	for i, p := range accepted {
		ts := db.nextTS(last)
		last = ts
		p.commit.TS, p.sum.TS = ts, ts
		for j := range p.commit.Documents {
			p.commit.Documents[j].TS = ts
		}
		commits[i] = p.commit
	}
	if err := db.Fenced(); err != nil {
		for _, p := range accepted {
			p.done <- commitResult{err: err}
		}
		return
	}
	db.setWriting(accepted)
	defer db.setWriting(nil)
	start := time.Now()
	if err := db.store.Write(ctx, db.lease, commits); err != nil {
		db.stats.writeErrors.Add(1)
		db.fenceOn(err)
		// The outcome may be unknown (a lost connection after the group
		// became durable): reload what is durable so later commits stay
		// consistent with it.
		if rerr := db.refresh(ctx); rerr != nil {
			db.opts.Logger.Error("database: reload after a failed commit", "err", rerr)
		}
		err = fmt.Errorf("database: commit of %d transactions at %d..%d: %w", len(commits), commits[0].TS, last, err)
		for _, p := range accepted {
			p.done <- commitResult{err: err}
		}
		return
	}
	db.stats.groups.Add(1)
	db.stats.commits.Add(int64(len(accepted)))
	if n := int64(len(accepted)); n > db.stats.maxGroup.Load() {
		db.stats.maxGroup.Store(n) // only the group writer (queue.write held) stores it
	}
	if o := db.opts.Observer; o != nil {
		o.CommitGroup(len(accepted), time.Since(start))
	}
	db.install(accepted)
	for _, p := range accepted {
		p.done <- commitResult{ts: p.commit.TS}
	}
}

// validate returns the transactions of group that may commit, in order,
// and refuses the others: a transaction conflicts when a commit after its
// snapshot (an installed one, or an earlier one of this group) wrote a key
// in its read set, or changed the catalog or the schema.
func (db *DB) validate(group []*pending) []*pending {
	db.mu.Lock()
	recent, recentFrom, metaTS, cat := db.recent, db.recentFrom, db.metaTS, db.cat
	db.mu.Unlock()
	var accepted []*pending
	groupMeta := false
	for _, p := range group {
		err := p.ctx.Err()
		if err == nil {
			err = db.check(p, recent, recentFrom, metaTS, groupMeta, accepted, cat)
		}
		if err != nil {
			if IsConflict(err) {
				db.stats.conflicts.Add(1)
				if p.serial != 0 {
					db.stats.serialConflicts.Add(1)
				}
			}
			p.done <- commitResult{err: err}
			continue
		}
		accepted = append(accepted, p)
		groupMeta = groupMeta || p.meta
	}
	return accepted
}

// check validates one transaction; see validate.
func (db *DB) check(p *pending, recent []CommitSummary, recentFrom, metaTS int64, groupMeta bool, earlier []*pending, cat *catalog) error {
	if p.backfill {
		return db.checkBackfill(p, recent, recentFrom, metaTS, groupMeta, earlier)
	}
	if p.snapshot < recentFrom {
		return &ConflictError{Reason: "history"}
	}
	if metaTS > p.snapshot || groupMeta {
		return &ConflictError{Reason: "catalog"}
	}
	// recent is in ts order: skip what the snapshot already saw.
	i := sort.Search(len(recent), func(i int) bool { return recent[i].TS > p.snapshot })
	for j := i; j < len(recent); j++ {
		if k, ok := p.reads.firstOverlap(&recent[j]); ok {
			return conflictOn(cat, k)
		}
	}
	for _, e := range earlier {
		if k, ok := p.reads.firstOverlap(&e.sum); ok {
			return conflictOn(cat, k)
		}
	}
	return nil
}

// conflictOn names the document behind a conflicting key.
func conflictOn(cat *catalog, k WrittenKey) *ConflictError {
	e := &ConflictError{Reason: "read set", ID: cat.publicID(k.Doc).String()}
	if t, ok := cat.byTablet[tabletID(k.Doc.Table)]; ok {
		e.Table = t.Name
	}
	return e
}

// install publishes a durable group, in ts order, and wakes waiters once.
func (db *DB) install(group []*pending) {
	db.mu.Lock()
	defer db.mu.Unlock()
	for _, p := range group {
		for _, fn := range p.visible {
			fn(p.commit.TS)
		}
		db.durable = p.commit.TS
		db.record(p.sum)
		db.cache.applyCommit(&p.commit)
		if p.meta {
			db.metaTS = p.commit.TS
			if p.cat != nil {
				db.cat, db.catFrom = p.cat, p.commit.TS
			}
			if p.schemas != nil {
				db.schemas = p.schemas
			}
			db.bf.signal()
		}
	}
	db.broadcast()
}
