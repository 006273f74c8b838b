package persistence

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestUnavailableKeepsTheMessageAndTheChain(t *testing.T) {
	cause := fmt.Errorf("postgres: get: %w", ErrFenced)
	err := Unavailable(cause)
	if err.Error() != cause.Error() {
		t.Errorf("message = %q, want %q", err, cause)
	}
	if !IsUnavailable(err) || !errors.Is(err, ErrFenced) {
		t.Errorf("errors.Is: unavailable %v, fenced %v; want both", IsUnavailable(err), errors.Is(err, ErrFenced))
	}
	if Unavailable(err) != err || Unavailable(nil) != nil {
		t.Error("Unavailable wrapped a marked error or nil again")
	}
	if IsUnavailable(fmt.Errorf("database: commit: %w", err)) != true {
		t.Error("a wrapped unavailable error is not unavailable")
	}
}

func TestHealthFollowsTheLatestRoundTrip(t *testing.T) {
	down := Unavailable(errors.New("dial tcp: connection refused"))
	tests := []struct {
		name     string
		outcomes []error
		wantUp   bool
		changed  []bool
	}{
		{"a new tracker is up", nil, true, nil},
		{"a success keeps it up", []error{nil}, true, []bool{false}},
		{"an unavailable error takes it down", []error{nil, down}, false, []bool{false, true}},
		{"an answer brings it back", []error{down, nil}, true, []bool{true, true}},
		{"an error the server answered counts as an answer", []error{down, ErrTooOld}, true, []bool{true, true}},
		{"a second failure changes nothing", []error{down, down}, false, []bool{true, false}},
		{"a caller giving up tells nothing", []error{down, context.Canceled, fmt.Errorf("x: %w", context.DeadlineExceeded)}, false, []bool{true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Health
			for i, err := range tt.outcomes {
				if got := h.Observe(err); got != tt.changed[i] {
					t.Errorf("Observe(%v) #%d changed = %v, want %v", err, i, got, tt.changed[i])
				}
			}
			st := h.Status()
			if st.Up != tt.wantUp {
				t.Fatalf("up = %v, want %v", st.Up, tt.wantUp)
			}
			if st.Up != (st.Err == nil) {
				t.Errorf("up %v with err %v", st.Up, st.Err)
			}
			if len(tt.outcomes) > 0 && st.Last.IsZero() {
				t.Error("no time of the last round trip")
			}
		})
	}
}

func TestHealthIsSafeForConcurrentRoundTrips(t *testing.T) {
	var h Health
	down := Unavailable(errors.New("connection reset"))
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 1000; i++ {
				if (i+g)%7 == 0 {
					h.Observe(down)
				} else {
					h.Observe(nil)
				}
				_ = h.Status()
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	h.Observe(nil)
	if st := h.Status(); !st.Up || st.Err != nil {
		t.Fatalf("after a final answer: %+v, want up", st)
	}
}
