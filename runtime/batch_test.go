package runtime_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"hull/runtime"
)

// batchHost records the async ops it is asked for and answers a get with
// its id and a batch with one reply per get; serveBatch false makes it
// refuse batches, as a host that only knows 1.0/get does.
type batchHost struct {
	serveBatch bool
	mu         sync.Mutex
	ops        []string
}

func (h *batchHost) Syscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, runtime.UnknownOperation(op)
}

func (h *batchHost) AsyncSyscall(_ context.Context, op string, args []byte) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case op == runtime.GetManyOp && h.serveBatch:
		var items []struct{ ID string }
		if err := json.Unmarshal(args, &items); err != nil {
			return nil, err
		}
		h.ops = append(h.ops, op+"×"+string(rune('0'+len(items))))
		var out []map[string]string
		for _, it := range items {
			out = append(out, map[string]string{"o": `"` + it.ID + `"`})
		}
		return json.Marshal(out)
	case op == "1.0/get":
		var a struct{ ID string }
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		h.ops = append(h.ops, op)
		if a.ID == "bad" {
			return nil, &json.UnsupportedValueError{Str: "bad id"}
		}
		return []byte(`"` + a.ID + `"`), nil
	case op == "1.0/insert":
		h.ops = append(h.ops, op)
		return []byte(`"new"`), nil
	}
	return nil, runtime.UnknownAsyncOperation(op)
}

func TestPointReadsIssuedTogetherAreOneBatch(t *testing.T) {
	const get = `(id) => Convex.asyncSyscall("1.0/get", JSON.stringify({id}))`
	tests := []struct {
		name       string
		serveBatch bool
		body       string
		want       string
		ops        string
	}{
		{"gets issued together are one host call", true,
			`const g = ` + get + `; return JSON.stringify(await Promise.all(["a", "b", "c"].map(g)));`,
			`["\"a\"","\"b\"","\"c\""]`, runtime.GetManyOp + "×3"},
		{"awaited gets are one plain get each", true,
			`const g = ` + get + `; const a = await g("a"); const b = await g("b"); return JSON.stringify([a, b]);`,
			`["\"a\"","\"b\""]`, "1.0/get 1.0/get"},
		{"a write between gets serves the gets before it, in order", true,
			`const g = ` + get + `; const p = [g("a"), Convex.asyncSyscall("1.0/insert", "{}"), g("b")]; return JSON.stringify(await Promise.all(p));`,
			`["\"a\"","\"new\"","\"b\""]`, "1.0/get 1.0/insert 1.0/get"},
		{"a host without batches gets the reads one by one", false,
			`const g = ` + get + `; return JSON.stringify(await Promise.all(["a", "b"].map(g)));`,
			`["\"a\"","\"b\""]`, "1.0/get 1.0/get"},
		{"an error of one get rejects only that get", false,
			`const g = ` + get + `; const r = await Promise.allSettled([g("a"), g("bad")]); return JSON.stringify(r.map((x) => x.status));`,
			`["fulfilled","rejected"]`, "1.0/get 1.0/get"},
	}
	pool := newTestPool(runtime.Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &batchHost{serveBatch: tc.serveBatch}
			res, err := pool.Run(context.Background(), handWritten(tc.body), runtime.Call{Kind: runtime.KindQuery, Module: "m.js", Export: "q", Args: []byte("[{}]"), Host: h})
			if err != nil {
				t.Fatal(err)
			}
			if res.Err != nil {
				t.Fatalf("run failed: %s", res.Err.Message)
			}
			if got := string(res.Value); got != tc.want {
				t.Errorf("value %s, want %s", got, tc.want)
			}
			if ops := strings.Join(h.ops, " "); ops != tc.ops {
				t.Errorf("host ops %q, want %q", ops, tc.ops)
			}
		})
	}
}
