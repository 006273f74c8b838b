package app

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"hull/database"
	"hull/value"
)

// SchedulerOptions configures the Scheduler. The zero value works.
type SchedulerOptions struct {
	// Parallelism bounds the scheduled functions and cron runs executed
	// at once; default 8, as Convex.
	Parallelism int
	// Retention is how long finished jobs stay in _scheduled_functions;
	// default 7 days, as Convex.
	Retention time.Duration
	// GCInterval is how often finished jobs past Retention are deleted;
	// default one hour. The first pass runs ten seconds after start.
	GCInterval time.Duration
	// Started, if set, is called as each job or cron run starts, with
	// the id of the job or cron, when it was due and when it started
	// (for lateness metrics). It must return quickly.
	Started func(id string, due, started time.Time)
}

func (o SchedulerOptions) withDefaults() SchedulerOptions {
	if o.Parallelism <= 0 {
		o.Parallelism = 8
	}
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.GCInterval <= 0 {
		o.GCInterval = time.Hour
	}
	return o
}

// Scheduler runs what is due: scheduled functions (_scheduled_functions,
// queued in _scheduled_jobs) and crons (_cron_jobs), at most
// Parallelism at once, soonest first. It keeps no state of its own
// beyond what is running: everything lives in the database, so a process
// that starts picks up what became due while nothing ran.
//
// It sleeps until the next due time; a commit that schedules something
// sooner wakes it (App.wakeScheduler), so there is no polling. A mutation
// job runs exactly once (its state change commits with it); an action
// job at most once (it is marked in progress first, and one found in
// progress with nothing running it is failed, never run again).
type Scheduler struct {
	app  *App
	log  *slog.Logger
	opts SchedulerOptions

	// wake (capacity 1) tells the loop to read the queues again: something
	// was scheduled sooner than it knew of. done (capacity 1) tells it a
	// run finished and a slot is free.
	wake chan struct{}
	done chan struct{}
	// armed is the time (Unix ns) the loop waits for: a commit that
	// schedules something sooner wakes it. math.MaxInt64 while it reads
	// the queues or has nothing to wait for (every commit wakes it),
	// math.MinInt64 while every slot is busy and nothing due is waiting (a
	// finishing run wakes it).
	armed atomic.Int64

	quit     chan struct{} // closed by Stop: start nothing more
	stopped  chan struct{} // closed when the loop returned
	work     context.Context
	abandon  context.CancelFunc // cancels the runs in flight
	runs     sync.WaitGroup
	stopOnce sync.Once

	mu      sync.Mutex
	running map[string]bool  // by job or cron id
	held    map[string]int64 // not before (Unix ns), after a failure that could not be recorded
	fails   map[string]int   // consecutive such failures, for the hold's backoff
}

// StartScheduler starts running due scheduled functions and crons. It is
// started once per App; later calls return the running Scheduler. Stop
// it with Scheduler.Stop.
func (a *App) StartScheduler(opts SchedulerOptions) *Scheduler {
	work, abandon := context.WithCancel(context.Background())
	s := &Scheduler{
		app: a, log: a.log.With("component", "scheduler"), opts: opts.withDefaults(),
		wake: make(chan struct{}, 1), done: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{}),
		work: work, abandon: abandon,
		running: map[string]bool{}, held: map[string]int64{}, fails: map[string]int{},
	}
	s.armed.Store(math.MaxInt64)
	if !a.sched.CompareAndSwap(nil, s) {
		abandon()
		return a.sched.Load()
	}
	go s.loop()
	s.runs.Add(1)
	go s.gcLoop()
	return s
}

// Stop starts nothing more and waits for the runs in flight until ctx
// ends; then it abandons them. An abandoned mutation commits nothing and
// runs again at the next start; an abandoned action is marked failed
// (here if the database still takes the write, else at the next start).
func (s *Scheduler) Stop(ctx context.Context) error {
	if s == nil {
		return nil
	}
	s.stopOnce.Do(func() { close(s.quit) })
	<-s.stopped
	done := make(chan struct{})
	go func() { s.runs.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	n := len(s.running)
	s.mu.Unlock()
	s.log.Warn("abandoning scheduled functions still running at the shutdown deadline", "running", n)
	s.abandon()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		return fmt.Errorf("scheduler: %d runs did not end after being abandoned", n)
	}
	return nil
}

// Abort abandons everything at once: this process lost the writer lease
// and can commit nothing any more.
func (s *Scheduler) Abort() {
	if s == nil {
		return
	}
	s.stopOnce.Do(func() { close(s.quit) })
	s.abandon()
}

// wakeFor wakes the loop if nextTS (Unix ns) is sooner than what it
// sleeps until.
func (s *Scheduler) wakeFor(nextTS int64) {
	if nextTS < s.armed.Load() {
		s.poke()
	}
}

func (s *Scheduler) poke() { signal(s.wake) }

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// backlogSize is how many due items beyond the free slots one read of
// the queues keeps for later, so that a burst of due jobs costs one read
// per backlogSize jobs rather than one per job.
const backlogSize = 64

// dueItem is one thing the queues hold: a job's queue entry or a cron.
type dueItem struct {
	key    string
	nextTS int64
	job    *queueEntry
	cron   *cronJob
}

func (s *Scheduler) loop() {
	defer close(s.stopped)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.quit
		cancel()
	}()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var backlog []dueItem // due, read, not started yet; soonest first
	var next int64        // when the first item not yet due is due (0: none)
	rescan, failures := true, 0
	for {
		select {
		case <-s.quit:
			return
		default:
		}
		s.mu.Lock()
		free := s.opts.Parallelism - len(s.running)
		s.mu.Unlock()
		wait := time.Duration(-1)
		if free > 0 && (rescan || len(backlog) == 0) {
			// Any commit from here on wakes the loop, so nothing scheduled
			// while the queues are read is missed.
			s.armed.Store(math.MaxInt64)
			due, n, err := s.scan(ctx, free+backlogSize)
			switch {
			case err != nil && ctx.Err() != nil:
				return
			case err != nil:
				failures++
				wait = backoff(failures, 100*time.Millisecond, 30*time.Second)
				if failures == 1 || failures%20 == 0 {
					s.log.Warn("reading the scheduler queues failed; retrying", "err", err, "failures", failures, "retry_in", wait.String())
				}
				backlog, next = nil, 0
			default:
				failures, rescan = 0, false
				backlog, next = due, n
			}
		}
		for free > 0 && len(backlog) > 0 {
			s.start(backlog[0])
			backlog = backlog[1:]
			free--
		}
		switch {
		case failures > 0:
		case len(backlog) > 0:
			// Waiting for a slot; only something due sooner than the
			// last waiting item changes what runs next.
			s.armed.Store(backlog[len(backlog)-1].nextTS)
		case free == 0:
			s.armed.Store(math.MinInt64)
		case next != 0:
			s.armed.Store(next)
			wait = max(time.Duration(next-time.Now().UnixNano()), 0)
		}
		var tick <-chan time.Time
		if wait >= 0 {
			timer.Reset(wait)
			tick = timer.C
		}
		select {
		case <-s.quit:
			timer.Stop()
			return
		case <-tick:
			rescan = true
		case <-s.wake:
			timer.Stop()
			rescan = true
		case <-s.done:
			timer.Stop()
		}
	}
}

// scan reads the heads of both queues and returns up to free due items
// that are not running here, soonest first, and the time the next item
// becomes due (0: none known).
func (s *Scheduler) scan(ctx context.Context, free int) ([]dueItem, int64, error) {
	now := time.Now().UnixNano()
	s.mu.Lock()
	skip := len(s.running) + len(s.held)
	running := make(map[string]bool, len(s.running))
	for k := range s.running {
		running[k] = true
	}
	held := make(map[string]int64, len(s.held))
	for k, t := range s.held {
		if t <= now {
			delete(s.held, k)
			continue
		}
		held[k] = t
	}
	s.mu.Unlock()
	items, err := s.app.queueHeads(ctx, free+skip+1)
	if err != nil {
		return nil, 0, err
	}
	var due []dueItem
	var next int64
	soonest := func(t int64) {
		if next == 0 || t < next {
			next = t
		}
	}
	for _, it := range items {
		if running[it.key] {
			continue
		}
		if t, ok := held[it.key]; ok {
			soonest(max(t, it.nextTS))
			continue
		}
		if it.nextTS > now {
			soonest(it.nextTS)
			break
		}
		if len(due) == free {
			break
		}
		due = append(due, it)
	}
	return due, next, nil
}

// queueHeads reads the first n entries of the job queue and of the cron
// queue, merged in due order.
func (a *App) queueHeads(ctx context.Context, n int) ([]dueItem, error) {
	tx, err := a.db.BeginRead(ctx, 0)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var items []dueItem
	err = scanIndex(ctx, tx, queueTable, queueByNextTS, n, func(doc value.Object) {
		q, err := decodeQueueEntry(doc)
		if err != nil {
			a.log.Warn("skipping an unreadable scheduler queue entry", "component", "scheduler", "err", err)
			return
		}
		items = append(items, dueItem{key: q.job.String(), nextTS: q.nextTS, job: &q})
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", queueTable, err)
	}
	err = scanIndex(ctx, tx, cronsTable, cronsByNextTS, n, func(doc value.Object) {
		c, err := decodeCronJob(doc)
		if err != nil {
			a.log.Warn("skipping an unreadable cron job", "component", "scheduler", "err", err)
			return
		}
		items = append(items, dueItem{key: c.id.String(), nextTS: c.nextTS, cron: &c})
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", cronsTable, err)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].nextTS < items[j].nextTS })
	return items, nil
}

// scanIndex calls fn with the first n documents of a system table's
// index, in index order.
func scanIndex(ctx context.Context, tx *database.Tx, table, index string, n int, fn func(value.Object)) error {
	s, err := tx.SystemQuery(ctx, &database.Query{Kind: database.IndexRange, Table: table, Index: index, Operators: []database.Operator{{Limit: n}}})
	if err != nil {
		return err
	}
	for {
		doc, ok, err := s.Next(ctx)
		if err != nil || !ok {
			return err
		}
		fn(doc)
	}
}

// start runs one item on a goroutine of its own.
func (s *Scheduler) start(it dueItem) {
	s.mu.Lock()
	s.running[it.key] = true
	s.mu.Unlock()
	s.runs.Add(1)
	go func() {
		defer s.runs.Done()
		if s.opts.Started != nil {
			s.opts.Started(it.key, time.Unix(0, it.nextTS), time.Now())
		}
		var err error
		if it.job != nil {
			err = s.runJob(s.work, *it.job)
		} else {
			err = s.runCron(s.work, *it.cron)
		}
		s.mu.Lock()
		delete(s.running, it.key)
		switch {
		case err == nil:
			delete(s.fails, it.key)
		case s.work.Err() == nil:
			// Not even the failure could be recorded: leave the item alone
			// for a while (longer each time) rather than spin on it.
			s.fails[it.key]++
			wait := backoff(s.fails[it.key], 2*time.Second, 5*time.Minute)
			s.held[it.key] = time.Now().Add(wait).UnixNano()
			s.log.Warn("a scheduled run failed and could not be rescheduled; retrying later", "id", it.key, "err", err, "retry_in", wait.String())
		}
		s.mu.Unlock()
		signal(s.done)
	}()
}

// isRunning reports whether this process is running the job or cron.
func (s *Scheduler) isRunning(key string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[key]
}

// backoff is the jittered wait before retry n (1-based): base doubled at
// every retry, at most limit.
func backoff(n int, base, limit time.Duration) time.Duration {
	d := base << min(n-1, 30)
	if d <= 0 || d > limit {
		d = limit
	}
	return d/2 + rand.N(d/2+1)
}

// NextDue returns when the next scheduled function or cron is due, in
// Unix milliseconds; ok is false when nothing is scheduled. What this
// process is running right now is not due; a time in the past means
// something is waiting to run. A sleeping host wakes hull up at that time.
func (a *App) NextDue(ctx context.Context) (ms int64, ok bool, err error) {
	s := a.sched.Load()
	n := 1
	if s != nil {
		s.mu.Lock()
		n += len(s.running)
		s.mu.Unlock()
	}
	items, err := a.queueHeads(ctx, n)
	if err != nil {
		return 0, false, err
	}
	for _, it := range items {
		if s.isRunning(it.key) {
			continue
		}
		return it.nextTS / 1e6, true, nil
	}
	return 0, false, nil
}
