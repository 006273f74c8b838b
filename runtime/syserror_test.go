package runtime_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"hull/runtime"
)

// downHost answers every syscall with a system failure, counting calls.
type downHost struct{ calls atomic.Int32 }

var errStorageDown = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

func (h *downHost) fail() error {
	h.calls.Add(1)
	return &runtime.SystemError{Err: errStorageDown, Public: "StorageUnavailable: try again"}
}

func (h *downHost) Syscall(context.Context, string, []byte) ([]byte, error) { return nil, h.fail() }
func (h *downHost) AsyncSyscall(context.Context, string, []byte) ([]byte, error) {
	return nil, h.fail()
}

func TestASystemFailureEndsTheRunWhateverTheFunctionDoes(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	tests := []struct {
		name string
		kind runtime.Kind
		body string
	}{
		{"a query that catches the failure and returns still fails", runtime.KindQuery,
			`try { await Convex.asyncSyscall("1.0/get", "{}"); } catch (e) { return JSON.stringify("caught: " + e.message); } return "1";`},
		{"a sync syscall that is caught still fails the run", runtime.KindQuery,
			`try { Convex.syscall("1.0/queryStream", "{}"); } catch (e) {} return "1";`},
		{"a mutation that retries after catching makes no second syscall", runtime.KindMutation,
			`for (let i = 0; i < 5; i++) { try { await Convex.asyncSyscall("1.0/insert", "{}"); } catch (e) {} } return "1";`},
		{"a batch of point reads fails as a whole", runtime.KindQuery,
			`const r = await Promise.allSettled([Convex.asyncSyscall("1.0/get", "{}"), Convex.asyncSyscall("1.0/get", "{}")]); return JSON.stringify(r.length);`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mods := sourceModules(map[string]string{"m.js": `
const f = () => {};
f.isQuery = true; f.isMutation = true;
f.invokeQuery = f.invokeMutation = async (argsJSON) => { ` + tt.body + ` };
export const q = f;
`})
			host := &downHost{}
			res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: tt.kind, Module: "m.js", Export: "q", Args: []byte("[{}]"), Host: host})
			se, ok := runtime.AsSystemError(err)
			if !ok || !errors.Is(err, errStorageDown) {
				t.Fatalf("Run = %+v, %v; want the SystemError", res, err)
			}
			if se.Public == "" || res.Value != nil || res.Err != nil {
				t.Fatalf("result %+v alongside the system error", res)
			}
			if n := host.calls.Load(); n != 1 {
				t.Fatalf("the host saw %d syscalls, want 1: the run must stop at the first failure", n)
			}
		})
	}
}

func TestAnActionCanCatchASystemFailureAndSeesOnlyItsPublicMessage(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := actionModules(`try { await Convex.asyncSyscall("1.0/actions/query", "{}"); return "1"; } catch (e) { return JSON.stringify(e.message); }`)
	res, err := pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindAction, Module: "act.js", Export: "a", Args: []byte("[{}]"), Host: &downHost{}})
	if err != nil {
		t.Fatalf("system error: %v", err)
	}
	if res.Err != nil || string(res.Value) != `"StorageUnavailable: try again"` {
		t.Fatalf("result = %s, %+v; want the public message", res.Value, res.Err)
	}
	if strings.Contains(string(res.Value), "127.0.0.1") {
		t.Fatal("the action saw the failure's details")
	}
}

func TestAnEngineServesTheNextCallAfterASystemFailure(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	mods := handWritten(`return await Convex.asyncSyscall("1.0/queryStreamNext", JSON.stringify({ queryId: 0 }));`)
	call := func(host runtime.Host) (runtime.Result, error) {
		return pool.Run(context.Background(), mods, runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: "q", Args: []byte("[{}]"), Host: host})
	}
	for i := 0; i < 3; i++ {
		if _, err := call(&downHost{}); err == nil {
			t.Fatal("a run against a failing host succeeded")
		}
		res, err := call(newFakeDB(pool, mods))
		if err != nil || res.Err != nil {
			t.Fatalf("the next run failed: %v %+v", err, res.Err)
		}
		jsonEqual(t, res.Value, `{"value":null,"done":true}`)
	}
}
