// Command remote measures what a mutation costs when PostgreSQL is far
// away: it puts a TCP proxy on 127.0.0.1 in front of the server that
// delays every forwarded chunk (default 5 ms each way, so about 10 ms a
// round trip) and counts round trips, then runs mutations through package
// database (Begin, 10 point reads, a patch of one of them, Commit) with
// the document cache off (cold) and on and warmed (warm), the reads
// awaited one by one (sequential) or issued together (batched, Tx.GetMany,
// what Promise.all of ctx.db.get becomes). Beside them it measures the
// same-run limit: one round trip through the proxy (a SELECT 1).
//
//	go run ./bench/remote -dsn "$HULL_TEST_POSTGRES_URL"
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"hull/database"
	"hull/persistence"
	"hull/persistence/postgres"
	"hull/value"
)

func main() {
	dsn := flag.String("dsn", os.Getenv("HULL_TEST_POSTGRES_URL"), "PostgreSQL server URL (a fresh database is created and dropped)")
	delay := flag.Duration("delay", 5*time.Millisecond, "delay added to every forwarded chunk, each way")
	n := flag.Int("n", 40, "mutations per cell")
	flag.Parse()
	if err := run(context.Background(), *dsn, *delay, *n); err != nil {
		fmt.Fprintln(os.Stderr, "bench/remote:", err)
		os.Exit(1)
	}
}

const reads = 10

func run(ctx context.Context, dsn string, delay time.Duration, n int) error {
	if dsn == "" {
		return fmt.Errorf("needs -dsn or HULL_TEST_POSTGRES_URL (see scripts/pg-test-server.sh)")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	px, err := startProxy(u.Host, delay)
	if err != nil {
		return err
	}
	defer px.close()
	via := *u
	via.Host = px.addr()
	via.Path = ""
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "hull_bench_remote_" + hex.EncodeToString(b[:])
	defer dropDB(dsn, name)
	store, err := postgres.Open(ctx, postgres.Config{URL: via.String(), InstanceName: name, MaxConns: 4, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer store.Close()
	lease, err := store.Acquire(ctx, "bench")
	if err != nil {
		return err
	}
	ids, err := seed(ctx, store, lease)
	if err != nil {
		return err
	}
	rt, err := roundTrip(ctx, via, name, px)
	if err != nil {
		return err
	}
	fmt.Printf("PostgreSQL behind a proxy adding %v per chunk each way; %d mutations per cell, each: Begin, %d gets, 1 patch, Commit\n", delay, n, reads)
	fmt.Printf("limit: one round trip (SELECT 1) = %.2f ms\n\n", ms(rt))
	fmt.Printf("%-6s %-11s %14s %14s %12s\n", "cache", "gets", "trips/mutation", "ms/mutation", "round trips")
	for _, cell := range []struct {
		cache   string
		batched bool
	}{{"cold", false}, {"cold", true}, {"warm", false}, {"warm", true}} {
		trips, per, err := measure(ctx, store, lease, px, ids, n, cell.cache == "warm", cell.batched)
		if err != nil {
			return err
		}
		mode := "sequential"
		if cell.batched {
			mode = "batched"
		}
		fmt.Printf("%-6s %-11s %14.2f %14.2f %12.2f\n", cell.cache, mode, trips, ms(per), float64(per)/float64(rt))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// seed creates 100 documents and returns their ids.
func seed(ctx context.Context, store persistence.Store, lease persistence.Lease) ([]value.ID, error) {
	db, err := database.Open(ctx, store, lease, database.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tx, err := db.Begin(ctx)
	if err != nil {
		return nil, err
	}
	var ids []value.ID
	for i := range 100 {
		id, err := tx.Insert(ctx, "items", value.MustObject(value.Field{Name: "n", Value: value.Float64(float64(i))}))
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if _, err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return ids, nil
}

// measure runs n mutations on a database opened for the cell and
// returns the round trips and the time per mutation.
func measure(ctx context.Context, store persistence.Store, lease persistence.Lease, px *proxy, ids []value.ID, n int, warm, batched bool) (float64, time.Duration, error) {
	opts := database.Options{Logger: slog.New(slog.DiscardHandler), DocCacheBytes: -1}
	if warm {
		opts.DocCacheBytes = 0 // the default size
	}
	db, err := database.Open(ctx, store, lease, opts)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	if warm {
		for i := range 2 { // the first pass fills the cache, the second checks it
			if err := mutation(ctx, db, ids, i, true); err != nil {
				return 0, 0, err
			}
		}
		for off := 0; off < len(ids); off += reads {
			if err := mutation(ctx, db, ids, off/reads, true); err != nil {
				return 0, 0, err
			}
		}
	}
	trips := px.trips.Load()
	start := time.Now()
	for i := range n {
		if err := mutation(ctx, db, ids, i, batched); err != nil {
			return 0, 0, err
		}
	}
	elapsed := time.Since(start)
	return float64(px.trips.Load()-trips) / float64(n), elapsed / time.Duration(n), nil
}

// mutation reads 10 documents (window i of ids), patches the first and
// commits.
func mutation(ctx context.Context, db *database.DB, ids []value.ID, i int, batched bool) error {
	return db.Retry(ctx, func(ctx context.Context) error {
		tx, err := db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		window := make([]value.ID, reads)
		for j := range window {
			window[j] = ids[(i*reads+j)%len(ids)]
		}
		var first value.Object
		if batched {
			docs, _, err := tx.GetMany(ctx, window)
			if err != nil {
				return err
			}
			first = docs[0]
		} else {
			for j, id := range window {
				doc, _, err := tx.Get(ctx, id)
				if err != nil {
					return err
				}
				if j == 0 {
					first = doc
				}
			}
		}
		v, _ := first.Get("n")
		if _, err := tx.Patch(ctx, window[0], []value.Field{{Name: "n", Value: value.Float64(float64(v.(value.Float64)) + 1)}}); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
}

// roundTrip times a SELECT 1 through the proxy on its own connection.
func roundTrip(ctx context.Context, via url.URL, name string, px *proxy) (time.Duration, error) {
	via.Path = "/" + name
	conn, err := pgx.Connect(ctx, via.String())
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	const k = 20
	start := time.Now()
	for range k {
		var one int
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			return 0, err
		}
	}
	return time.Since(start) / k, nil
}

func dropDB(dsn, name string) {
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}
