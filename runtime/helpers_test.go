package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hull/runtime"
)

// memModules is a module set held in memory.
type memModules = runtime.MapModules

// sourceModules builds a module set from path → source.
func sourceModules(srcs map[string]string) memModules {
	m := memModules{}
	for p, s := range srcs {
		m[p] = runtime.Module{Path: p, Source: s}
	}
	return m
}

// loadBundle reads the CLI bundle of testdata/app (see testdata/gen.sh).
func loadBundle(t testing.TB) memModules {
	t.Helper()
	m, err := runtime.DirModules(filepath.Join("testdata", "bundle", "isolate"))
	if err != nil {
		t.Fatalf("load bundle: %v", err)
	}
	return m
}

// hostError is a Host error carrying ConvexError data.
type hostError struct {
	msg  string
	data []byte
}

func (e *hostError) Error() string      { return e.msg }
func (e *hostError) ConvexData() []byte { return e.data }

// fakeDB is an in-memory table store serving the db syscalls the fixture
// app uses, and nested function calls through a Pool.
type fakeDB struct {
	mu      sync.Mutex
	pool    *runtime.Pool
	mods    runtime.Modules
	tables  map[string][]map[string]any
	streams map[int][]map[string]any
	nextID  int
	ops     []string
}

func newFakeDB(pool *runtime.Pool, mods runtime.Modules) *fakeDB {
	return &fakeDB{pool: pool, mods: mods, tables: map[string][]map[string]any{}, streams: map[int][]map[string]any{}}
}

func (db *fakeDB) Syscall(_ context.Context, op string, args []byte) ([]byte, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.ops = append(db.ops, op)
	switch op {
	case "1.0/queryStream":
		var a struct {
			Query struct {
				Source struct {
					TableName string `json:"tableName"`
				} `json:"source"`
				Operators []struct {
					Limit *int `json:"limit"`
				} `json:"operators"`
			} `json:"query"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		db.nextID++
		rows := append([]map[string]any(nil), db.tables[a.Query.Source.TableName]...)
		for _, o := range a.Query.Operators {
			if o.Limit != nil && *o.Limit < len(rows) {
				rows = rows[:*o.Limit]
			}
		}
		db.streams[db.nextID] = rows
		return json.Marshal(map[string]any{"queryId": db.nextID})
	case "1.0/queryCleanup":
		return []byte("true"), nil
	}
	return nil, runtime.UnknownOperation(op)
}

func (db *fakeDB) AsyncSyscall(ctx context.Context, op string, args []byte) ([]byte, error) {
	switch op {
	case "1.0/runUdf":
		return db.runUdf(ctx, "", args)
	case "1.0/actions/query":
		return db.runUdf(ctx, runtime.KindQuery, args)
	case "1.0/actions/mutation":
		return db.runUdf(ctx, runtime.KindMutation, args)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	db.ops = append(db.ops, op)
	switch op {
	case "1.0/insert":
		var a struct {
			Table string         `json:"table"`
			Value map[string]any `json:"value"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		if a.Table == "reject" {
			return nil, &hostError{msg: "rejected by host", data: []byte(`{"code":"nope","n":{"$integer":"AgAAAAAAAAA="}}`)}
		}
		db.nextID++
		id := fmt.Sprintf("id%d", db.nextID)
		a.Value["_id"] = id
		db.tables[a.Table] = append(db.tables[a.Table], a.Value)
		return json.Marshal(map[string]any{"_id": id})
	case "1.0/queryStreamNext":
		var a struct {
			QueryID int `json:"queryId"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		rows := db.streams[a.QueryID]
		if len(rows) == 0 {
			return []byte(`{"value":null,"done":true}`), nil
		}
		db.streams[a.QueryID] = rows[1:]
		return json.Marshal(map[string]any{"value": rows[0], "done": false})
	}
	return nil, runtime.UnknownAsyncOperation(op)
}

// runUdf runs a nested query or mutation of the same module set.
func (db *fakeDB) runUdf(ctx context.Context, kind runtime.Kind, args []byte) ([]byte, error) {
	var a struct {
		UDFType string          `json:"udfType"`
		Name    string          `json:"name"`
		Args    json.RawMessage `json:"args"`
	}
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, err
	}
	if kind == "" {
		kind = runtime.Kind(a.UDFType)
	}
	mod, export, _ := strings.Cut(a.Name, ":")
	res, err := db.pool.Run(ctx, db.mods, runtime.Call{
		Kind: kind, Module: mod + ".js", Export: export,
		Args: []byte("[" + string(a.Args) + "]"), Now: time.Now(), Host: db,
	})
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		return nil, errors.New(res.Err.Message)
	}
	return res.Value, nil
}

func (db *fakeDB) seed(table string, rows ...map[string]any) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.tables[table] = append(db.tables[table], rows...)
}

// run calls one export of messages.js.
func run(t *testing.T, pool *runtime.Pool, mods runtime.Modules, host runtime.Host, kind runtime.Kind, export, args string) runtime.Result {
	t.Helper()
	res, err := pool.Run(context.Background(), mods, runtime.Call{
		Kind: kind, Module: "messages.js", Export: export, Args: []byte("[" + args + "]"),
		Env: map[string]string{"GREETING": "hi there"},
		Now: time.UnixMilli(1_700_000_000_000), Seed: [32]byte{7}, Host: host,
	})
	if err != nil {
		t.Fatalf("Run %s: system error: %v", export, err)
	}
	return res
}

// jsonEqual reports whether two JSON texts hold the same data.
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("result %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Fatalf("got %s, want %s", gb, wb)
	}
}

// onV8 reports whether the suite runs on V8 (a build with the hull_v8
// tag) rather than QuickJS. The suite is the same on both; a few cases
// expect what each engine's own built-ins do.
func onV8() bool { _, ok := runtime.DefaultEngine().(runtime.V8); return ok }

// newTestPool returns a pool whose time limits, unless set, are generous
// enough for slow test machines and the race detector.
func newTestPool(opts runtime.Options) *runtime.Pool {
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.AnalyzeTimeout == 0 {
		opts.AnalyzeTimeout = 30 * time.Second
	}
	return runtime.NewPool(opts)
}
