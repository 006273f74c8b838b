// Command sync measures hull's WebSocket sync layer against limits
// measured in the same run: mutation throughput with 64 clients beside the
// database layer's commit rate at 64, fan-out of one change to N
// subscribers beside a bare broadcast of a same-sized message to N bare
// WebSocket clients, memory per idle synced session beside a bare idle
// WebSocket connection, and the delivery of a change to one subscriber
// beside the mutation's own answer.
//
//	go build -o bin/hull ./cmd/hull && go run ./bench/sync [-fanout 1000] [-idle 1000,10000] [-only latency]
//
// It starts bin/hull on SQLite in a temp dir and deploys the live e2e
// fixture with the official CLI (test/e2e's npm packages must be
// installed).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"hull/bench/internal/benchutil"
)

var (
	clientsFlag   int
	latencyRounds int
	onlyFlag      string
)

func main() {
	bare := flag.Bool("bare", false, "run as the bare WebSocket server (internal)")
	bin := flag.String("hull", "bin/hull", "hull binary")
	duration := flag.Duration("duration", 5*time.Second, "length of each throughput run")
	fanout := flag.Int("fanout", 1000, "subscribers for the fan-out measurement")
	rounds := flag.Int("rounds", 20, "changes fanned out")
	idle := flag.String("idle", "1000,10000", "idle session counts for the memory measurement")
	flag.IntVar(&latencyRounds, "latency-rounds", 500, "mutations for the one-subscriber delivery latency")
	only := flag.String("only", "", "run only this measurement (latency)")
	flag.IntVar(&clientsFlag, "clients", 64, "WebSocket clients for the throughput measurement")
	flag.Parse()
	onlyFlag = *only
	if *bare {
		if err := runBareServer(); err != nil {
			fmt.Fprintln(os.Stderr, "bare server:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*bin, *duration, *fanout, *rounds, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "bench/sync:", err)
		os.Exit(1)
	}
}

func run(bin string, d time.Duration, fanout, rounds int, idle string) error {
	ctx := context.Background()
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	bin, _ = filepath.Abs(bin)
	// The idle-memory run holds more sessions than the default cap.
	h, err := startHull(ctx, bin, root, []string{"HULL_MAX_SYNC_SESSIONS=1000000"})
	if err != nil {
		return err
	}
	defer h.stop()
	b, err := startBare()
	if err != nil {
		return err
	}
	defer b.stop()

	fmt.Println("| measurement | hull | limit | ratio | floor |")
	fmt.Println("|---|---|---|---|---|")
	if onlyFlag == "latency" {
		return printLatency(ctx, h.url)
	}
	// Memory first, while both processes are fresh.
	for _, f := range strings.Split(idle, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			continue
		}
		hk, err := idleMemory(ctx, h.cmd.Process.Pid, h.url, n, true)
		if err != nil {
			return fmt.Errorf("idle sessions: %w", err)
		}
		bk, err := idleMemory(ctx, b.cmd.Process.Pid, "http://"+b.addr, n, false)
		if err != nil {
			return fmt.Errorf("bare idle: %w", err)
		}
		fmt.Printf("| memory per idle session, %d sessions (limit: bare idle WebSocket) | %.1f KiB | %.1f KiB | %.2fx | ≤ 1.5x: %s |\n",
			n, hk, bk, hk/bk, verdict(hk <= 1.5*bk))
	}
	if err := printLatency(ctx, h.url); err != nil {
		return err
	}
	hullRate, err := mutationRate(ctx, h.url, clientsFlag, d)
	if err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	dbRate, err := dbCommitRate(ctx, 64, d)
	if err != nil {
		return fmt.Errorf("database rate: %w", err)
	}
	fmt.Printf("| mutations/s, 64 WebSocket clients (limit: database layer, 64 goroutines) | %.0f | %.0f | %.2f | ≥ 0.50: %s |\n",
		hullRate, dbRate, hullRate/dbRate, verdict(hullRate/dbRate >= 0.5))

	hullLat, size, err := hullFanout(ctx, h.url, fanout, rounds)
	if err != nil {
		return fmt.Errorf("fan-out: %w", err)
	}
	bareLat, err := bareFanout(ctx, "http://"+b.addr, fanout, rounds, size)
	if err != nil {
		return fmt.Errorf("bare fan-out: %w", err)
	}
	for _, p := range []int{50, 99} {
		hv, bv := pct(hullLat, p), pct(bareLat, p)
		floor := ""
		if p == 99 {
			floor = "≤ 3x: " + verdict(float64(hv) <= 3*float64(bv))
		}
		fmt.Printf("| fan-out p%d: change → Transition at all %d subscribers (limit: bare broadcast of %d bytes) | %v | %v | %.2fx | %s |\n",
			p, fanout, size, hv.Round(time.Microsecond), bv.Round(time.Microsecond), float64(hv)/float64(bv), floor)
	}

	return nil
}

// printLatency prints the one-subscriber delivery latency rows.
func printLatency(ctx context.Context, url string) error {
	for _, lc := range latencyCases() {
		r, err := deliveryLatency(ctx, url, lc, latencyRounds)
		if err != nil {
			return fmt.Errorf("delivery latency: %w", err)
		}
		for _, p := range []float64{0.5, 0.99} {
			dv, mv := benchutil.Percentile(r.delivery, p), benchutil.Percentile(r.mutation, p)
			fmt.Printf("| delivery p%.0f, %s: mutation sent → 1 subscriber holds the change (limit: the same mutation answering its caller) | %v | %v | %.2fx | |\n",
				p*100, lc.name, benchutil.Round(dv), benchutil.Round(mv), float64(dv)/float64(mv))
		}
		if len(r.query) > 0 {
			fmt.Printf("| the %s query alone over HTTP, p50 (between the rounds above) | %v | | | |\n",
				lc.name, benchutil.Round(benchutil.Percentile(r.query, 0.5)))
		}
	}
	return nil
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, len(d)*p/100)]
}

// mutationRate runs single-document mutations from n WebSocket clients
// (each on its own document) for d and returns commits per second.
func mutationRate(ctx context.Context, url string, n int, d time.Duration) (float64, error) {
	clients := make([]*syncClient, n)
	for i := range clients {
		c, err := dialSync(ctx, url, fmt.Sprintf("tput-%d", i))
		if err != nil {
			return 0, err
		}
		defer c.close()
		if _, err := c.subscribe("counters:get", `{"name":"none"}`); err != nil {
			return 0, err
		}
		clients[i] = c
	}
	var done atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(d)
	var wg gosync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := fmt.Sprintf(`{"name":"t%d"}`, i)
			for id := uint32(0); time.Now().Before(deadline); id++ {
				if err := c.mutate(id, "counters:inc", args); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		}()
	}
	start := time.Now()
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return 0, err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

// hullFanout subscribes n sessions to one query, changes it rounds times
// and returns, for every subscriber and change, the time from the
// mutation being sent to that subscriber holding the new value.
func hullFanout(ctx context.Context, url string, n, rounds int) ([]time.Duration, int, error) {
	subs, err := dialMany(ctx, url, n, func(c *syncClient) error {
		_, err := c.subscribe("counters:get", `{"name":"fan"}`)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	defer closeAll(subs)
	writer, err := dialSync(ctx, url, "fan-writer")
	if err != nil {
		return nil, 0, err
	}
	defer writer.close()
	var size atomic.Int64
	lat, err := fan(subs, rounds, func(k int) error {
		return writer.mutate(uint32(k), "counters:inc", `{"name":"fan"}`)
	}, func(c *syncClient, k int) error {
		// Subscribers recognise the Transition carrying the new value by its
		// bytes, without decoding it, as the bare clients only read theirs:
		// the load client shares the machine, and decoding 1,000 messages
		// per change is client work, not delivery.
		transition := []byte(`{"type":"Transition"`)
		value := []byte(`"value":` + strconv.Itoa(k) + `,`)
		for {
			_, raw, err := c.conn.Read(c.ctx)
			if err != nil {
				return err
			}
			if bytes.HasPrefix(raw, transition) && bytes.Contains(raw, value) {
				size.Store(int64(len(raw)))
				return nil
			}
		}
	})
	return lat, int(size.Load()), err
}

// bareFanout is the limit of hullFanout: a broadcast of size bytes to n
// bare clients.
func bareFanout(ctx context.Context, url string, n, rounds, size int) ([]time.Duration, error) {
	subs, err := dialMany(ctx, url, n, nil)
	if err != nil {
		return nil, err
	}
	defer closeAll(subs)
	trigger, err := dialRaw(ctx, url)
	if err != nil {
		return nil, err
	}
	defer trigger.close()
	time.Sleep(200 * time.Millisecond) // every subscriber registered
	return fan(subs, rounds, func(int) error {
		return trigger.send(fmt.Sprintf("broadcast %d", size))
	}, func(c *syncClient, _ int) error {
		_, _, err := c.conn.Read(c.ctx)
		return err
	})
}

// fan runs rounds changes: each starts a clock, then waits for every
// subscriber's wait to return.
func fan(subs []*syncClient, rounds int, change func(k int) error, wait func(c *syncClient, k int) error) ([]time.Duration, error) {
	var out []time.Duration
	var mu gosync.Mutex
	for k := 1; k <= rounds; k++ {
		var wg gosync.WaitGroup
		var firstErr atomic.Value
		start := time.Now()
		for _, c := range subs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := wait(c, k); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				d := time.Since(start)
				mu.Lock()
				out = append(out, d)
				mu.Unlock()
			}()
		}
		if err := change(k); err != nil {
			return nil, err
		}
		wg.Wait()
		if err, ok := firstErr.Load().(error); ok {
			return nil, err
		}
	}
	return out, nil
}

func dialRaw(ctx context.Context, url string) (*syncClient, error) {
	u := "ws" + strings.TrimPrefix(url, "http") + "/"
	conn, err := websocketDial(ctx, u)
	if err != nil {
		return nil, err
	}
	return &syncClient{conn: conn, ctx: ctx}, nil
}

// dialMany opens n sessions (sync sessions when setup is set, bare
// connections otherwise), 64 at a time.
func dialMany(ctx context.Context, url string, n int, setup func(*syncClient) error) ([]*syncClient, error) {
	out := make([]*syncClient, n)
	sem := make(chan struct{}, 64)
	var wg gosync.WaitGroup
	var firstErr atomic.Value
	for i := range out {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var c *syncClient
			var err error
			if setup == nil {
				c, err = dialRaw(ctx, url)
			} else {
				c, err = dialSync(ctx, url, fmt.Sprintf("s-%d-%d", time.Now().UnixNano(), i))
				if err == nil {
					err = setup(c)
				}
			}
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
				return
			}
			out[i] = c
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		closeAll(out)
		return nil, err
	}
	return out, nil
}

func closeAll(cs []*syncClient) {
	for _, c := range cs {
		if c != nil {
			c.close()
		}
	}
}

// idleMemory opens n idle sessions against the process pid serves and
// returns its RSS growth per session.
func idleMemory(ctx context.Context, pid int, url string, n int, synced bool) (float64, error) {
	var setup func(*syncClient) error
	if synced {
		setup = func(c *syncClient) error {
			_, err := c.subscribe("counters:get", `{"name":"idle"}`)
			return err
		}
	}
	// A first batch, closed again, grows the process's pools the same way
	// on both sides before the measured batch.
	warm, err := dialMany(ctx, url, max(n/10, 100), setup)
	if err != nil {
		return 0, err
	}
	closeAll(warm)
	time.Sleep(time.Second)
	before, err := rssKiB(pid)
	if err != nil {
		return 0, err
	}
	cs, err := dialMany(ctx, url, n, setup)
	if err != nil {
		return 0, err
	}
	defer closeAll(cs)
	time.Sleep(3 * time.Second)
	after, err := rssKiB(pid)
	if err != nil {
		return 0, err
	}
	return float64(after-before) / float64(n), nil
}

func httpGet(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
