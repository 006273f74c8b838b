// Command matcher measures the read-set matcher on the commit path: for
// 10,000 registered subscriptions, the time to find the ones a commit of
// 10 written keys touches, at overlap rates of 0 %, 1 % and 10 %, beside
// the brute-force check of every read set measured in the same run; and
// the cost of registering and unregistering a read set.
//
//	go run ./bench/matcher [-subs 10000] [-n 4000]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"hull/bench/internal/benchutil"
	"hull/database/matcher"
	"hull/database/matcher/matchertest"
)

// floor is the most a commit may spend matching at 1 % overlap.
const floor = 50 * time.Microsecond

func main() {
	subs := flag.Int("subs", 10000, "registered read sets")
	n := flag.Int("n", 4000, "commits matched per row (the brute force runs n/8)")
	flag.Parse()
	if *subs < 1000 || *n < 80 {
		fmt.Fprintln(os.Stderr, "bench/matcher: need -subs >= 1000 and -n >= 80")
		os.Exit(2)
	}
	b := newBench(*subs, *n)
	fmt.Printf("%d read sets (%d intervals, %d tokens each), commits of 10 written keys, GOMAXPROCS %d\n\n",
		*subs, len(b.w.ReadSets[0].Intervals), len(b.w.ReadSets[0].Tokens), runtime.GOMAXPROCS(0))
	var results []result
	for _, overlap := range []float64{0, 0.01, 0.10} {
		results = append(results, b.commits(fmt.Sprintf("commit, %g%% overlap", overlap*100), overlap, 0, false))
	}
	results = append(results, b.commits("commit, 1% overlap, 20 re-registrations between", 0.01, 10, false))
	results = append(results, b.racing(0.01))
	results = append(results, b.register(), b.unregister())
	printTable(results)
	for _, r := range results {
		if r.floorRow {
			p50, p99 := benchutil.Percentile(r.matcher, 0.5), benchutil.Percentile(r.matcher, 0.99)
			verdict := "met"
			if p99 > floor {
				verdict = "p50 met, p99 not met"
			}
			if p50 > floor {
				verdict = "not met"
			}
			fmt.Printf("floor: %s ≤ %v per commit — %s (p50 %v, p99 %v)\n", r.name, floor, verdict, benchutil.Round(p50), benchutil.Round(p99))
		}
	}
}

// bench holds one matcher and the brute-force baseline over the same read
// sets.
type bench struct {
	w     *matchertest.Workload
	m     *matcher.Matcher
	naive []matcher.ReadSet // index = subscription id
	n     int
	r     *rand.Rand
}

func newBench(subs, n int) *bench {
	b := &bench{w: matchertest.New(subs, 1), m: matcher.New(), n: n, r: rand.New(rand.NewPCG(2, 3))}
	b.naive = slices.Clone(b.w.ReadSets)
	for i, rs := range b.w.ReadSets {
		b.m.Register(matcher.SubscriptionID(i), rs)
	}
	return b
}

// result is one row: the matcher's latencies beside the brute force's.
type result struct {
	name           string
	matcher, naive []time.Duration
	touched        float64 // mean fraction of read sets touched
	floorRow       bool
}

func (b *bench) bruteForce(keys []matcher.Key) []matcher.SubscriptionID {
	var out []matcher.SubscriptionID
	for i, rs := range b.naive {
		if rs.Touches(keys, nil) {
			out = append(out, matcher.SubscriptionID(i))
		}
	}
	return out
}

// commits times matching n commits at overlap; before each, churn read
// sets are unregistered and registered again (not timed). Every eighth
// commit is also matched by brute force, and the answers compared unless
// registrations are racing (a read set may then be briefly absent).
func (b *bench) commits(name string, overlap float64, churn int, racing bool) result {
	res := result{name: name, floorRow: overlap == 0.01 && churn == 0}
	var hits int
	buf := make([]matcher.SubscriptionID, 0, len(b.naive))
	for i := range b.n {
		keys := b.w.Commit(overlap)
		for range churn {
			id := b.r.IntN(len(b.naive))
			b.m.Unregister(matcher.SubscriptionID(id))
			b.m.Register(matcher.SubscriptionID(id), b.naive[id])
		}
		start := time.Now()
		buf = b.m.AppendMatches(buf[:0], keys, nil)
		elapsed := time.Since(start)
		if i >= b.n/10 {
			res.matcher = append(res.matcher, elapsed)
		}
		hits += len(buf)
		if i%8 != 0 {
			continue
		}
		start = time.Now()
		want := b.bruteForce(keys)
		elapsed = time.Since(start)
		if i >= b.n/10 {
			res.naive = append(res.naive, elapsed)
		}
		slices.Sort(buf)
		if !racing && !slices.Equal(buf, want) {
			fmt.Fprintf(os.Stderr, "bench/matcher: %s: matcher found %d read sets, brute force %d\n", name, len(buf), len(want))
			os.Exit(1)
		}
	}
	res.touched = float64(hits) / float64(b.n) / float64(len(b.naive))
	return res
}

// racing is commits at overlap while another goroutine re-registers read
// sets as fast as it can.
func (b *bench) racing(overlap float64) result {
	var stop atomic.Bool
	var wg sync.WaitGroup
	var ops atomic.Int64
	wg.Go(func() {
		r := rand.New(rand.NewPCG(5, 6))
		for !stop.Load() {
			id := r.IntN(len(b.naive))
			b.m.Unregister(matcher.SubscriptionID(id))
			b.m.Register(matcher.SubscriptionID(id), b.naive[id])
			ops.Add(1)
		}
	})
	res := b.commits("", overlap, 0, true)
	stop.Store(true)
	wg.Wait()
	res.floorRow = false
	res.name = fmt.Sprintf("commit, 1%% overlap, %d re-registrations racing", ops.Load())
	return res
}

// register times registering one read set into the full matcher, beside
// storing it in a map (all the brute force needs).
func (b *bench) register() result {
	res := result{name: "register one read set (4 intervals)"}
	plain := make(map[matcher.SubscriptionID]matcher.ReadSet, len(b.naive))
	for i, rs := range b.naive {
		plain[matcher.SubscriptionID(i)] = rs
	}
	for i := range b.n {
		id := matcher.SubscriptionID(b.r.IntN(len(b.naive)))
		rs := b.naive[id]
		b.m.Unregister(id)
		delete(plain, id)
		start := time.Now()
		b.m.Register(id, rs)
		elapsed := time.Since(start)
		start = time.Now()
		plain[id] = rs
		plainElapsed := time.Since(start)
		if i >= b.n/10 {
			res.matcher = append(res.matcher, elapsed)
			res.naive = append(res.naive, plainElapsed)
		}
	}
	return res
}

// unregister times unregistering one read set from the full matcher,
// beside deleting it from a map.
func (b *bench) unregister() result {
	res := result{name: "unregister one read set"}
	plain := make(map[matcher.SubscriptionID]matcher.ReadSet, len(b.naive))
	for i, rs := range b.naive {
		plain[matcher.SubscriptionID(i)] = rs
	}
	for i := range b.n {
		id := matcher.SubscriptionID(b.r.IntN(len(b.naive)))
		start := time.Now()
		b.m.Unregister(id)
		elapsed := time.Since(start)
		start = time.Now()
		delete(plain, id)
		plainElapsed := time.Since(start)
		b.m.Register(id, b.naive[id])
		plain[id] = b.naive[id]
		if i >= b.n/10 {
			res.matcher = append(res.matcher, elapsed)
			res.naive = append(res.naive, plainElapsed)
		}
	}
	return res
}

func printTable(results []result) {
	fmt.Printf("| %-52s | %8s | %11s | %10s | %11s | %10s | %7s |\n", "benchmark", "touched", "matcher p50", "naive p50", "matcher p99", "naive p99", "ratio")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|%s|\n", benchutil.Dashes(54), benchutil.Dashes(10), benchutil.Dashes(13), benchutil.Dashes(12), benchutil.Dashes(13), benchutil.Dashes(12), benchutil.Dashes(9))
	for _, r := range results {
		mp, np := benchutil.Percentile(r.matcher, 0.5), benchutil.Percentile(r.naive, 0.5)
		touched := ""
		if r.touched > 0 || r.name[:6] == "commit" {
			touched = fmt.Sprintf("%.2f%%", r.touched*100)
		}
		fmt.Printf("| %-52s | %8s | %11s | %10s | %11s | %10s | %6.3fx |\n", r.name, touched,
			benchutil.Round(mp), benchutil.Round(np), benchutil.Round(benchutil.Percentile(r.matcher, 0.99)), benchutil.Round(benchutil.Percentile(r.naive, 0.99)),
			float64(mp)/float64(np))
	}
	fmt.Println("\nnaive = every read set checked against every key (commits), a map insert/delete (registration);")
	fmt.Println("ratio = matcher p50 / naive p50; touched = mean fraction of read sets a commit touched")
}
