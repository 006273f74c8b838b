// Command snapshot measures snapshot export and import throughput: a
// table of -docs documents (~200 bytes each) is filled through package
// database, exported with App.WriteSnapshot to a ZIP file and imported
// with App.Import into a fresh deployment, beside a raw copy of the same
// rows on the same database in the same run: SQLite, the store's rows
// read with database/sql into a file and loaded from it with prepared
// inserts, 10,000 per transaction; PostgreSQL, COPY TO a file and COPY
// FROM it into a table shaped like the store's. It also reports how far
// the resident set grows while each side runs.
//
//	go run ./bench/snapshot -backend sqlite
//	go run ./bench/snapshot -backend postgres -dsn "$HULL_TEST_POSTGRES_URL"
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"hull/app"
	"hull/bench/internal/benchutil"
	"hull/snapshot"
)

func main() {
	backend := flag.String("backend", "sqlite", "sqlite or postgres")
	dsn := flag.String("dsn", "", "postgres: server URL (fresh databases are created and dropped)")
	docs := flag.Int("docs", 200_000, "documents in the table")
	pad := flag.Int("pad", 0, "add a text field of this many random letters to every document (to size a snapshot in bytes)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the export and import to this file")
	memProfile := flag.String("memprofile", "", "write a heap profile (allocations of the whole run, in use as the import ends) to this file")
	flag.Parse()
	profile, heapProfile = *cpuProfile, *memProfile
	if err := run(context.Background(), *backend, *dsn, *docs, *pad); err != nil {
		fmt.Fprintln(os.Stderr, "bench/snapshot:", err)
		os.Exit(1)
	}
}

// profile is the -cpuprofile file: the profile spans hull's export and
// import (the raw sides run before and after).
var profile string

// heapProfile is the -memprofile file, written as hull's import ends.
var heapProfile string

// result is one side of one row of the table.
type result struct {
	docs  int64
	bytes int64
	d     time.Duration
	// cpu is the process's user+system CPU time while the side ran.
	cpu time.Duration
	rss int64
}

func (r result) docsPerSec() float64 { return float64(r.docs) / r.d.Seconds() }
func (r result) mbPerSec() float64   { return float64(r.bytes) / 1e6 / r.d.Seconds() }

func run(ctx context.Context, backend, dsn string, n, pad int) error {
	dir, err := os.MkdirTemp("", "hull-bench-snapshot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var open opener
	switch backend {
	case "sqlite":
		open = sqliteOpener(dir)
	case "postgres":
		if open, err = postgresOpener(dsn); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown backend %q", backend)
	}
	src, err := open(ctx, "source")
	if err != nil {
		return err
	}
	defer src.close()
	start := time.Now()
	tbl, err := fill(ctx, src.db, n, pad)
	if err != nil {
		return err
	}
	fillTime := time.Since(start)

	var raw rawCopy
	if backend == "sqlite" {
		raw, err = openRawSQLite(src.sqlitePath, dir)
	} else {
		raw, err = openRawPostgres(ctx, src.dbURL)
	}
	if err != nil {
		return err
	}
	defer raw.close()

	rawPath := filepath.Join(dir, "raw-rows")
	rawOut, err := measure(func() (int64, error) { return raw.export(ctx, tbl, rawPath) }, rawPath)
	if err != nil {
		return err
	}
	zipPath := filepath.Join(dir, "snapshot.zip")
	if profile != "" {
		f, err := os.Create(profile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
	}
	var stats app.SnapshotStats
	hullOut, err := measure(func() (int64, error) {
		var err error
		stats, err = writeSnapshot(ctx, src.app, zipPath)
		return stats.Documents, err
	}, zipPath)
	if err != nil {
		return err
	}

	dst, err := open(ctx, "import")
	if err != nil {
		return err
	}
	defer dst.close()
	hullIn, err := measure(func() (int64, error) { return importSnapshot(ctx, dst.app, zipPath) }, zipPath)
	if profile != "" {
		pprof.StopCPUProfile()
	}
	if heapProfile != "" {
		if perr := writeHeapProfile(heapProfile); perr != nil {
			return perr
		}
	}
	if err != nil {
		return err
	}
	rawIn, err := measure(func() (int64, error) { return raw.load(ctx, rawPath) }, rawPath)
	if err != nil {
		return err
	}
	for _, r := range []result{rawOut, hullOut, hullIn, rawIn} {
		if r.docs != int64(n) {
			return fmt.Errorf("a side copied %d documents, not %d: %w", r.docs, n, errShort)
		}
	}

	fmt.Printf("backend %s, %d documents (%.0f bytes of JSON each on average), filled in %s (%.0f docs/s)\n",
		backend, n, float64(stats.DocumentBytes)/float64(stats.Documents), fillTime.Round(time.Millisecond), float64(n)/fillTime.Seconds())
	fmt.Printf("snapshot ZIP %.1f MB (%.1f MB of JSON lines inside), raw rows file %.1f MB\n\n",
		float64(hullOut.bytes)/1e6, float64(stats.DocumentBytes)/1e6, float64(rawOut.bytes)/1e6)
	fmt.Printf("| %-7s | %9s | %11s | %9s | %9s | %11s | %9s | %6s | %10s | %10s |\n",
		"", "hull time", "hull docs/s", "hull MB/s", "raw time", "raw docs/s", "raw MB/s", "ratio", "hull RSS", "raw RSS")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", benchutil.Dashes(9), benchutil.Dashes(11), benchutil.Dashes(13), benchutil.Dashes(11),
		benchutil.Dashes(11), benchutil.Dashes(13), benchutil.Dashes(11), benchutil.Dashes(8), benchutil.Dashes(12), benchutil.Dashes(12))
	row := func(name string, h, r result) {
		fmt.Printf("| %-7s | %9s | %11.0f | %9.1f | %9s | %11.0f | %9.1f | %5.2fx | %10s | %10s |\n",
			name, h.d.Round(time.Millisecond), h.docsPerSec(), h.mbPerSec(), r.d.Round(time.Millisecond), r.docsPerSec(), r.mbPerSec(),
			h.docsPerSec()/r.docsPerSec(), mib(h.rss), mib(r.rss))
	}
	row("export", hullOut, rawOut)
	row("import", hullIn, rawIn)
	fmt.Printf("\nCPU time (user+system, all cores): export hull %s raw %s, import hull %s raw %s\n",
		hullOut.cpu.Round(time.Millisecond), rawOut.cpu.Round(time.Millisecond), hullIn.cpu.Round(time.Millisecond), rawIn.cpu.Round(time.Millisecond))
	fmt.Println("\nratio = hull docs/s / raw docs/s (same rows, same database, same run); MB/s of the file written or read (hull: the ZIP);")
	fmt.Println("RSS = peak growth of the resident set over its size when the side started")
	return nil
}

// measure runs fn with the clock and the resident-set watch running and
// takes the size of the file it wrote or read.
func measure(fn func() (int64, error), path string) (result, error) {
	w := watchRSS()
	cpu0 := cpuTime()
	start := time.Now()
	docs, err := fn()
	r := result{docs: docs, d: time.Since(start), cpu: cpuTime() - cpu0, rss: w.growth()}
	if err != nil {
		return r, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return r, err
	}
	r.bytes = fi.Size()
	return r, nil
}

func writeSnapshot(ctx context.Context, a *app.App, path string) (app.SnapshotStats, error) {
	f, err := os.Create(path)
	if err != nil {
		return app.SnapshotStats{}, err
	}
	defer f.Close()
	st, err := a.WriteSnapshot(ctx, f, app.SnapshotOptions{})
	if err != nil {
		return st, fmt.Errorf("export: %w", err)
	}
	return st, f.Sync()
}

func importSnapshot(ctx context.Context, a *app.App, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	res, err := a.Import(ctx, f, fi.Size(), app.ImportRequest{Format: snapshot.FormatZIP, Mode: app.ImportRequireEmpty})
	if err != nil {
		return 0, fmt.Errorf("import: %w", err)
	}
	return res.Documents, nil
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return nil
}
