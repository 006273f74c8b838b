// Command runtime measures what one function call costs in hull's
// JavaScript runtime, beside the same logic in plain Go, plus the cost of
// starting a runtime and the memory an idle runtime holds.
//
//	go run ./bench/runtime [-n 300] [-bundle runtime/testdata/bundle/isolate]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	goruntime "runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"hull/runtime"
	"hull/runtime/quickjs"
)

// host serves 1.0/get from a map, as the database would from its cache,
// and every query stream from the rows of list, one row per
// 1.0/queryStreamNext as the database layer serves them.
type host struct {
	docs map[string][]byte
	list [][]byte
	next *int // the next row of the open stream
}

func (h host) Syscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	switch op {
	case "1.0/queryStream":
		*h.next = 0
		return []byte(`{"queryId":1}`), nil
	case "1.0/queryCleanup":
		return []byte("true"), nil
	}
	return nil, runtime.UnknownOperation(op)
}

func (h host) AsyncSyscall(_ context.Context, op string, args []byte) ([]byte, error) {
	switch op {
	case "1.0/queryStreamNext":
		i := *h.next
		*h.next++
		if i >= len(h.list) {
			return []byte(`{"done":true,"value":null}`), nil
		}
		return append(append([]byte(`{"done":false,"value":`), h.list[i]...), '}'), nil
	case "1.0/get":
		return h.get(args)
	case runtime.GetManyOp:
		// Point reads issued together, as the database serves them.
		var items []json.RawMessage
		if err := json.Unmarshal(args, &items); err != nil {
			return nil, err
		}
		out := []byte("[")
		for i, it := range items {
			d, err := h.get(it)
			if err != nil {
				return nil, err
			}
			if i > 0 {
				out = append(out, ',')
			}
			b, _ := json.Marshal(map[string]string{"o": string(d)})
			out = append(out, b...)
		}
		return append(out, ']'), nil
	}
	return nil, runtime.UnknownAsyncOperation(op)
}

func (h host) get(args []byte) ([]byte, error) {
	var a struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, err
	}
	if d, ok := h.docs[a.ID]; ok {
		return d, nil
	}
	return []byte("null"), nil
}

// listRows returns n documents of one author, as an index range yields
// them.
func listRows(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(fmt.Sprintf(`{"_creationTime":%d,"_id":"j57000820c20a1g7104gm2rc1m70yn%02d","author":"ada","body":"message %d of the list"}`, 1700000000000+i, i, i))
	}
	return out
}

func timeIt(n int, f func() error) ([]time.Duration, error) {
	for i := 0; i < n/10+1; i++ {
		if err := f(); err != nil {
			return nil, err
		}
	}
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		t := time.Now()
		if err := f(); err != nil {
			return nil, err
		}
		out = append(out, time.Since(t))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func pct(d []time.Duration, p int) time.Duration { return d[min(len(d)-1, len(d)*p/100)] }

func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}

func main() {
	n := flag.Int("n", 300, "calls per measurement")
	bundle := flag.String("bundle", "runtime/testdata/bundle/isolate", "CLI bundle to load")
	idle := flag.Int("idle", 20, "idle runtimes for the memory measurement")
	flag.Parse()
	if err := run(*n, *bundle, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "bench/runtime:", err)
		os.Exit(1)
	}
}

func run(n int, bundle string, idle int) error {
	mods, err := runtime.DirModules(bundle)
	if err != nil {
		return fmt.Errorf("load bundle %s: %w", bundle, err)
	}
	ctx := context.Background()
	const id = "j57000820c20a1g7104gm2rc1m70ynr8"
	doc := []byte(`{"_id":"` + id + `","_creationTime":1700000000000,"author":"ada","body":"hello"}`)
	h := host{docs: map[string][]byte{id: doc}, list: listRows(20), next: new(int)}
	snapshotPool := runtime.NewPool(runtime.Options{})
	freshPool := runtime.NewPool(runtime.Options{FreshEngines: true})
	call := func(pool *runtime.Pool, module, export, args string) func() error {
		c := runtime.Call{Kind: runtime.KindQuery, Module: module, Export: export, Args: []byte(args), Now: time.Now(), Host: h}
		return func() error {
			res, err := pool.Run(ctx, mods, c)
			if err != nil {
				return err
			}
			if res.Err != nil {
				return fmt.Errorf("%s: %s", export, res.Err.Message)
			}
			return nil
		}
	}
	getArgs := `[{"id":"` + id + `"}]`
	type measured struct {
		name string
		d    []time.Duration
	}
	var rows []measured
	measure := func(name string, n int, f func() error) error {
		d, err := timeIt(n, f)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, measured{name, d})
		return nil
	}
	// The same logic in plain Go: decode args, look the document up,
	// encode the result.
	if err := measure("plain Go: decode args, get, encode (limit)", n*10, func() error {
		var a []map[string]string
		if err := json.Unmarshal([]byte(getArgs), &a); err != nil {
			return err
		}
		d, _ := h.AsyncSyscall(ctx, "1.0/get", []byte(`{"id":"`+a[0]["id"]+`"}`))
		var v any
		if err := json.Unmarshal(d, &v); err != nil {
			return err
		}
		_, err := json.Marshal(v)
		return err
	}); err != nil {
		return err
	}
	for _, m := range []struct {
		name string
		n    int
		f    func() error
	}{
		{"trivial query, snapshot restored per call (chosen)", n * 10, call(snapshotPool, "messages.js", "state", `[{}]`)},
		{"query with ctx.db.get, snapshot restored per call (chosen)", n * 10, call(snapshotPool, "messages.js", "byId", getArgs)},
		{"trivial query, fresh engine per call (alternative)", n, call(freshPool, "messages.js", "state", `[{}]`)},
		{"query with ctx.db.get, fresh engine per call (alternative)", n, call(freshPool, "messages.js", "byId", getArgs)},
		{"trivial query, module opts into reuse (no restore)", n * 10, call(snapshotPool, "reused.js", "trivial", `[{}]`)},
		{"query with ctx.db.get, module opts into reuse (no restore)", n * 10, call(snapshotPool, "reused.js", "byId", getArgs)},
		{"new engine, no modules", n/3 + 1, func() error {
			vm, err := quickjs.New(quickjs.Config{MemoryLimit: 64 << 20, MaxStackSize: 5000})
			if err != nil {
				return err
			}
			return vm.Close()
		}},
		// Rows served from memory: what is left is the function's own work
		// per row (the convex package's query iteration and value
		// conversions) in the engine.
		{"indexed list query, 20 rows, snapshot restored per call (chosen)", n * 3, call(snapshotPool, "messages.js", "byAuthor", `[{"author":"ada"}]`)},
	} {
		if err := measure(m.name, m.n, m.f); err != nil {
			return err
		}
	}
	rss, err := idleRSS(idle, mods)
	if err != nil {
		return err
	}
	limit := pct(rows[0].d, 50)
	fmt.Printf("| measurement | p50 | p99 | ratio to plain Go p50 |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Printf("| %s | %v | %v | %.0fx |\n", r.name, pct(r.d, 50), pct(r.d, 99), float64(pct(r.d, 50))/float64(limit))
	}
	met := map[bool]string{true: "met", false: "NOT met"}
	chosen := max(pct(rows[1].d, 50), pct(rows[2].d, 50))
	fmt.Printf("\nfloor: per-call p50 <= 200µs (chosen model, both queries): %v: %s\n", chosen, met[chosen <= 200*time.Microsecond])
	fmt.Printf("floor: runtime start from cached bytecode <= 10ms (fresh engine + module graph, trivial query p50): %v: %s\n", pct(rows[3].d, 50), met[pct(rows[3].d, 50) <= 10*time.Millisecond])
	fmt.Printf("floor: RSS per idle pooled runtime <= 5 MiB: %.2f MiB (prepared engines of the pool: globals, the bundle's module graph and the snapshot; %d engines): %s\n", rss, idle, met[rss <= 5])
	return nil
}

// idleRSS prepares count pooled engines (one per environment, so each is
// a separate prepared engine: setup, Web globals, the bundle's module
// graph, and its snapshot), keeps them idle, and returns the process RSS
// growth per engine.
func idleRSS(count int, mods runtime.MapModules) (float64, error) {
	pool := runtime.NewPool(runtime.Options{MaxIdleEngines: count + 1})
	ctx := context.Background()
	goruntime.GC()
	before := rssKiB()
	for i := 0; i < count; i++ {
		res, err := pool.Run(ctx, mods, runtime.Call{
			Kind: runtime.KindQuery, Module: "messages.js", Export: "state", Args: []byte("[{}]"),
			Now: time.Now(), Env: map[string]string{"ENGINE": strconv.Itoa(i)}, Host: host{},
		})
		if err != nil {
			return 0, err
		}
		if res.Err != nil {
			return 0, fmt.Errorf("idle engine %d: %s", i, res.Err.Message)
		}
	}
	time.Sleep(200 * time.Millisecond) // the last restores
	goruntime.GC()
	return float64(rssKiB()-before) / 1024 / float64(count), nil
}
