package node

import (
	"context"
	"testing"

	"hull/runtime"
)

// BenchmarkWarmAction measures one action on an idle pooled process: the
// frames there and back, and the module already imported.
func BenchmarkWarmAction(b *testing.B) {
	benchAction(b, "echo", &testHost{})
}

// BenchmarkWarmActionWithSyscall adds one syscall round trip to the host.
func BenchmarkWarmActionWithSyscall(b *testing.B) {
	benchAction(b, "viaHost", &testHost{onCall: func(context.Context, string, []byte) ([]byte, error) { return []byte("1"), nil }})
}

// BenchmarkColdProcess measures an action on a process started for it.
func BenchmarkColdProcess(b *testing.B) {
	e := New(Options{Dir: b.TempDir(), MaxProcesses: 1})
	defer e.Close()
	call := runtime.Call{Kind: runtime.KindAction, Module: "acts.js", Export: "echo", Args: []byte("[{}]"), Host: &testHost{}, RequestID: "r"}
	for b.Loop() {
		if _, err := e.Run(context.Background(), testCode(), call); err != nil {
			b.Fatal(err)
		}
		e.pool.retire(func(*process) bool { return true })
	}
}

func benchAction(b *testing.B, export string, host runtime.Host) {
	e := New(Options{Dir: b.TempDir(), MaxProcesses: 1})
	defer e.Close()
	call := runtime.Call{Kind: runtime.KindAction, Module: "acts.js", Export: export, Args: []byte(`[{"a":1}]`), Host: host, RequestID: "req-" + export}
	if _, err := e.Run(context.Background(), testCode(), call); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := e.Run(context.Background(), testCode(), call)
		if err != nil || res.Err != nil {
			b.Fatal(err, res.Err)
		}
	}
}
