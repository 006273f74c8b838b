// Command storage measures hull's persistence.Store against the raw limit
// of the same database: point reads, 1,000-row index range reads (values
// decoded from JSON), and single-commit latency, each beside the simplest
// raw SQL doing the same work with the same durability settings.
//
//	go run ./bench/storage -backend sqlite [-dsn path]
//	go run -tags postgres ./bench/storage -backend postgres -dsn postgres://...
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	"hull/persistence"
	"hull/persistence/sqlite"
)

// target is one backend under measurement: the store and its raw limit.
type target struct {
	store persistence.Store
	raw   rawDB
	close func()
}

// rawDB is the raw-SQL limit: one table (id, key, value) with an index on
// key, in the same kind of database with the same durability settings.
type rawDB interface {
	load(ctx context.Context, rows []row) error
	get(ctx context.Context, id []byte) ([]byte, error)
	scan(ctx context.Context, start []byte, limit int) ([][]byte, error)
	commit(ctx context.Context, r row) error
	close()
}

type row struct {
	id, key, value []byte
}

// openers maps a backend name to how it opens; postgres.go adds itself
// when built with -tags postgres.
var openers = map[string]func(ctx context.Context, dsn string) (target, error){
	"sqlite": openSQLite,
}

func main() {
	backend := flag.String("backend", "sqlite", "sqlite or postgres")
	dsn := flag.String("dsn", "", "sqlite: database file (default: a temp dir); postgres: connection URL")
	docs := flag.Int("docs", 5000, "documents loaded before measuring")
	n := flag.Int("n", 2000, "iterations of each point operation (range reads and commits run n/10)")
	flag.Parse()
	if err := run(context.Background(), *backend, *dsn, *docs, *n); err != nil {
		fmt.Fprintln(os.Stderr, "bench/storage:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, backend, dsn string, docs, n int) error {
	open, ok := openers[backend]
	if !ok {
		return fmt.Errorf("backend %q not built in (postgres needs -tags postgres)", backend)
	}
	t, err := open(ctx, dsn)
	if err != nil {
		return err
	}
	defer t.close()
	w, err := load(ctx, t, docs)
	if err != nil {
		return err
	}
	results, err := measure(ctx, t, w, n)
	if err != nil {
		return err
	}
	fmt.Printf("backend %s, %d documents, values ~%d bytes\n\n", backend, docs, len(w.rows[0].value))
	printTable(results)
	return nil
}

func openSQLite(ctx context.Context, path string) (target, error) {
	cleanup := func() {}
	if path == "" {
		dir, err := os.MkdirTemp("", "hull-bench-storage-")
		if err != nil {
			return target{}, err
		}
		path = filepath.Join(dir, "hull.db")
		cleanup = func() { os.RemoveAll(dir) }
	}
	s, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		cleanup()
		return target{}, err
	}
	raw, err := openRawSQLite(ctx, path+".raw")
	if err != nil {
		s.Close()
		cleanup()
		return target{}, err
	}
	return target{store: s, raw: raw, close: func() { raw.close(); s.Close(); cleanup() }}, nil
}

// result is one benchmark: hull's latencies beside the raw limit's.
type result struct {
	name      string
	hull, raw []time.Duration
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(p*float64(len(s)-1))]
}

func printTable(results []result) {
	fmt.Printf("| %-38s | %10s | %10s | %10s | %10s | %7s |\n", "benchmark", "hull p50", "raw p50", "hull p99", "raw p99", "ratio")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|\n", dashes(40), dashes(12), dashes(12), dashes(12), dashes(12), dashes(9))
	for _, r := range results {
		hp, rp := percentile(r.hull, 0.5), percentile(r.raw, 0.5)
		fmt.Printf("| %-38s | %10s | %10s | %10s | %10s | %6.2fx |\n", r.name,
			round(hp), round(rp), round(percentile(r.hull, 0.99)), round(percentile(r.raw, 0.99)),
			float64(hp)/float64(rp))
	}
	fmt.Println("\nratio = hull p50 / raw p50 (1.00x is the raw limit)")
}

func dashes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '-'
	}
	return string(b)
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d > 10*time.Microsecond:
		return d.Round(100 * time.Nanosecond)
	default:
		return d
	}
}
