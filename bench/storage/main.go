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
	"time"

	"hull/bench/internal/benchutil"
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

func printTable(results []result) {
	fmt.Printf("| %-38s | %10s | %10s | %10s | %10s | %7s |\n", "benchmark", "hull p50", "raw p50", "hull p99", "raw p99", "ratio")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|\n", benchutil.Dashes(40), benchutil.Dashes(12), benchutil.Dashes(12), benchutil.Dashes(12), benchutil.Dashes(12), benchutil.Dashes(9))
	for _, r := range results {
		hp, rp := benchutil.Percentile(r.hull, 0.5), benchutil.Percentile(r.raw, 0.5)
		fmt.Printf("| %-38s | %10s | %10s | %10s | %10s | %6.2fx |\n", r.name,
			benchutil.Round(hp), benchutil.Round(rp), benchutil.Round(benchutil.Percentile(r.hull, 0.99)), benchutil.Round(benchutil.Percentile(r.raw, 0.99)),
			float64(hp)/float64(rp))
	}
	fmt.Println("\nratio = hull p50 / raw p50 (1.00x is the raw limit)")
}
