// Command commit measures mutation commits per second through package
// database (Begin, one single-document write, Commit) with 1, 16 and 64
// concurrent clients, beside the raw single-row transaction rate of the
// same database measured in the same run: SQLite, a one-row upsert per
// transaction in a file with the same settings (WAL, synchronous=FULL);
// PostgreSQL, a one-row upsert per transaction from 16 connections.
//
//	go run ./bench/commit -backend sqlite
//	go run ./bench/commit -backend postgres -dsn "$HULL_TEST_POSTGRES_URL"
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hull/bench/internal/benchutil"
	"hull/database"
	"hull/persistence"
	"hull/value"
)

func main() {
	backend := flag.String("backend", "sqlite", "sqlite or postgres")
	dsn := flag.String("dsn", "", "postgres: server URL (a fresh database is created and dropped)")
	dur := flag.Duration("d", 3*time.Second, "how long each cell runs")
	clients := flag.String("clients", "1,16,64", "concurrent clients per row")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/commit:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var counts []int
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "bench/commit: bad -clients")
			os.Exit(2)
		}
		counts = append(counts, n)
	}
	if err := run(context.Background(), *backend, *dsn, *dur, counts); err != nil {
		fmt.Fprintln(os.Stderr, "bench/commit:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// target is one backend: its store and its raw limit.
type target struct {
	store persistence.Store
	raw   rawDB
	// rawConns is how many connections the raw limit writes from.
	rawConns int
	close    func()
}

// rawDB runs single-row write transactions.
type rawDB interface {
	// commit upserts one row (id) in its own transaction.
	commit(ctx context.Context, conn, id int) error
	close()
}

func run(ctx context.Context, backend, dsn string, d time.Duration, counts []int) error {
	var (
		t   target
		err error
	)
	switch backend {
	case "sqlite":
		t, err = openSQLite(ctx)
	case "postgres":
		t, err = openPostgres(ctx, dsn)
	default:
		err = fmt.Errorf("unknown backend %q", backend)
	}
	if err != nil {
		return err
	}
	defer t.close()
	lease, err := t.store.Acquire(ctx, "bench")
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, t.store, lease, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	maxClients := 0
	for _, c := range counts {
		maxClients = max(maxClients, c)
	}
	ids, err := seed(ctx, db, max(maxClients, accounts))
	if err != nil {
		return err
	}
	fmt.Printf("backend %s, %s per cell; raw limit: one-row upsert transactions from %d connection(s), measured just before each hull cell\n\n", backend, d, t.rawConns)
	fmt.Printf("| %-32s | %7s | %12s | %12s | %6s | %10s | %9s | %10s |\n", "mutation", "clients", "commits/s", "raw/s", "ratio", "avg group", "conflicts", "serialized")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|%s|%s|\n", benchutil.Dashes(34), benchutil.Dashes(9), benchutil.Dashes(14), benchutil.Dashes(14), benchutil.Dashes(8), benchutil.Dashes(12), benchutil.Dashes(11), benchutil.Dashes(12))
	for _, w := range workloads(ids) {
		for _, c := range counts {
			raw := rate(ctx, t.rawConns, d, func(ctx context.Context, conn, i int) error { return t.raw.commit(ctx, conn, i) })
			if raw.err != nil {
				return fmt.Errorf("raw: %w", raw.err)
			}
			before := db.Stats()
			r := rate(ctx, c, d, func(ctx context.Context, client, i int) error { return w.run(ctx, db, client, i) })
			if r.err != nil {
				return fmt.Errorf("%s with %d clients: %w", w.name, c, r.err)
			}
			after := db.Stats()
			groups := after.Groups - before.Groups
			avg := 0.0
			if groups > 0 {
				avg = float64(after.Commits-before.Commits) / float64(groups)
			}
			fmt.Printf("| %-32s | %7d | %12.0f | %12.0f | %5.2fx | %10.1f | %9d | %10d |\n",
				w.name, c, r.perSec, raw.perSec, r.perSec/raw.perSec, avg, after.Conflicts-before.Conflicts, after.Serialized-before.Serialized)
		}
	}
	fmt.Println("\nratio = hull commits/s / raw single-row transactions/s (same database, same run); a failed mutation stops the run")
	return nil
}

// workload is one kind of mutation.
type workload struct {
	name string
	run  func(ctx context.Context, db *database.DB, client, i int) error
}

func workloads(ids []value.ID) []workload {
	return []workload{
		{"insert one document", func(ctx context.Context, db *database.DB, client, i int) error {
			tx, err := db.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			doc := value.MustObject(value.Field{Name: "client", Value: value.Float64(client)}, value.Field{Name: "i", Value: value.Float64(i)})
			if _, err := tx.Insert(ctx, "events", doc); err != nil {
				return err
			}
			_, err = tx.Commit(ctx)
			return err
		}},
		{"patch own document", func(ctx context.Context, db *database.DB, client, i int) error {
			tx, err := db.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if _, err := tx.Patch(ctx, ids[client], []value.Field{{Name: "n", Value: value.Float64(i)}}); err != nil {
				return err
			}
			_, err = tx.Commit(ctx)
			return err
		}},
		// Every client moves 1 between two of ten shared documents: most
		// mutations conflict, are run again, and are serialized after a
		// few conflicts (the retry policy's defaults); none may fail.
		{"transfer between 10 accounts", func(ctx context.Context, db *database.DB, client, i int) error {
			from := (client*7 + i) % accounts
			to := (from + 1 + i%(accounts-1)) % accounts
			return db.Retry(ctx, func(ctx context.Context) error { return transfer(ctx, db, ids[from], ids[to]) })
		}},
	}
}

// accounts is how many documents the transfer workload shares.
const accounts = 10

// transfer moves 1 from one counter document to another.
func transfer(ctx context.Context, db *database.DB, from, to value.ID) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, m := range []struct {
		id value.ID
		by float64
	}{{from, -1}, {to, 1}} {
		doc, _, err := tx.Get(ctx, m.id)
		if err != nil {
			return err
		}
		n, _ := doc.Get("n")
		f, _ := n.(value.Float64)
		if _, err := tx.Patch(ctx, m.id, []value.Field{{Name: "n", Value: value.Float64(float64(f) + m.by)}}); err != nil {
			return err
		}
	}
	_, err = tx.Commit(ctx)
	return err
}

// seed creates one counter document per client and the events table.
func seed(ctx context.Context, db *database.DB, n int) ([]value.ID, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ids := make([]value.ID, n)
	for i := range ids {
		if ids[i], err = tx.Insert(ctx, "counters", value.MustObject(value.Field{Name: "n", Value: value.Float64(0)})); err != nil {
			return nil, err
		}
	}
	if _, err := tx.Insert(ctx, "events", value.MustObject()); err != nil {
		return nil, err
	}
	if _, err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return ids, nil
}

type rateResult struct {
	perSec float64
	err    error
}

// rate runs op from n goroutines for d (after a tenth of d of warm-up)
// and returns operations per second.
func rate(ctx context.Context, n int, d time.Duration, op func(ctx context.Context, worker, i int) error) rateResult {
	var (
		done     atomic.Int64
		counting atomic.Bool
		stop     atomic.Bool
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				if err := op(ctx, w, i); err != nil {
					errOnce.Do(func() { firstErr = err })
					stop.Store(true)
					return
				}
				if counting.Load() {
					done.Add(1)
				}
			}
		}()
	}
	time.Sleep(d / 10)
	counting.Store(true)
	start := time.Now()
	time.Sleep(d)
	counting.Store(false)
	elapsed := time.Since(start)
	stop.Store(true)
	wg.Wait()
	return rateResult{perSec: float64(done.Load()) / elapsed.Seconds(), err: firstErr}
}
