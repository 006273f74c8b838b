package runtime

import (
	"context"
	"testing"
	"time"
)

// closeVM is a VM that only records being closed.
type closeVM struct {
	VM
	closed *int
}

func (v closeVM) Close() error { *v.closed++; return nil }

func TestEngineSetBoundsEnginesPerKeyAndIdleEngines(t *testing.T) {
	closed := 0
	engine := func() *vmRun { return &vmRun{vm: closeVM{closed: &closed}} }
	s := newEngineSet(2, 2)
	ctx := context.Background()

	// Two reservations, then a third get waits for one to come back.
	for i := range 2 {
		if r, reserved, err := s.get(ctx, "a", true); r != nil || !reserved || err != nil {
			t.Fatalf("get %d: %v %v %v, want a reservation", i, r, reserved, err)
		}
	}
	got := make(chan *vmRun)
	go func() {
		r, _, _ := s.get(ctx, "a", true)
		got <- r
	}()
	select {
	case <-got:
		t.Fatal("a third engine of one key was handed out while two are alive")
	case <-time.After(50 * time.Millisecond):
	}
	back := engine()
	s.put("a", back)
	if r := <-got; r != back {
		t.Fatalf("the waiter got %v, want the engine put back", r)
	}

	// A waiter gives up with its context.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := s.get(cctx, "a", true); err == nil {
		t.Fatal("get with a cancelled context returned no error")
	}

	// Idle engines beyond the total bound close, oldest first.
	s.put("a", back)
	for _, key := range []string{"b", "c"} {
		if _, reserved, _ := s.get(ctx, key, true); !reserved {
			t.Fatalf("no reservation for %s", key)
		}
		s.put(key, engine())
	}
	if closed != 1 {
		t.Fatalf("%d engines closed, want 1 (the least recently used)", closed)
	}
	if r, _, _ := s.get(ctx, "b", true); r == nil {
		t.Fatal("a recent idle engine was evicted")
	}
}
