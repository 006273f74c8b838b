package main

import (
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"hull/persistence"
	"hull/persistence/sqlite"
)

func TestReadinessFollowsTheStorageHealth(t *testing.T) {
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "hull.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	b := &backend{store: store, log: slog.New(slog.DiscardHandler)}
	outage := persistence.Unavailable(errors.New("dial tcp 10.0.0.7:5432: connect: connection refused"))
	steps := []struct {
		name    string
		observe error
		fence   bool
		ready   bool
	}{
		{"a fresh store is ready", nil, false, true},
		{"a round trip that could not reach storage makes it not ready", outage, false, false},
		{"the next answer makes it ready again", nil, false, true},
		{"a process fenced out by a newer one is not ready", nil, true, false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			store.Health().Observe(st.observe)
			if st.fence {
				b.fenced.Store(true)
			}
			err := b.Ready()
			if (err == nil) != st.ready {
				t.Fatalf("Ready() = %v, want ready %v", err, st.ready)
			}
			if err != nil && strings.Contains(err.Error(), "10.0.0.7") {
				t.Fatalf("the readiness reason %q shows the storage address", err)
			}
		})
	}
}
