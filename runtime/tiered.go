package runtime

import (
	"slices"
	"sync"
	"time"
)

// Tiered is an engine policy rather than an engine: a Pool given one runs
// each function (code version, module, kind and export) on Fast — QuickJS,
// whose fresh state per call is cheap — until its calls are measured to
// cost more there than they would on Heavy — V8, which runs JavaScript
// tens of times faster but pays about a millisecond of CPU per call for a
// fresh context — and on Heavy from then on.
//
// The rule, per function:
//
//   - Every call on Fast is timed in thread CPU, less what the host spent
//     serving its syscalls (nested calls included): that part costs the
//     same on either engine. Once it has made at least promoteAfter calls
//     and the median of its last recentCalls passes PromoteCPU, the
//     function moves. (A median: one call slowed by a garbage collection
//     does not move a function.)
//   - A call on Fast that passes RetryCPU is stopped and run again from
//     the start on Heavy, with the same arguments, clock and seed, when
//     that is sound: for a query or mutation when it has made no syscall
//     yet or its Host can undo what it did (Rewinder: nothing is committed
//     before the run ends); for an action or HTTP action only when it has
//     made no syscall, started nothing asynchronous and touched no request
//     or response (anything external may have happened otherwise). When
//     it is not sound, the call finishes on Fast. A second such call
//     moves the function.
//   - A call that fails on QuickJS's Intl subset moves the function at
//     once, and is run again on Heavy under the same rule.
//   - A function never moves back within a code version. A new code
//     version starts on Heavy the functions (kind, module, export) that
//     had moved in an earlier one, and Prewarm prepares Heavy engines for
//     their modules; every other function starts on Fast again.
type Tiered struct {
	Fast, Heavy Engine
	// PromoteCPU is the median CPU per call on Fast past which a function
	// runs on Heavy (default DefaultPromoteCPU).
	PromoteCPU time.Duration
	// RetryCPU is the CPU of one call on Fast past which it is run again
	// on Heavy; the second such call moves its function (default
	// DefaultRetryCPU).
	RetryCPU time.Duration
}

// Defaults of Tiered. bench/runtime's crossover table puts the point
// where a call costs the same CPU on both engines (V8's fresh context
// included) at 1.8–4.5 ms of QuickJS CPU per call on the fixture app;
// RetryCPU is far past it, and far below the 1 s limit, so a function
// that would not fit on QuickJS loses little before it moves.
const (
	DefaultPromoteCPU = 3 * time.Millisecond
	DefaultRetryCPU   = 20 * time.Millisecond
)

// promoteAfter is how many calls on Fast a function makes before their
// median can move it; the median is of the last recentCalls; movingTrips
// calls past RetryCPU move it.
const (
	promoteAfter = 3
	recentCalls  = 5
	movingTrips  = 2
)

// maxTrackedFunctions bounds the functions a Pool keeps tier records of;
// past it the records start over (old code versions' functions among
// them).
const maxTrackedFunctions = 8192

// NewVM implements Engine with Fast: a Pool picks the engine per
// function; anything else (a check that the engine starts) gets Fast.
func (t Tiered) NewVM(cfg EngineConfig) (VM, error) { return t.Fast.NewVM(cfg) }

// Rewinder is implemented by Hosts of queries and mutations that can undo
// everything a run did through them, so that a run stopped on one engine
// can start again on another.
type Rewinder interface {
	// Checkpoint records the host's state; rewind returns it there.
	Checkpoint() (rewind func())
}

// tier is one of a Pool's engines.
type tier uint8

const (
	tierFast tier = iota
	tierHeavy
)

func (t tier) String() string {
	if t == tierHeavy {
		return "heavy"
	}
	return "fast"
}

// tierPolicy keeps, per function, what its calls on Fast cost and whether
// it has moved to Heavy.
type tierPolicy struct {
	promote, retry time.Duration

	mu  sync.Mutex
	fns map[string]*fnTier
	// moved names the functions (kind|module|export) and modules
	// (kind|module) that moved in any code version.
	moved, movedModules map[string]bool
}

// fnID names a function for the policy: key in its code version, name
// across versions, module its kind and module.
type fnID struct{ key, name, module string }

func functionID(keys reuseKeys, call Call) fnID {
	module := string(call.Kind) + "|" + call.Module
	return fnID{key: keys.optIn + "|" + call.Export, name: module + "|" + call.Export, module: module}
}

type fnTier struct {
	calls  int
	recent [recentCalls]time.Duration // CPU of the last calls on Fast, a ring
	trips  int                        // calls past RetryCPU
	heavy  bool
}

// median returns the median of the last calls recorded.
func (f *fnTier) median() time.Duration {
	n := min(f.calls, recentCalls)
	xs := append([]time.Duration(nil), f.recent[:n]...)
	slices.Sort(xs)
	return xs[n/2]
}

func newTierPolicy(t Tiered) *tierPolicy {
	tp := &tierPolicy{promote: t.PromoteCPU, retry: t.RetryCPU, fns: map[string]*fnTier{}, moved: map[string]bool{}, movedModules: map[string]bool{}}
	if tp.promote <= 0 {
		tp.promote = DefaultPromoteCPU
	}
	if tp.retry <= 0 {
		tp.retry = DefaultRetryCPU
	}
	return tp
}

// tierOf returns the engine fn runs on.
func (tp *tierPolicy) tierOf(fn fnID) tier {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	f := tp.fns[fn.key]
	if f == nil && tp.moved[fn.name] {
		f = tp.entry(fn)
		f.heavy = true
	}
	if f != nil && f.heavy {
		return tierHeavy
	}
	return tierFast
}

// moduleMoved reports whether a function of this kind and module moved
// in any code version.
func (tp *tierPolicy) moduleMoved(fn fnID) bool {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return tp.movedModules[fn.module]
}

// observe records a finished call of fn on Fast that took cpu.
func (tp *tierPolicy) observe(fn fnID, cpu time.Duration) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	f := tp.entry(fn)
	f.recent[f.calls%recentCalls] = cpu
	f.calls++
	if f.calls >= promoteAfter && f.median() > tp.promote {
		tp.move(fn, f)
	}
}

// tripped records a call of fn on Fast that passed RetryCPU.
func (tp *tierPolicy) tripped(fn fnID) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	f := tp.entry(fn)
	f.trips++
	if f.trips >= movingTrips {
		tp.move(fn, f)
	}
}

// moveNow moves fn to Heavy.
func (tp *tierPolicy) moveNow(fn fnID) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	tp.move(fn, tp.entry(fn))
}

// move marks f, fn's record, heavy. Called with tp.mu held.
func (tp *tierPolicy) move(fn fnID, f *fnTier) {
	f.heavy = true
	if len(tp.moved) >= maxTrackedFunctions {
		tp.moved, tp.movedModules = map[string]bool{}, map[string]bool{}
	}
	tp.moved[fn.name], tp.movedModules[fn.module] = true, true
}

// heavyCount returns how many functions run on Heavy.
func (tp *tierPolicy) heavyCount() int {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	n := 0
	for _, f := range tp.fns {
		if f.heavy {
			n++
		}
	}
	return n
}

// entry returns fn's record. Called with tp.mu held.
func (tp *tierPolicy) entry(fn fnID) *fnTier {
	f := tp.fns[fn.key]
	if f == nil {
		if len(tp.fns) >= maxTrackedFunctions {
			tp.fns = map[string]*fnTier{}
		}
		f = &fnTier{}
		tp.fns[fn.key] = f
	}
	return f
}

// tierWatch follows one call on Fast of a function still there: past
// limit of CPU (the host's share left out) the call is stopped to run
// again on Heavy when sound says that is sound.
type tierWatch struct {
	limit   time.Duration
	sound   func() bool
	tripped bool // the call passed limit
	stopped bool // and was stopped to run again
}

// check is consulted with the CPU the call has used; it reports whether
// to stop the call.
func (w *tierWatch) check(used time.Duration) bool {
	if w.tripped || used <= w.limit {
		return false
	}
	w.tripped = true
	w.stopped = w.sound()
	return w.stopped
}
