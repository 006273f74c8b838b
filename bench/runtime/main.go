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
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"hull/runtime"
	"hull/runtime/quickjs"
)

// host serves 1.0/get from a map, as the database would from its cache.
type host struct{ docs map[string][]byte }

func (h host) Syscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, runtime.UnknownOperation(op)
}

func (h host) AsyncSyscall(_ context.Context, op string, args []byte) ([]byte, error) {
	if op != "1.0/get" {
		return nil, runtime.UnknownAsyncOperation(op)
	}
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
	h := host{docs: map[string][]byte{id: doc}}
	pool := runtime.NewPool(runtime.Options{})
	call := func(module, export, args string) func() error {
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
	trivial, err := timeIt(n, call("messages.js", "state", `[{}]`))
	if err != nil {
		return err
	}
	get, err := timeIt(n, call("messages.js", "byId", `[{"id":"`+id+`"}]`))
	if err != nil {
		return err
	}
	// reused.js exports experimental_reuseContext = true: its engine, with
	// the module graph evaluated, is kept between calls.
	reusedTrivial, err := timeIt(n*5, call("reused.js", "trivial", `[{}]`))
	if err != nil {
		return err
	}
	reusedGet, err := timeIt(n*5, call("reused.js", "byId", `[{"id":"`+id+`"}]`))
	if err != nil {
		return err
	}
	// The same logic in plain Go: decode args, look the document up,
	// encode the result.
	goGet, err := timeIt(n*10, func() error {
		var a []map[string]string
		if err := json.Unmarshal([]byte(`[{"id":"`+id+`"}]`), &a); err != nil {
			return err
		}
		d, _ := h.AsyncSyscall(ctx, "1.0/get", []byte(`{"id":"`+a[0]["id"]+`"}`))
		var v any
		if err := json.Unmarshal(d, &v); err != nil {
			return err
		}
		_, err := json.Marshal(v)
		return err
	})
	if err != nil {
		return err
	}
	start, err := timeIt(n/3+1, func() error {
		vm, err := quickjs.New(quickjs.Config{MemoryLimit: 64 << 20, MaxStackSize: 5000})
		if err != nil {
			return err
		}
		return vm.Close()
	})
	if err != nil {
		return err
	}
	rssPerIdle, err := idleRSS(idle, mods)
	if err != nil {
		return err
	}
	fmt.Printf("| measurement | p50 | p99 | ratio to plain Go p50 |\n|---|---|---|---|\n")
	row := func(name string, d []time.Duration) {
		fmt.Printf("| %s | %v | %v | %.0fx |\n", name, pct(d, 50), pct(d, 99), float64(pct(d, 50))/float64(pct(goGet, 50)))
	}
	row("plain Go: decode args, get, encode (limit)", goGet)
	row("trivial query (fresh module state per call)", trivial)
	row("query with ctx.db.get (fresh module state per call)", get)
	row("trivial query, context reused (module opts in)", reusedTrivial)
	row("query with ctx.db.get, context reused (module opts in)", reusedGet)
	row("new engine, no modules", start)
	met := map[bool]string{true: "met", false: "NOT met"}
	fmt.Printf("\nfloor: per-call p50 <= 200µs — fresh context: trivial %v, db.get %v: %s; reused context: trivial %v, db.get %v: %s\n",
		pct(trivial, 50), pct(get, 50), met[pct(get, 50) <= 200*time.Microsecond],
		pct(reusedTrivial, 50), pct(reusedGet, 50), met[pct(reusedGet, 50) <= 200*time.Microsecond])
	fmt.Printf("RSS per idle engine with the bundle's modules loaded: %.2f MiB (%d engines)\n", rssPerIdle, idle)
	return nil
}

// idleRSS keeps count engines alive, each with the bundle's function
// modules imported, and returns the process RSS growth per engine.
func idleRSS(count int, mods runtime.MapModules) (float64, error) {
	goruntime.GC()
	before := rssKiB()
	var vms []*quickjs.VM
	defer func() {
		for _, vm := range vms {
			vm.Close()
		}
	}()
	for i := 0; i < count; i++ {
		vm, err := quickjs.New(quickjs.Config{
			MemoryLimit:  64 << 20,
			MaxStackSize: 5000,
			Resolve: func(base, name string) (string, error) {
				return filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(base), name))), nil
			},
			Load: func(name string) (string, error) {
				m, ok := mods.Get(name)
				if !ok {
					return "", fmt.Errorf("no module %s", name)
				}
				return m.Source, nil
			},
		})
		if err != nil {
			return 0, err
		}
		vms = append(vms, vm)
		if _, err := vm.Eval(`import("messages.js").then(m => { globalThis.m = m; }, e => { globalThis.e = String(e); })`); err != nil {
			return 0, err
		}
		if _, err := vm.RunJobs(); err != nil {
			return 0, err
		}
		if ok, err := vm.Eval(`typeof globalThis.m === "object" ? "" : String(globalThis.e)`); err != nil || ok != "" {
			return 0, fmt.Errorf("idle engine did not load messages.js: %v %v", ok, err)
		}
	}
	goruntime.GC()
	return float64(rssKiB()-before) / 1024 / float64(count), nil
}
