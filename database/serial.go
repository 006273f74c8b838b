package database

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"
)

// Serialized transactions: how contention costs latency, never an error.
//
// An optimistic transaction conflicts when a commit after its snapshot
// changed what it read, and DB.Retry runs it again. Under heavy contention
// (many writers on a few documents) a run can lose that race every time,
// so after RetryPolicy.SerialAfter conflicts DB.Retry runs the transaction
// serialized instead:
//
//  1. The attempt waits for its turn: one serialized attempt at a time, in
//     arrival order (waiters queue on a channel, which serves them first
//     come, first served). Waiting holds nothing else back.
//  2. Its Begin asks the committer to hold: the group being written is
//     finished and installed, and then no other group is taken. The
//     transaction begins at the newest durable state.
//  3. Nothing commits between its snapshot and its own commit, which the
//     committer takes first in the next group, so validation cannot refuse
//     it. Commits queued meanwhile wait and are validated after it, in the
//     same group (one store write, as always).
//
// Only the transaction's own run happens under the hold (a caller that
// needs other resources, such as a slot to run JavaScript in, takes them
// before Begin: see Serialized). Queries never wait for a hold. A hold
// ends when the transaction commits or rolls back, and lasts at most
// RetryPolicy.SerialHold: a transaction slower than that (or one never
// finished) lets the committer go on and is then validated like any other,
// so a slow or stuck mutation cannot stop every other write for long.

// serialKey is the context key of a serialized attempt.
type serialKey struct{}

// serialAttempt is the state of one serialized attempt of DB.Retry.
type serialAttempt struct {
	db *DB
	// open is set while a transaction begun with the attempt's context
	// holds the committer; a second Begin meanwhile is optimistic.
	open atomic.Bool
}

// Serialized reports whether ctx is that of a serialized attempt of
// DB.Retry whose next Begin will hold every other commit back until that
// transaction ends. A caller that must wait for something before it can
// run the transaction (a free runtime slot, for example) should wait for
// it before Begin, so the hold is not spent waiting.
func Serialized(ctx context.Context) bool {
	s, ok := ctx.Value(serialKey{}).(*serialAttempt)
	return ok && !s.open.Load()
}

// runSerialized runs one attempt of Retry serialized: it waits for its
// turn, then runs attempt with a context whose next Begin holds the
// committer.
func (db *DB) runSerialized(ctx context.Context, attempt func(ctx context.Context) error) error {
	if s, ok := ctx.Value(serialKey{}).(*serialAttempt); ok && s.db == db {
		// A Retry inside a serialized attempt: the turn is already this
		// caller's, and waiting for it would never end.
		return attempt(ctx)
	}
	select {
	case db.turn <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("database: wait to run serialized: %w", ctx.Err())
	}
	defer func() { <-db.turn }()
	db.stats.serialized.Add(1)
	return attempt(context.WithValue(ctx, serialKey{}, &serialAttempt{db: db}))
}

// serialFor returns the serialized attempt ctx belongs to, when a Begin
// with it should hold the committer, and marks it open.
func (db *DB) serialFor(ctx context.Context) *serialAttempt {
	s, ok := ctx.Value(serialKey{}).(*serialAttempt)
	if !ok || s.db != db || !s.open.CompareAndSwap(false, true) {
		return nil
	}
	return s
}

// beginSerial begins the transaction of a serialized attempt: at the
// newest durable state, with the committer held until the transaction
// ends (see Tx.endHold) or the hold expires.
func (db *DB) beginSerial(ctx context.Context, s *serialAttempt) (*Tx, error) {
	n, err := db.queue.hold(ctx)
	if err != nil {
		s.open.Store(false)
		return nil, fmt.Errorf("database: begin serialized: %w", err)
	}
	tx, _, err := db.begin(0, false)
	if err != nil {
		db.queue.release(n)
		s.open.Store(false)
		return nil, err
	}
	tx.atHead = true
	tx.serial, tx.hold = s, n
	limit := db.opts.Retry.SerialHold
	tx.holdTimer = time.AfterFunc(limit, func() {
		if db.queue.release(n) {
			db.stats.holdsExpired.Add(1)
			db.opts.Logger.Warn("database: a serialized transaction ran past its hold; other commits go on, and it may conflict",
				"hold", limit, "hint", "a mutation that keeps conflicting and runs this long should read less, or be split")
		}
	})
	return tx, nil
}

// endHold lets the committer go on after a serialized transaction, if tx
// is one. After its commit was queued the hold is already over (the
// committer took the commit first); this only gives the turn back.
func (tx *Tx) endHold() {
	if tx.serial == nil {
		return
	}
	tx.holdTimer.Stop()
	tx.db.queue.release(tx.hold)
	tx.serial.open.Store(false)
	tx.serial = nil
}

// hold makes the committer take no new group until the commit of the
// serialized transaction it numbers is queued (that commit is then taken
// first) or the hold is released. It returns once the group being written
// when it was called, if any, is installed: the durable state is then the
// newest, and stays so while the hold lasts.
func (q *commitQueue) hold(ctx context.Context) (uint64, error) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return 0, ErrClosed
	}
	q.holds++
	n := q.holds
	q.held = n
	for q.busy != nil {
		busy := q.busy
		q.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			q.release(n)
			return 0, ctx.Err()
		}
		q.mu.Lock()
	}
	q.mu.Unlock()
	return n, nil
}

// release ends hold n if it is still on, and reports whether it was.
func (q *commitQueue) release(n uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.held != n || n == 0 {
		return false
	}
	q.held = 0
	q.signal()
	return true
}

// takeHeld is take under a hold: nothing until the held transaction's
// commit is queued, then everything with that commit first. Called with
// q.mu held.
func (q *commitQueue) takeHeld() bool {
	i := slices.IndexFunc(q.items, func(p *pending) bool { return p.serial == q.held })
	if i < 0 {
		return false
	}
	p := q.items[i]
	copy(q.items[1:i+1], q.items[:i])
	q.items[0] = p
	q.held = 0
	return true
}
