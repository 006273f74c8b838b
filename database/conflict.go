package database

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// ConflictError is an optimistic concurrency failure: a commit made after
// the transaction's snapshot wrote something the transaction read (or
// changed the catalog it used), so the transaction was not written. The
// whole transaction must run again from a fresh snapshot.
type ConflictError struct {
	// Table names the table of the document whose write invalidated the
	// read ("" when unknown).
	Table string
	// ID is that document's id ("" when unknown).
	ID string
	// Reason says why, for logs ("read set", "catalog", "history").
	Reason string
}

func (e *ConflictError) Error() string {
	switch {
	case e.Reason == "catalog":
		return "The tables, indexes or schema of the database changed while this mutation was being run and on every subsequent retry. See https://docs.convex.dev/error#1"
	case e.Table == "" || e.ID == "":
		return "Documents read by this mutation changed while it was being run and on every subsequent retry. See https://docs.convex.dev/error#1"
	}
	return fmt.Sprintf("Documents read from or written to the %q table changed while this mutation was being run and on every subsequent retry. "+
		"Another call to this mutation changed the document with ID %q. See https://docs.convex.dev/error#1", e.Table, e.ID)
}

// Retryable reports that running the transaction again may succeed.
func (e *ConflictError) Retryable() bool { return true }

// IsConflict reports whether err (or an error it wraps) is a
// *ConflictError.
func IsConflict(err error) bool {
	var ce *ConflictError
	return errors.As(err, &ce)
}

// TooOldError is a read at a timestamp the store no longer retains.
type TooOldError struct {
	TS  int64
	Err error // the store's error, wrapping persistence.ErrTooOld
}

func (e *TooOldError) Error() string {
	return fmt.Sprintf("The snapshot at timestamp %d is too old: the database no longer keeps the history needed to read it. Retry with a newer timestamp.", e.TS)
}

func (e *TooOldError) Unwrap() error { return e.Err }

// UserFacing reports that the error is the caller's to handle (it asked
// for an old snapshot), not a server failure.
func (e *TooOldError) UserFacing() bool { return true }

// ErrClosed is returned by commits after Close.
var ErrClosed = errors.New("database: closed")

// RetryPolicy bounds how a conflicting mutation is run again: at most
// MaxRetries more times; the first SerialAfter conflicts are followed by
// an optimistic run again after a random wait up to Backoff doubled at
// every retry (capped at MaxBackoff), later ones by a serialized run,
// which cannot conflict while its hold lasts (see serial.go).
type RetryPolicy struct {
	MaxRetries int           // default 9 (10 attempts)
	Backoff    time.Duration // default 2 ms
	MaxBackoff time.Duration // default 200 ms
	// SerialAfter is the number of conflicts after which every further
	// attempt runs serialized; default 3, negative never.
	SerialAfter int
	// SerialHold bounds how long a serialized transaction holds back
	// every other commit; default 1 s (the time limit of a mutation).
	SerialHold time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxRetries <= 0 {
		p.MaxRetries = 9
	}
	if p.Backoff <= 0 {
		p.Backoff = 2 * time.Millisecond
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 200 * time.Millisecond
	}
	if p.SerialAfter == 0 {
		p.SerialAfter = 3
	}
	if p.SerialHold <= 0 {
		p.SerialHold = time.Second
	}
	return p
}

// delay returns the jittered wait before retry number n (1-based).
func (p RetryPolicy) delay(n int) time.Duration {
	d := p.Backoff << min(n-1, 20)
	if d <= 0 || d > p.MaxBackoff {
		d = p.MaxBackoff
	}
	// Half fixed, half random: retries spread out but never come at once.
	return d/2 + rand.N(d/2+1)
}

// serial reports whether the attempt after the given number of conflicts
// runs serialized.
func (p RetryPolicy) serial(conflicts int) bool {
	return p.SerialAfter > 0 && conflicts >= p.SerialAfter
}

// Retry runs attempt until it returns something other than a conflict, or
// the retries of the policy are used up; it returns attempt's last error.
// attempt must begin, run and commit a whole transaction each time, so a
// retry starts from a fresh snapshot. After RetryPolicy.SerialAfter
// conflicts the attempts run serialized: the first Begin of such an
// attempt holds back every other commit until its transaction ends, so
// that transaction cannot conflict (see Serialized). Every retry is
// counted in Stats and logged at debug level.
func (db *DB) Retry(ctx context.Context, attempt func(ctx context.Context) error) error {
	p := db.opts.Retry
	for n := 0; ; n++ {
		var err error
		if p.serial(n) {
			err = db.runSerialized(ctx, attempt)
		} else {
			err = attempt(ctx)
		}
		if err == nil || !IsConflict(err) || n >= p.MaxRetries {
			return err
		}
		db.stats.retries.Add(1)
		if p.serial(n + 1) {
			// Waiting for the turn to run serialized is the backoff.
			db.opts.Logger.Debug("database: retrying a conflicting transaction", "retry", n+1, "serialized", true, "err", err)
			continue
		}
		wait := p.delay(n + 1)
		db.opts.Logger.Debug("database: retrying a conflicting transaction", "retry", n+1, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("database: retry after a conflict: %w", errors.Join(ctx.Err(), err))
		}
	}
}
