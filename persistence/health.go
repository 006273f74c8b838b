package persistence

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// ErrUnavailable means storage did not answer: the server is down or
// unreachable, dropped the connection, or refused it for lack of
// resources. It is the server's trouble, not the request's; the request
// may succeed if tried again later. A write that failed this way may or
// may not have become durable. Backends mark such errors with Unavailable;
// test with errors.Is.
var ErrUnavailable = errors.New("persistence: storage is unavailable")

// Unavailable marks err as ErrUnavailable, keeping its message and the
// errors it wraps. It returns nil for nil and err itself when it is
// marked already.
func Unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	return &unavailableError{err: err}
}

type unavailableError struct{ err error }

func (e *unavailableError) Error() string   { return e.err.Error() }
func (e *unavailableError) Unwrap() []error { return []error{e.err, ErrUnavailable} }

// IsUnavailable reports whether err says storage is unavailable.
func IsUnavailable(err error) bool { return errors.Is(err, ErrUnavailable) }

// Health follows whether storage answers, from the outcome of each round
// trip a store makes (and of any probe a caller makes on its own). The
// latest outcome wins: one answer brings it up, one ErrUnavailable takes
// it down. The zero value is up, with nothing observed yet. It is safe for
// concurrent use, and an answer while up costs two atomic stores, cheap
// enough for every round trip.
type Health struct {
	down     atomic.Bool
	last     atomic.Int64 // unix nanoseconds of the last observed outcome
	failures atomic.Int64 // ErrUnavailable outcomes observed

	mu    sync.Mutex // serializes changes of down, and guards:
	err   error      // the failure that took it down
	since time.Time  // when it last went up or down
}

// HealthStatus is a snapshot of a Health.
type HealthStatus struct {
	// Up is false after a round trip failed with ErrUnavailable and none
	// has succeeded since.
	Up bool
	// Since is when the state last changed (zero: never).
	Since time.Time
	// Last is when an outcome was last observed (zero: never).
	Last time.Time
	// Err is the failure that took storage down, while it is down.
	Err error
	// Failures counts the round trips that failed with ErrUnavailable
	// since the Health was made.
	Failures int64
}

// Observe records the outcome of one round trip: nil, or any error other
// than ErrUnavailable, means storage answered. An error that only says
// the caller's context ended tells nothing and is ignored. Observe
// reports whether the state changed (so the caller can log it once).
func (h *Health) Observe(err error) (changed bool) {
	down := IsUnavailable(err)
	if !down && err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return false
	}
	now := time.Now()
	h.last.Store(now.UnixNano())
	if down {
		h.failures.Add(1)
	}
	if !down && !h.down.Load() {
		return false // the common case: up, and still up
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if down {
		h.err = err
	}
	if down == h.down.Load() {
		return false
	}
	h.down.Store(down)
	h.since = now
	if !down {
		h.err = nil
	}
	return true
}

// Status returns the current state.
func (h *Health) Status() HealthStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := HealthStatus{Up: !h.down.Load(), Since: h.since, Err: h.err, Failures: h.failures.Load()}
	if n := h.last.Load(); n != 0 {
		st.Last = time.Unix(0, n)
	}
	return st
}
