// Command gc measures what retention GC gives back. It writes, through
// package database, 100,000 patches of one document and 50,000
// insert/delete pairs, waits one (shortened) retention window, runs one
// retention pass and prints the database size after the workload, after
// GC, and for the same live data written into a fresh database (the
// limit), with the ratio of the size after GC to the limit; and the
// latency of one client's commits while GC runs beside the same client's
// just before (the limit).
//
//	go run ./bench/gc -backend sqlite
//	go run ./bench/gc -backend postgres -dsn "$HULL_TEST_POSTGRES_URL"
//
// SQLite hands freed pages back to the file system (incremental vacuum);
// on PostgreSQL a pass ends with compaction (mostly dead log generations
// dropped, bloated indexes rebuilt) and leaves the rest to autovacuum,
// which this program runs at once (VACUUM) instead of waiting for it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"hull/bench/internal/benchutil"
	"hull/database"
	"hull/persistence"
	"hull/value"
)

// target is one fresh database of the backend under test.
type target struct {
	store persistence.Store
	// size is the database's size on disk, in bytes.
	size func(ctx context.Context) (int64, error)
	// settle does what the backend leaves to the background after GC
	// (PostgreSQL: VACUUM, as autovacuum would).
	settle func(ctx context.Context) error
	// detail, when set, prints where the space is.
	detail func(ctx context.Context)
	close  func()
}

func main() {
	backend := flag.String("backend", "sqlite", "sqlite or postgres")
	dsn := flag.String("dsn", "", "postgres: server URL (fresh databases are created and dropped)")
	patches := flag.Int("patches", 100_000, "patches of the one long-lived document")
	pairs := flag.Int("pairs", 50_000, "documents inserted and deleted again")
	window := flag.Duration("retention", time.Second, "retention window (shortened)")
	workers := flag.Int("workers", 16, "concurrent clients writing the insert/delete pairs")
	again := flag.Bool("again", false, "run the workload and GC a second time on the same database (space reused?)")
	reindex := flag.Bool("reindex", false, "postgres: also REINDEX CONCURRENTLY hull's tables after VACUUM")
	flag.Parse()
	o := options{backend: *backend, dsn: *dsn, patches: *patches, pairs: *pairs, workers: *workers, window: *window, again: *again, reindex: *reindex}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench/gc:", err)
		os.Exit(1)
	}
}

func open(ctx context.Context, backend, dsn string, reindex bool) (target, error) {
	switch backend {
	case "sqlite":
		return openSQLite(ctx)
	case "postgres":
		return openPostgres(ctx, dsn, reindex)
	}
	return target{}, fmt.Errorf("unknown backend %q", backend)
}

func openDB(ctx context.Context, st persistence.Store) (*database.DB, error) {
	lease, err := st.Acquire(ctx, "bench/gc")
	if err != nil {
		return nil, err
	}
	return database.Open(ctx, st, lease, database.Options{})
}

func run(ctx context.Context, o options) error {
	t, err := open(ctx, o.backend, o.dsn, o.reindex)
	if err != nil {
		return err
	}
	defer t.close()
	db, err := openDB(ctx, t.store)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	id, err := workload(ctx, db, o.patches, o.pairs, o.workers)
	if err != nil {
		return fmt.Errorf("workload: %w", err)
	}
	wrote := time.Since(start)
	if err := t.settle(ctx); err != nil {
		return err
	}
	before, err := t.size(ctx)
	if err != nil {
		return err
	}
	idle, err := commitLatencies(ctx, db, id, nil, 2*time.Second)
	if err != nil {
		return fmt.Errorf("commits before gc: %w", err)
	}
	r, err := gcRound(ctx, t, db, id, o.window)
	if err != nil {
		return err
	}
	live, err := liveValue(ctx, db, id)
	if err != nil {
		return err
	}
	limit, err := freshSize(ctx, o.backend, o.dsn, o.reindex, live)
	if err != nil {
		return fmt.Errorf("fresh import: %w", err)
	}
	rows := []sizeRow{{"after the workload", before}, {"after one retention window and GC", r.size}}
	if o.again {
		if _, err := workload(ctx, db, o.patches, o.pairs, o.workers); err != nil {
			return fmt.Errorf("workload again: %w", err)
		}
		again, err := gcRound(ctx, t, db, id, o.window)
		if err != nil {
			return err
		}
		rows = append(rows, sizeRow{"the workload again, window and GC", again.size})
	}
	rows = append(rows, sizeRow{"the live data freshly imported (limit)", limit})
	fmt.Printf("%s: %d patches of one document + %d insert/delete pairs written in %s; GC removed %d document revisions and %d index entries in %s\n\n",
		o.backend, o.patches, o.pairs, wrote.Round(time.Second), r.stats.DocumentRevisions, r.stats.IndexEntries, r.took.Round(time.Millisecond))
	printSizes(rows, limit)
	printLatencies(idle, r.during)
	if t.detail != nil {
		t.detail(ctx)
	}
	return nil
}

type options struct {
	backend, dsn            string
	patches, pairs, workers int
	window                  time.Duration
	again, reindex          bool
}

type sizeRow struct {
	name string
	n    int64
}

// round is what one retention round measured.
type round struct {
	stats  persistence.GCStats
	took   time.Duration
	during []time.Duration
	size   int64
}

// gcRound waits one window, runs a retention pass while one client keeps
// committing, runs the next pass one window later (as the loop would:
// the client's commits were inside the window) and measures the size.
func gcRound(ctx context.Context, t target, db *database.DB, id value.ID, window time.Duration) (round, error) {
	var r round
	time.Sleep(window)
	start := time.Now()
	var gcErr error
	gcDone := make(chan struct{})
	go func() {
		defer close(gcDone)
		r.stats, gcErr = db.GC(ctx, window)
	}()
	during, err := commitLatencies(ctx, db, id, gcDone, 0)
	<-gcDone
	if err != nil {
		return r, fmt.Errorf("commits during gc: %w", err)
	}
	if gcErr != nil {
		return r, fmt.Errorf("gc: %w", gcErr)
	}
	r.took, r.during = time.Since(start), during
	time.Sleep(window)
	if _, err := db.GC(ctx, window); err != nil {
		return r, fmt.Errorf("second gc: %w", err)
	}
	if err := t.settle(ctx); err != nil {
		return r, err
	}
	r.size, err = t.size(ctx)
	return r, err
}

func printSizes(rows []sizeRow, limit int64) {
	fmt.Printf("| %-38s | %12s | %12s |\n", "database size", "bytes", "× fresh")
	fmt.Printf("|%s|%s|%s|\n", strings.Repeat("-", 40), strings.Repeat("-", 14), strings.Repeat("-", 14))
	for _, row := range rows {
		fmt.Printf("| %-38s | %12s | %11.2fx |\n", row.name, mb(row.n), float64(row.n)/float64(limit))
	}
}

func printLatencies(idle, during []time.Duration) {
	fmt.Printf("\n| %-38s | %8s | %10s | %10s | %10s |\n", "one client's commits (1 patch each)", "commits", "p50", "p99", "max")
	fmt.Printf("|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 40), strings.Repeat("-", 10), strings.Repeat("-", 12), strings.Repeat("-", 12), strings.Repeat("-", 12))
	for _, row := range []struct {
		name string
		d    []time.Duration
	}{{"for 2 s before GC (limit)", idle}, {"while GC runs", during}} {
		fmt.Printf("| %-38s | %8d | %10s | %10s | %10s |\n", row.name, len(row.d),
			benchutil.Round(benchutil.Percentile(row.d, 0.5)), benchutil.Round(benchutil.Percentile(row.d, 0.99)), benchutil.Round(benchutil.Percentile(row.d, 1)))
	}
	fmt.Printf("\nratio while GC runs / before: p50 %.2fx, p99 %.2fx\n",
		ratio(benchutil.Percentile(during, 0.5), benchutil.Percentile(idle, 0.5)),
		ratio(benchutil.Percentile(during, 0.99), benchutil.Percentile(idle, 0.99)))
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(max(b, 1)) }

// commitLatencies patches the live document, one commit after the other,
// until stop is closed (or, with a nil stop, for d), and returns each
// commit's latency.
func commitLatencies(ctx context.Context, db *database.DB, id value.ID, stop <-chan struct{}, d time.Duration) ([]time.Duration, error) {
	var out []time.Duration
	end := time.Now().Add(d)
	for i := 1; ; i++ {
		if stop == nil && time.Now().After(end) {
			return out, nil
		}
		select {
		case <-stop:
			return out, nil
		default:
		}
		start := time.Now()
		if err := mutate(ctx, db, func(tx *database.Tx) error {
			_, err := tx.Patch(ctx, id, []value.Field{{Name: "probe", Value: value.Float64(float64(i))}})
			return err
		}); err != nil {
			return out, err
		}
		out = append(out, time.Since(start))
	}
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

// body pads documents to about 200 bytes of JSON.
func body() value.String { return value.String(strings.Repeat("lorem ipsum ", 15)) }

// workload writes the patches (one after the other: they all touch one
// document) and then the insert/delete pairs from several clients; it
// returns the id of the long-lived document.
func workload(ctx context.Context, db *database.DB, patches, pairs, workers int) (value.ID, error) {
	var id value.ID
	err := mutate(ctx, db, func(tx *database.Tx) (err error) {
		id, err = tx.Insert(ctx, "docs", value.MustObject(value.Field{Name: "n", Value: value.Float64(0)}, value.Field{Name: "body", Value: body()}))
		return err
	})
	if err != nil {
		return id, err
	}
	for i := 1; i <= patches; i++ {
		if err := mutate(ctx, db, func(tx *database.Tx) error {
			_, err := tx.Patch(ctx, id, []value.Field{{Name: "n", Value: value.Float64(float64(i))}})
			return err
		}); err != nil {
			return id, err
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < pairs; i += workers {
				var tmp value.ID
				if err := mutate(ctx, db, func(tx *database.Tx) (err error) {
					tmp, err = tx.Insert(ctx, "scratch", value.MustObject(value.Field{Name: "i", Value: value.Float64(float64(i))}, value.Field{Name: "body", Value: body()}))
					return err
				}); err != nil {
					errs <- err
					return
				}
				if err := mutate(ctx, db, func(tx *database.Tx) error {
					_, err := tx.Delete(ctx, tmp)
					return err
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return id, <-errs
}

// mutate runs fn in a mutation, retried on conflicts.
func mutate(ctx context.Context, db *database.DB, fn func(tx *database.Tx) error) error {
	return db.Retry(ctx, func(ctx context.Context) error {
		tx, err := db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := fn(tx); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
}

func liveValue(ctx context.Context, db *database.DB, id value.ID) (value.Object, error) {
	tx, err := db.BeginRead(ctx, 0)
	if err != nil {
		return value.Object{}, err
	}
	defer tx.Rollback()
	doc, ok, err := tx.Get(ctx, id)
	if err == nil && !ok {
		err = fmt.Errorf("document %s is gone", id)
	}
	return doc, err
}

// freshSize writes the live data (the one document, with the scratch
// table existing but empty) into a fresh database and returns its size.
func freshSize(ctx context.Context, backend, dsn string, reindex bool, live value.Object) (int64, error) {
	t, err := open(ctx, backend, dsn, reindex)
	if err != nil {
		return 0, err
	}
	defer t.close()
	db, err := openDB(ctx, t.store)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var fields []value.Field
	for _, f := range live.Fields() {
		if !strings.HasPrefix(f.Name, "_") {
			fields = append(fields, f)
		}
	}
	if err := mutate(ctx, db, func(tx *database.Tx) error {
		if _, err := tx.Insert(ctx, "docs", value.MustObject(fields...)); err != nil {
			return err
		}
		tmp, err := tx.Insert(ctx, "scratch", value.MustObject())
		if err != nil {
			return err
		}
		_, err = tx.Delete(ctx, tmp)
		return err
	}); err != nil {
		return 0, err
	}
	if err := t.settle(ctx); err != nil {
		return 0, err
	}
	return t.size(ctx)
}
