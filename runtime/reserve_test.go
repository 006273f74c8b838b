package runtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hull/runtime"
)

// A slot reserved ahead of a run is the run's: with every slot taken by
// the reservation, a call made with the reserving context runs, and any
// other call waits until the reservation is released.
func TestAReservedSlotIsTheRunsOwn(t *testing.T) {
	pool := newTestPool(runtime.Options{MaxConcurrent: 1})
	mods := handWritten(`return "1";`)
	call := runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: "q", Args: []byte("[{}]"), Host: newFakeDB(pool, mods)}
	ctx, release, err := pool.Reserve(context.Background(), runtime.KindMutation)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := pool.Run(ctx, mods, call); err != nil || res.Err != nil || string(res.Value) != "1" {
		t.Fatalf("the reserving context's call: %v %+v", err, res.Err)
	}
	// Reserving again with that context takes nothing more.
	again, releaseAgain, err := pool.Reserve(ctx, runtime.KindMutation)
	if err != nil || again != ctx {
		t.Fatalf("reserving with a context that holds a slot: %v", err)
	}
	releaseAgain()
	short, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := pool.Run(short, mods, call); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("another call while the slot is reserved: %v, want it to wait", err)
	}
	release()
	if res, err := pool.Run(context.Background(), mods, call); err != nil || res.Err != nil {
		t.Fatalf("a call after the release: %v %+v", err, res.Err)
	}
}
