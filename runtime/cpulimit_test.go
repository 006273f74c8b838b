package runtime_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hull/runtime"
)

// slowHost answers 1.0/get after a pause, as a distant database would.
type slowHost struct{ pause time.Duration }

func (slowHost) Syscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, runtime.UnknownOperation(op)
}

func (h slowHost) AsyncSyscall(ctx context.Context, op string, _ []byte) ([]byte, error) {
	if op != "1.0/get" {
		return nil, runtime.UnknownAsyncOperation(op)
	}
	select {
	case <-time.After(h.pause):
	case <-ctx.Done():
	}
	return []byte("null"), nil
}

func TestQueriesAreLimitedByCPUTimeNotWaiting(t *testing.T) {
	pool := newTestPool(runtime.Options{Timeout: 200 * time.Millisecond})
	run := func(body string) runtime.Result {
		mods := handWritten(body)
		res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: "q", Args: []byte("[{}]"), Host: slowHost{pause: 100 * time.Millisecond}})
		if err != nil {
			t.Fatalf("system error: %v", err)
		}
		return res
	}
	// Five database round trips of 100 ms: 500 ms of waiting, far under
	// 200 ms of CPU.
	res := run(`for (let i = 0; i < 5; i++) await Convex.asyncSyscall("1.0/get", "{}"); return "1";`)
	if res.Err != nil {
		t.Fatalf("waiting counted against the CPU budget: %s", res.Err.Message)
	}
	res = run(`for (;;) {}`)
	if res.Err == nil || !strings.Contains(res.Err.Message, "timed out") {
		t.Fatalf("a busy loop got %s %+v, want a time-out", res.Value, res.Err)
	}
}
