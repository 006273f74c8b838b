// Command runtime measures what one function call costs in hull's
// JavaScript runtime, beside the same logic in plain Go, plus the cost of
// starting a runtime and the memory an idle runtime holds, on one engine.
//
//	go run ./bench/runtime [-n 300]                                # QuickJS
//	CGO_ENABLED=1 go run -tags hull_v8 ./bench/runtime -engine v8  # V8
//	CGO_ENABLED=1 go run -tags hull_v8 ./bench/runtime -crossover  # where V8 starts to cost less than QuickJS
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"hull/bench/internal/benchutil"
	"hull/runtime"
	"hull/runtime/v8"
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
	case "1.0/get":
		return h.get(args)
	case "1.0/queryStreamNext":
		i := *h.next
		*h.next++
		if i >= len(h.list) {
			return []byte(`{"done":true,"value":null}`), nil
		}
		return append(append([]byte(`{"done":false,"value":`), h.list[i]...), '}'), nil
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

// measured is one row: latencies, and the process CPU time per call
// (what a core pays, the engine's background work included; not kept
// for rows that pause between calls).
type measured struct {
	name  string
	d     []time.Duration
	cpu   time.Duration // 0: not measured
	floor time.Duration // 0: none
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timeIt runs f n times after a warm-up of n/10, sleeping pause before
// each timed call (0: back to back).
func timeIt(n int, pause time.Duration, f func() error) ([]time.Duration, time.Duration, error) {
	for i := 0; i < n/10+1; i++ {
		if err := f(); err != nil {
			return nil, 0, err
		}
	}
	out := make([]time.Duration, 0, n)
	cpu0 := cpuTime()
	for i := 0; i < n; i++ {
		if pause > 0 {
			time.Sleep(pause)
		}
		t := time.Now()
		if err := f(); err != nil {
			return nil, 0, err
		}
		out = append(out, time.Since(t))
	}
	if pause > 0 {
		time.Sleep(pause)
	}
	return out, (cpuTime() - cpu0) / time.Duration(n), nil
}

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
	defEngine := runtime.EngineQuickJS
	if v8.Available {
		defEngine = runtime.EngineV8
	}
	engine := flag.String("engine", defEngine, "JavaScript engine: quickjs, v8 or tiered")
	auth := flag.String("auth-bundle", "bench/runtime/authapp/bundle/isolate", "bundle of the password hashing app (empty: skip)")
	authLimit := flag.Duration("auth-timeout", 0, "CPU limit of the password mutations (0: the default limit, 1s)")
	authRounds := flag.Int("auth-rounds", 3, "sign-up and sign-in rounds")
	cross := flag.Bool("crossover", false, "only the QuickJS/V8 crossover table (V8 builds)")
	flag.Parse()
	if *cross {
		if err := crossover(*n, *bundle); err != nil {
			fmt.Fprintln(os.Stderr, "bench/runtime:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*engine, *n, *bundle, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "bench/runtime:", err)
		os.Exit(1)
	}
	if *auth != "" {
		if err := passwords(*engine, *auth, *authLimit, *authRounds); err != nil {
			fmt.Fprintln(os.Stderr, "bench/runtime:", err)
			os.Exit(1)
		}
	}
}

// passwords times the hashing @convex-dev/auth's Password provider does:
// lucia's Scrypt (N=16384, r=16, p=1) hashing a password in the sign-up
// mutation and verifying it in the sign-in mutation, within the limits a
// mutation has (1 s of CPU unless -auth-timeout says otherwise).
func passwords(engineName, bundle string, limit time.Duration, rounds int) error {
	engine, err := runtime.EngineNamed(engineName)
	if err != nil {
		return err
	}
	mods, err := runtime.DirModules(bundle)
	if err != nil {
		return fmt.Errorf("load bundle %s (see bench/runtime/authapp/gen.sh): %w", bundle, err)
	}
	pool := runtime.NewPool(runtime.Options{Engine: engine, Timeout: limit})
	run := func(export, args string) (string, time.Duration, error) {
		t := time.Now()
		res, err := pool.Run(context.Background(), mods, runtime.Call{
			Kind: runtime.KindMutation, Module: "passwords.js", Export: export, Args: []byte(args), Now: time.Now(), Host: host{},
		})
		d := time.Since(t)
		if err != nil {
			return "", d, err
		}
		if res.Err != nil {
			return "", d, errors.New(res.Err.Message)
		}
		return string(res.Value), d, nil
	}
	fmt.Printf("\n| password hashing (lucia Scrypt, as @convex-dev/auth) | time | note |\n|---|---|---|\n")
	var total time.Duration
	for round := range rounds {
		hash, dh, err := run("hash", `[{"password":"correct horse battery staple"}]`)
		if err != nil {
			fmt.Printf("| sign-up mutation (hash), round %d | %v | fails: %s |\n", round+1, benchutil.Round(dh), err)
			return nil
		}
		ok, dv, err := run("verify", `[{"hash":`+hash+`,"password":"correct horse battery staple"}]`)
		if err != nil || ok != "true" {
			fmt.Printf("| sign-in mutation (verify), round %d | %v | fails: %v %s |\n", round+1, benchutil.Round(dv), err, ok)
			return nil
		}
		fmt.Printf("| sign-up mutation (hash), round %d | %v | |\n| sign-in mutation (verify), round %d | %v | |\n", round+1, benchutil.Round(dh), round+1, benchutil.Round(dv))
		total = dh + dv
	}
	met := map[bool]string{true: "met", false: "NOT met"}
	fmt.Printf("\nfloor: Convex Auth password sign-up + sign-in <= 1s: hashing alone takes %v (last round): %s\n", benchutil.Round(total), met[total <= time.Second])
	return nil
}

func run(engineName string, n int, bundle string, idle int) error {
	engine, err := runtime.EngineNamed(engineName)
	if err != nil {
		return err
	}
	mods, err := runtime.DirModules(bundle)
	if err != nil {
		return fmt.Errorf("load bundle %s: %w", bundle, err)
	}
	keyed := mods.Keyed() // as the app layer passes a code version's modules
	ctx := context.Background()
	const id = "j57000820c20a1g7104gm2rc1m70ynr8"
	doc := []byte(`{"_id":"` + id + `","_creationTime":1700000000000,"author":"ada","body":"hello"}`)
	h := host{docs: map[string][]byte{id: doc}, list: listRows(20), next: new(int)}
	snapshotPool := runtime.NewPool(runtime.Options{Engine: engine})
	freshPool := runtime.NewPool(runtime.Options{Engine: engine, FreshEngines: true})
	call := func(pool *runtime.Pool, module, export, args string) func() error {
		c := runtime.Call{Kind: runtime.KindQuery, Module: module, Export: export, Args: []byte(args), Now: time.Now(), Host: h}
		return func() error {
			res, err := pool.Run(ctx, keyed, c)
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
	var rows []measured
	measure := func(name string, n int, pause, floor time.Duration, f func() error) error {
		d, cpu, err := timeIt(n, pause, f)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if pause > 0 {
			cpu = 0
		}
		rows = append(rows, measured{name, d, cpu, floor})
		return nil
	}
	// The same logic in plain Go: decode args, look the document up,
	// encode the result.
	if err := measure("plain Go: decode args, get, encode (limit)", n*10, 0, 0, func() error {
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
	type row struct {
		name  string
		n     int
		pause time.Duration
		floor time.Duration
		f     func() error
	}
	fresh := "snapshot restored per call"
	if engineName == runtime.EngineV8 {
		fresh = "context copied from a snapshot per call"
	}
	list := []row{
		{"trivial query, " + fresh + " (chosen), back to back", n * 10, 0, 30 * time.Microsecond, call(snapshotPool, "messages.js", "state", `[{}]`)},
		{"query with ctx.db.get, " + fresh + " (chosen), back to back", n * 10, 0, 50 * time.Microsecond, call(snapshotPool, "messages.js", "byId", getArgs)},
		{"trivial query, " + fresh + ", fresh state ready before the call", n, 3 * time.Millisecond, 0, call(snapshotPool, "messages.js", "state", `[{}]`)},
		{"query with ctx.db.get, " + fresh + ", fresh state ready before the call", n, 3 * time.Millisecond, 0, call(snapshotPool, "messages.js", "byId", getArgs)},
		// Rows served from memory: what is left is the function's own work
		// per row (the convex package's query iteration and value
		// conversions) in the engine.
		{"indexed list query, 20 rows, " + fresh + " (chosen)", n * 3, 0, 0, call(snapshotPool, "messages.js", "byAuthor", `[{"author":"ada"}]`)},
		{"trivial query, fresh engine per call (alternative)", n, 0, 0, call(freshPool, "messages.js", "state", `[{}]`)},
		{"query with ctx.db.get, fresh engine per call (alternative)", n, 0, 0, call(freshPool, "messages.js", "byId", getArgs)},
	}
	if engineName == runtime.EngineV8 {
		replayPool := runtime.NewPool(runtime.Options{Engine: runtime.V8{Restore: v8.RestoreByReplay}})
		list = append(list,
			row{"trivial query, new context evaluating the modules again per call (alternative)", n, 0, 0, call(replayPool, "messages.js", "state", `[{}]`)},
			row{"query with ctx.db.get, new context evaluating the modules again per call (alternative)", n, 0, 0, call(replayPool, "messages.js", "byId", getArgs)},
		)
	}
	list = append(list,
		row{"trivial query, module opts into reuse (no fresh state)", n * 10, 0, 0, call(snapshotPool, "reused.js", "trivial", `[{}]`)},
		row{"query with ctx.db.get, module opts into reuse (no fresh state)", n * 10, 0, 0, call(snapshotPool, "reused.js", "byId", getArgs)},
		row{"new engine, no modules", n/3 + 1, 0, 0, func() error {
			vm, err := engine.NewVM(runtime.EngineConfig{MemoryLimit: 64 << 20})
			if err != nil {
				return err
			}
			if _, err := vm.Eval("1"); err != nil {
				return err
			}
			return vm.Close()
		}},
	)
	for _, m := range list {
		if err := measure(m.name, m.n, m.pause, m.floor, m.f); err != nil {
			return err
		}
	}
	rss, err := idleRSS(engine, idle, mods)
	if err != nil {
		return err
	}
	limit := benchutil.Percentile(rows[0].d, 0.5)
	met := map[bool]string{true: "met", false: "NOT met"}
	fmt.Printf("engine: %s, GOMAXPROCS %d\n\n", engineName, goruntime.GOMAXPROCS(0))
	fmt.Printf("| measurement | p50 | p99 | CPU per call | ratio to plain Go p50 | floor |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		p50 := benchutil.Percentile(r.d, 0.5)
		fl := ""
		if r.floor > 0 {
			fl = fmt.Sprintf("p50 ≤ %v: %s (%.2fx)", r.floor, met[p50 <= r.floor], float64(p50)/float64(r.floor))
		}
		cpu := "–"
		if r.cpu > 0 {
			cpu = benchutil.Round(r.cpu).String()
		}
		fmt.Printf("| %s | %v | %v | %s | %.0fx | %s |\n", r.name, benchutil.Round(p50), benchutil.Round(benchutil.Percentile(r.d, 0.99)),
			cpu, float64(p50)/float64(limit), fl)
	}
	start := benchutil.Percentile(rows[5].d, 0.5)
	fmt.Printf("\nfloor: runtime start from cached code <= 10ms (fresh engine + module graph, trivial query p50): %v: %s\n", benchutil.Round(start), met[start <= 10*time.Millisecond])
	fmt.Printf("floor: RSS per idle pooled runtime <= 5 MiB: %.2f MiB (%d prepared engines of one function module): %s\n", rss, idle, met[rss <= 5])
	return nil
}

// idleRSS makes the pool keep count engines of one function module —
// count calls held in flight together by a host that answers only when
// all have asked — twice (the second round runs on restored state), lets
// them go idle, and returns the process RSS growth per engine.
func idleRSS(engine runtime.Engine, count int, mods runtime.MapModules) (float64, error) {
	pool := runtime.NewPool(runtime.Options{Engine: engine, MaxEnginesPerKey: count, MaxConcurrent: count, MaxIdleEngines: count + 1})
	ctx := context.Background()
	goruntime.GC()
	before := rssKiB()
	const id = "j57000820c20a1g7104gm2rc1m70ynr8"
	for range 2 {
		b := &barrier{n: count, h: host{docs: map[string][]byte{id: []byte(`{"_id":"` + id + `"}`)}}, all: make(chan struct{})}
		errs := make(chan error, count)
		for range count {
			go func() {
				res, err := pool.Run(ctx, mods, runtime.Call{
					Kind: runtime.KindQuery, Module: "messages.js", Export: "byId", Args: []byte(`[{"id":"` + id + `"}]`),
					Now: time.Now(), Host: b,
				})
				if err == nil && res.Err != nil {
					err = fmt.Errorf("idle engine: %s", res.Err.Message)
				}
				errs <- err
			}()
		}
		for range count {
			if err := <-errs; err != nil {
				return 0, err
			}
		}
		time.Sleep(500 * time.Millisecond) // the restores, off the calls' path
	}
	goruntime.GC()
	return float64(rssKiB()-before) / 1024 / float64(count), nil
}

// barrier answers each read once n reads wait for it.
type barrier struct {
	h   host
	mu  sync.Mutex
	n   int
	all chan struct{}
}

func (b *barrier) Syscall(ctx context.Context, op string, args []byte) ([]byte, error) {
	return b.h.Syscall(ctx, op, args)
}

func (b *barrier) AsyncSyscall(ctx context.Context, op string, args []byte) ([]byte, error) {
	b.mu.Lock()
	b.n--
	if b.n == 0 {
		close(b.all)
	}
	b.mu.Unlock()
	<-b.all
	return b.h.AsyncSyscall(ctx, op, args)
}
