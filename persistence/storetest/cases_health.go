package storetest

import (
	"errors"
	"testing"

	"hull/persistence"
)

// testHealth checks that round trips are recorded in the store's health
// and that errors the store answered (a missing module, a fenced lease)
// do not count as storage being unavailable.
func testHealth(t *testing.T, h *harness) {
	ctx := t.Context()
	s := h.store()
	old := acquire(t, s, "first")
	if _, err := s.MaxTS(ctx); err != nil {
		t.Fatalf("max ts: %v", err)
	}
	st := s.Health().Status()
	if !st.Up || st.Last.IsZero() {
		t.Fatalf("health after a round trip = %+v, want up with a time", st)
	}
	_, err := s.GetModule(ctx, persistence.ModuleKey{Path: "none.js", Environment: "isolate", SHA256: "00"})
	if !errors.Is(err, persistence.ErrModuleNotFound) {
		t.Fatalf("get a missing module: %v", err)
	}
	acquire(t, s, "second")
	if err := s.CheckLease(ctx, old); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("check a superseded lease: %v", err)
	}
	if st := s.Health().Status(); !st.Up {
		t.Fatalf("health after answered errors = %+v, want up", st)
	}
}
