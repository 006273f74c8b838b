package app

import (
	"context"
	"sync"
	"time"
)

// LogLine is one console line of a function run.
type LogLine struct {
	Level     string    `json:"level"`
	Message   string    `json:"message"`
	Timestamp time.Time `json:"timestamp"`
}

// Execution is one completed function run, as `npx convex logs` shows it.
type Execution struct {
	UDFType string // "Query", "Mutation", "Action", "HttpAction"
	// ComponentPath is the instance the function is in ("" for the app).
	ComponentPath string
	Identifier    string // "messages:list"
	Logs          []LogLine
	Started       time.Time
	Duration      time.Duration
	Error         string // empty on success
	RequestID     string
	ExecutionID   string
	cursorSeconds float64
}

// LogStream keeps the most recent executions in memory and lets readers
// long-poll for new ones. It is safe for concurrent use.
type LogStream struct {
	mu      sync.Mutex
	entries []Execution
	max     int
	last    float64 // cursor of the newest entry, in ms since the epoch
	notify  chan struct{}
}

// NewLogStream returns a stream keeping up to max executions.
func NewLogStream(max int) *LogStream {
	if max <= 0 {
		max = 1000
	}
	return &LogStream{max: max, notify: make(chan struct{})}
}

// Add records e and wakes every waiting reader.
func (s *LogStream) Add(e Execution) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := float64(time.Now().UnixNano()) / 1e6
	if c <= s.last {
		c = s.last + 0.001
	}
	s.last = c
	e.cursorSeconds = c
	s.entries = append(s.entries, e)
	// Trimmed to the newest max once twice as many accumulate: amortized
	// constant time per entry.
	if len(s.entries) >= 2*s.max {
		s.entries = append(s.entries[:0:0], s.entries[len(s.entries)-s.max:]...)
	}
	close(s.notify)
	s.notify = make(chan struct{})
}

// Since returns the executions newer than cursor (ms), waiting up to wait
// for one to arrive, and the cursor to pass next time.
func (s *LogStream) Since(ctx context.Context, cursor float64, wait time.Duration) ([]Execution, float64) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		s.mu.Lock()
		var out []Execution
		for _, e := range s.entries {
			if e.cursorSeconds > cursor {
				out = append(out, e)
			}
		}
		next := cursor
		if len(out) > 0 {
			next = out[len(out)-1].cursorSeconds
		}
		ch := s.notify
		s.mu.Unlock()
		if len(out) > 0 {
			return out, next
		}
		select {
		case <-ch:
		case <-timer.C:
			return nil, cursor
		case <-ctx.Done():
			return nil, cursor
		}
	}
}
