// Command scheduler measures how late hull's scheduler runs scheduled
// functions: n mutation jobs due within one second (and all at the same
// instant, and a light load of a few jobs), each inserting one document,
// beside limits measured in the same run on the same machine:
//
//   - start: when the scheduler dispatched each job, against bare Go timers
//     firing the same deadlines;
//   - done: when each job's commit (its write and its success state) was
//     made, against bare Go timers that each make one one-document commit
//     through package database on the same kind of store, as many at a
//     time as the scheduler runs jobs (-parallelism, default 8).
//
// go run ./bench/scheduler [-backend sqlite|postgres -dsn URL] [-n 1000] [-parallelism 8]
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"hull/app"
	"hull/bench/internal/benchutil"
	"hull/database"
	"hull/persistence"
	"hull/persistence/postgres"
	"hull/persistence/sqlite"
	"hull/value"
)

// benchModule registers functions in the shape the convex package gives
// them: plan schedules n jobs step ms apart from t0 (one mutation), record
// is the job.
const benchModule = `
const wrap = (kind, body) => {
  const f = () => {};
  f["is" + kind] = true;
  f.isPublic = true;
  f["invoke" + kind] = async (argsJSON) => { const v = await body(JSON.parse(argsJSON)[0]); return JSON.stringify(v ?? null); };
  return f;
};
const sys = async (op, args) => JSON.parse(await Convex.asyncSyscall(op, JSON.stringify(args)));
export const record = wrap("Mutation", async (a) => { await sys("1.0/insert", { table: "runs", value: { i: a.i } }); });
export const plan = wrap("Mutation", async (a) => {
  for (let i = 0; i < a.n; i++) await sys("1.0/schedule", { name: "bench:record", ts: (a.t0 + i * a.step) / 1000, args: { i } });
});
`

type scenario struct {
	name string
	n    int
	step time.Duration // between consecutive deadlines
}

type backend struct {
	kind, dsn   string
	parallelism int
}

func main() {
	kind := flag.String("backend", "sqlite", "sqlite or postgres")
	dsn := flag.String("dsn", "", "postgres: server URL (a fresh database is created and dropped per scenario)")
	n := flag.Int("n", 1000, "jobs due within one second (at most 1000: one mutation schedules them)")
	parallelism := flag.Int("parallelism", 8, "scheduled functions run at once (SchedulerOptions.Parallelism)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/scheduler:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *n < 1 || *n > 1000 {
		fmt.Fprintln(os.Stderr, "bench/scheduler: -n must be 1..1000")
		os.Exit(2)
	}
	be := backend{kind: *kind, dsn: *dsn, parallelism: *parallelism}
	scenarios := []scenario{
		{name: fmt.Sprintf("%d due in the same second", *n), n: *n, step: time.Second / time.Duration(*n)},
		{name: fmt.Sprintf("%d due at the same instant", *n), n: *n, step: 0},
		{name: "light load: 20 jobs 100 ms apart", n: 20, step: 100 * time.Millisecond},
	}
	fmt.Printf("backend %s, parallelism %d\n\n", *kind, *parallelism)
	fmt.Printf("| %-34s | %-5s | %10s | %10s | %10s | %10s | %9s |\n", "scenario", "", "hull p50", "hull p99", "limit p50", "limit p99", "p99 ratio")
	fmt.Printf("|-%s-|-%s-|-%s:|-%s:|-%s:|-%s:|-%s:|\n", benchutil.Dashes(34), benchutil.Dashes(5), benchutil.Dashes(9), benchutil.Dashes(9), benchutil.Dashes(9), benchutil.Dashes(9), benchutil.Dashes(8))
	for _, sc := range scenarios {
		if err := runScenario(context.Background(), be, sc); err != nil {
			fmt.Fprintln(os.Stderr, "bench/scheduler:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
	}
	fmt.Printf("\nstart: job dispatched by the scheduler vs a bare Go timer; done: job committed vs a bare timer + one commit (%d at a time).\n", *parallelism)
}

func runScenario(ctx context.Context, be backend, sc scenario) error {
	hullStart, hullDone, err := measureHull(ctx, be, sc)
	if err != nil {
		return fmt.Errorf("%s: hull: %w", sc.name, err)
	}
	timerStart := measureTimers(sc)
	commitDone, err := measureCommits(ctx, be, sc)
	if err != nil {
		return fmt.Errorf("%s: commit limit: %w", sc.name, err)
	}
	row(sc.name, "start", hullStart, timerStart)
	row("", "done", hullDone, commitDone)
	return nil
}

func row(name, what string, hull, limit []time.Duration) {
	hp50, hp99 := benchutil.Percentile(hull, 0.5), benchutil.Percentile(hull, 0.99)
	lp50, lp99 := benchutil.Percentile(limit, 0.5), benchutil.Percentile(limit, 0.99)
	ratio := float64(hp99) / float64(max(lp99, time.Microsecond))
	fmt.Printf("| %-34s | %-5s | %10v | %10v | %10v | %10v | %8.1fx |\n", name, what,
		benchutil.Round(hp50), benchutil.Round(hp99), benchutil.Round(lp50), benchutil.Round(lp99), ratio)
}

// deadlines are the due times of a scenario starting at t0.
func deadlines(sc scenario, t0 time.Time) []time.Time {
	out := make([]time.Time, sc.n)
	for i := range out {
		out[i] = t0.Add(time.Duration(i) * sc.step)
	}
	return out
}

// store opens a fresh store of the backend; close removes it.
func store(ctx context.Context, be backend, name string) (persistence.Store, func(), error) {
	switch be.kind {
	case "sqlite":
		dir, err := os.MkdirTemp("", "hull-bench-scheduler-")
		if err != nil {
			return nil, nil, err
		}
		s, err := sqlite.Open(ctx, filepath.Join(dir, "hull.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return s, func() { s.Close(); os.RemoveAll(dir) }, nil
	case "postgres":
		if be.dsn == "" {
			return nil, nil, errors.New("postgres needs -dsn (see scripts/pg-test-server.sh)")
		}
		u, err := url.Parse(be.dsn)
		if err != nil {
			return nil, nil, err
		}
		var b [4]byte
		_, _ = rand.Read(b[:])
		db := "hull_bench_sched_" + name + "_" + hex.EncodeToString(b[:])
		u.Path = ""
		s, err := postgres.Open(ctx, postgres.Config{URL: u.String(), InstanceName: db, MaxConns: 16, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return nil, nil, err
		}
		return s, func() {
			s.Close()
			if conn, err := pgx.Connect(context.Background(), be.dsn); err == nil {
				_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
				conn.Close(context.Background())
			}
		}, nil
	}
	return nil, nil, fmt.Errorf("unknown backend %q", be.kind)
}

func openDB(ctx context.Context, st persistence.Store) (*database.DB, error) {
	lease, err := st.Acquire(ctx, "bench")
	if err != nil {
		return nil, err
	}
	return database.Open(ctx, st, lease, database.Options{Logger: slog.New(slog.DiscardHandler)})
}

// measureHull schedules the scenario's jobs from one mutation and returns
// each job's start lateness (dispatch) and done lateness (its commit).
func measureHull(ctx context.Context, be backend, sc scenario) (start, done []time.Duration, err error) {
	st, closeStore, err := store(ctx, be, "hull")
	if err != nil {
		return nil, nil, err
	}
	defer closeStore()
	db, err := openDB(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	log := slog.New(slog.DiscardHandler)
	a, err := app.New(ctx, st, db, app.Options{Logger: log})
	if err != nil {
		return nil, nil, err
	}
	if err := deploy(ctx, a); err != nil {
		return nil, nil, err
	}
	var mu sync.Mutex
	sched := a.StartScheduler(app.SchedulerOptions{Parallelism: be.parallelism, Started: func(_ string, due, at time.Time) {
		mu.Lock()
		start = append(start, at.Sub(due))
		mu.Unlock()
	}})
	defer sched.Stop(ctx)

	t0 := time.Now().Add(2 * time.Second).Truncate(time.Millisecond)
	args, _ := json.Marshal(map[string]any{"n": sc.n, "t0": t0.UnixMilli(), "step": float64(sc.step) / float64(time.Millisecond)})
	res, err := a.Call(ctx, app.CallRequest{Path: app.FunctionPath{Module: "bench.js", Export: "plan"}, Args: args, Admin: true})
	if err != nil {
		return nil, nil, err
	}
	if res.Err != nil {
		return nil, nil, errors.New(res.Err.Message)
	}
	if time.Now().After(t0) {
		return nil, nil, errors.New("scheduling took longer than the 2 s lead")
	}
	// Wait for the queue to empty, looking at its head only (reading the
	// whole table often would load the machine the jobs run on).
	deadline := time.Now().Add(5 * time.Minute)
	for {
		empty, err := queueEmpty(ctx, db)
		if err != nil {
			return nil, nil, err
		}
		if empty {
			break
		}
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("jobs still queued after 5 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
	jobs, err := scan(ctx, db, "_scheduled_functions")
	if err != nil {
		return nil, nil, err
	}
	for _, j := range jobs {
		ct, ok := get(j, "completedTime").(value.Float64)
		if !ok || get(j, "state").(value.Object).Len() != 1 {
			return nil, nil, fmt.Errorf("job not done: %s", value.ToJSON(j))
		}
		sched := get(j, "scheduledTime").(value.Float64)
		done = append(done, time.Duration((float64(ct)-float64(sched))*float64(time.Millisecond)))
	}
	if len(done) != sc.n {
		return nil, nil, fmt.Errorf("%d of %d jobs done", len(done), sc.n)
	}
	mu.Lock()
	defer mu.Unlock()
	return append([]time.Duration(nil), start...), done, nil
}

func get(o value.Object, name string) value.Value {
	v, _ := o.Get(name)
	return v
}

func queueEmpty(ctx context.Context, db *database.DB) (bool, error) {
	tx, err := db.BeginRead(ctx, 0)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	st, err := tx.SystemQuery(ctx, &database.Query{Kind: database.FullTableScan, Table: "_scheduled_jobs", Operators: []database.Operator{{Limit: 1}}})
	if err != nil {
		return false, err
	}
	_, ok, err := st.Next(ctx)
	return !ok, err
}

func scan(ctx context.Context, db *database.DB, table string) ([]value.Object, error) {
	tx, err := db.BeginRead(ctx, 0)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.SystemScan(ctx, table)
}

func deploy(ctx context.Context, a *app.App) error {
	req := &app.StartPushRequest{Functions: "convex/"}
	req.AppDefinition.UDFServerVersion = "1.48.0"
	req.AppDefinition.Functions = []app.ModuleConfig{{Path: "bench.js", Source: benchModule, Environment: "isolate"}}
	resp, err := a.StartPush(ctx, req)
	if err != nil {
		return fmt.Errorf("start_push: %w", err)
	}
	if _, err := a.FinishPush(ctx, &app.FinishPushRequest{StartPush: *resp}); err != nil {
		return fmt.Errorf("finish_push: %w", err)
	}
	return nil
}

// measureTimers fires a bare Go timer at each deadline and returns how
// late each fired.
func measureTimers(sc scenario) []time.Duration {
	t0 := time.Now().Add(500 * time.Millisecond)
	out := make([]time.Duration, sc.n)
	var wg sync.WaitGroup
	for i, d := range deadlines(sc, t0) {
		wg.Add(1)
		time.AfterFunc(time.Until(d), func() {
			out[i] = time.Since(d)
			wg.Done()
		})
	}
	wg.Wait()
	return out
}

// measureCommits fires a bare timer at each deadline that hands one
// one-document commit to as many workers as the scheduler's parallelism,
// and returns how late each commit was made.
func measureCommits(ctx context.Context, be backend, sc scenario) ([]time.Duration, error) {
	st, closeStore, err := store(ctx, be, "limit")
	if err != nil {
		return nil, err
	}
	defer closeStore()
	db, err := openDB(ctx, st)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	t0 := time.Now().Add(500 * time.Millisecond)
	work := make(chan time.Time, sc.n)
	out := make([]time.Duration, 0, sc.n)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range be.parallelism {
		wg.Go(func() {
			for d := range work {
				err := db.Retry(ctx, func(ctx context.Context) error {
					tx, err := db.Begin(ctx)
					if err != nil {
						return err
					}
					defer tx.Rollback()
					if _, err := tx.Insert(ctx, "runs", value.MustObject(value.Field{Name: "i", Value: value.Float64(1)})); err != nil {
						return err
					}
					_, err = tx.Commit(ctx)
					return err
				})
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				out = append(out, time.Since(d))
				mu.Unlock()
			}
		})
	}
	var fired sync.WaitGroup
	for _, d := range deadlines(sc, t0) {
		fired.Add(1)
		time.AfterFunc(time.Until(d), func() {
			work <- d
			fired.Done()
		})
	}
	fired.Wait()
	close(work)
	wg.Wait()
	return out, errors.Join(errs...)
}
