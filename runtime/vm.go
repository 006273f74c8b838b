package runtime

import (
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

//go:embed js/setup.js
var setupJS string

// maxLogLines and maxLogLineBytes cap the console output of one run, as
// Convex does.
const (
	maxLogLines     = 256
	maxLogLineBytes = 32 << 10
)

// errNeverResolves is Convex's text for a function whose promise can never
// settle.
const errNeverResolves = "Returned promise will never resolve"

// errInterrupted stops the event loop once the deadline has passed.
var errInterrupted = errors.New("interrupted")

// vmRun is one engine instance serving one run. It must be used from one
// goroutine (the caller locks its OS thread).
type vmRun struct {
	vm          VM
	ctx         context.Context
	mods        Modules
	host        Host
	logs        []LogLine
	overflow    bool
	interrupted atomic.Bool
	loadErr     error
	memLimit    int64
	mode        engineMode
	key         string        // the engine set key it is kept under
	async       *asyncOps     // an action's operations in flight
	http        *HTTPCall     // the exchange of an HTTP action's run
	stopped     chan struct{} // closed when the run is interrupted
	finished    bool          // the function's promise settled
	batchQueued bool          // point reads wait in the JS batch queue
	kind        Kind          // the kind of the call running
	// failed is the SystemError a syscall of a query or mutation met: the
	// run ends with it, whatever the function makes of it.
	failed *SystemError
	tier   tier // the engine it is
	// effects is set once the run made a syscall, started something
	// asynchronous or touched its HTTP exchange.
	effects bool
	watch   *tierWatch    // a call on Fast of a tiered pool
	cpu     time.Duration // thread CPU of the last call, when measured
	hostCPU time.Duration // of which serving syscalls, when watched
}

type vmConfig struct {
	Kind      string            `json:"kind"`
	Now       float64           `json:"now"`
	Seed      [4]uint32         `json:"seed"`
	Env       map[string]string `json:"env"`
	RequestID string            `json:"requestId"`
}

// newVMRun creates a fresh engine with the hull globals installed.
func (p *Pool) newVMRun(ctx context.Context, t tier, mods Modules, host Host, cfg vmConfig) (*vmRun, error) {
	r := &vmRun{ctx: ctx, mods: mods, host: host, memLimit: p.opts.MemoryLimit, tier: t}
	vm, err := p.engine(t).NewVM(EngineConfig{
		MemoryLimit:  p.opts.MemoryLimit,
		MaxStackSize: p.opts.MaxStackSize,
		Resolve:      normalizeModule,
		Load:         r.loadModule,
	})
	if err != nil {
		return nil, fmt.Errorf("runtime: new engine: %w", err)
	}
	r.vm = vm
	if err := p.install(r, cfg); err != nil {
		_ = vm.Close()
		return nil, err
	}
	return r, nil
}

// install defines the host functions and runs setup.js (from cached
// bytecode when the engine supports it).
func (p *Pool) install(r *vmRun, cfg vmConfig) error {
	if cfg.Env == nil {
		cfg.Env = map[string]string{}
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("runtime: encode config: %w", err)
	}
	for _, reg := range []struct {
		name string
		fn   func([]any) (any, error)
	}{
		{"__hull_sync", r.effect(r.syncSyscall)},
		{"__hull_async", r.effect(r.asyncSyscall)},
		{"__hull_log", r.log},
		{"__hull_async_start", r.effect(r.startAsync)},
		{"__hull_async_cancel", r.cancelAsync},
		{"__hull_finished", r.markFinished},
		{"__hull_batch_queued", r.markBatchQueued},
		{"__hull_http_route", r.httpRoute}, // records the route matched: repeatable
		{"__hull_http_take", r.effect(r.httpTake)},
		{"__hull_http_give", r.effect(r.httpGive)},
	} {
		if err := r.vm.Register(reg.name, reg.fn); err != nil {
			return fmt.Errorf("runtime: register %s: %w", reg.name, err)
		}
	}
	if err := registerWeb(r.vm); err != nil {
		return err
	}
	if _, err := r.vm.Eval("globalThis.__hull_cfg = " + quote(string(cfgJSON)) + ";"); err != nil {
		return fmt.Errorf("runtime: set config: %w", err)
	}
	if c, ok := r.vm.(Compiler); ok {
		code, err := p.setup[r.tier].get(c)
		if err == nil {
			_, err = c.EvalCompiled(code)
		}
		if err != nil {
			return fmt.Errorf("runtime: install globals: %w", err)
		}
		return nil
	}
	if _, err := r.vm.Eval(globalsJS); err != nil {
		return fmt.Errorf("runtime: install globals: %w", err)
	}
	return nil
}

// setupCode is setup.js compiled once per pool and engine.
type setupCode struct {
	once sync.Once
	code []byte
	err  error
}

func (s *setupCode) get(c Compiler) ([]byte, error) {
	s.once.Do(func() {
		s.code, s.err = c.Compile(globalsJS)
	})
	return s.code, s.err
}

// effect marks the run as having reached outside the engine before
// calling fn.
func (r *vmRun) effect(fn func([]any) (any, error)) func([]any) (any, error) {
	return func(args []any) (any, error) {
		r.effects = true
		if r.watch == nil {
			return fn(args)
		}
		start, _ := threadCPUTime()
		defer func() {
			end, _ := threadCPUTime()
			r.hostCPU += end - start
		}()
		return fn(args)
	}
}

func (r *vmRun) close() { _ = r.vm.Close() }

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func seedWords(seed [32]byte) [4]uint32 {
	var w [4]uint32
	for i := range w {
		w[i] = binary.LittleEndian.Uint32(seed[i*4:]) ^ binary.LittleEndian.Uint32(seed[16+i*4:])
	}
	return w
}

// normalizeModule resolves an import specifier against the importing
// module, as paths of the pushed module set.
func normalizeModule(base, name string) (string, error) {
	if !strings.HasPrefix(name, "./") && !strings.HasPrefix(name, "../") {
		return path.Clean(strings.TrimPrefix(name, "/")), nil
	}
	dir := path.Dir(base)
	if base == "<eval>" || base == "" {
		dir = "."
	}
	p := path.Clean(path.Join(dir, name))
	if strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("import %q from %s leaves the module set", name, base)
	}
	return p, nil
}

func (r *vmRun) loadModule(name string) (string, error) {
	m, ok := r.mods.Get(name)
	if !ok {
		err := fmt.Errorf("module %q is not part of this deployment", name)
		r.loadErr = err
		return "", err
	}
	return m.Source, nil
}

// syncSyscall and asyncSyscall answer "o<result>" or "e<{message, data}>",
// so the JS side throws a plain Error with .data intact.
func (r *vmRun) syncSyscall(args []any) (any, error) {
	op, data, err := syscallArgs(args)
	if err != nil {
		return nil, err
	}
	if r.failed != nil {
		return r.reply(nil, r.failed)
	}
	out, err := r.host.Syscall(r.ctx, op, []byte(data))
	return r.reply(out, err)
}

func (r *vmRun) asyncSyscall(args []any) (any, error) {
	op, data, err := syscallArgs(args)
	if err != nil {
		return nil, err
	}
	if r.failed != nil {
		return r.reply(nil, r.failed)
	}
	if op == GetManyOp {
		return r.getMany(data)
	}
	out, err := r.host.AsyncSyscall(r.ctx, op, []byte(data))
	return r.reply(out, err)
}

// reply answers a syscall. A SystemError ends a query or mutation: it is
// recorded, the engine is interrupted so no more of the function runs,
// and the caller sees it from Pool.Run. An action gets its public message
// as a plain error.
func (r *vmRun) reply(out []byte, err error) (any, error) {
	if se, ok := AsSystemError(err); ok {
		if r.kind == KindAction {
			return reply(nil, errors.New(se.Public))
		}
		if r.failed == nil {
			r.failed = se
			r.interrupted.Store(true)
			r.vm.Interrupt()
		}
		return reply(nil, errors.New(se.Public))
	}
	return reply(out, err)
}

func reply(out []byte, err error) (any, error) {
	if err == nil {
		return "o" + string(out), nil
	}
	e := map[string]any{"message": err.Error()}
	var cd ConvexErrorData
	if errors.As(err, &cd) {
		e["data"] = json.RawMessage(cd.ConvexData())
	}
	b, merr := json.Marshal(e)
	if merr != nil {
		return nil, fmt.Errorf("runtime: encode syscall error: %w", merr)
	}
	return "e" + string(b), nil
}

func syscallArgs(args []any) (op, data string, err error) {
	if len(args) != 2 {
		return "", "", fmt.Errorf("syscall takes (op, args)")
	}
	op, ok1 := args[0].(string)
	data, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return "", "", fmt.Errorf("syscall arguments must be strings")
	}
	return op, data, nil
}

func (r *vmRun) log(args []any) (any, error) {
	if len(args) != 2 {
		return nil, nil
	}
	level, _ := args[0].(string)
	msg, _ := args[1].(string)
	if len(r.logs) >= maxLogLines {
		if !r.overflow {
			r.overflow = true
			r.logs = append(r.logs, LogLine{Level: "ERROR", Message: "Log overflow (maximum 256). Errors in subsequent logs will not be shown.", Time: time.Now()})
		}
		return nil, nil
	}
	if len(msg) > maxLogLineBytes {
		msg = msg[:maxLogLineBytes] + " (truncated due to length)"
	}
	r.logs = append(r.logs, LogLine{Level: level, Message: msg, Time: time.Now()})
	return nil, nil
}

// drain runs pending jobs until none are left, waiting for asynchronous
// operations in flight while the function has not settled (timers it
// leaves behind do not hold it).
func (r *vmRun) drain() error {
	for {
		if r.interrupted.Load() {
			return errInterrupted
		}
		n, err := r.vm.RunJobs()
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if r.batchQueued {
			// Point reads queued while the jobs ran: serve them as one batch.
			r.batchQueued = false
			if _, err := r.call("__hull_flush_batch"); err != nil {
				return err
			}
			continue
		}
		if r.finished {
			return nil
		}
		waited, err := r.waitAsync()
		if err != nil || !waited {
			return err
		}
	}
}

// markBatchQueued is __hull_batch_queued(): a point read was queued for
// the next batch.
func (r *vmRun) markBatchQueued([]any) (any, error) {
	r.batchQueued = true
	return nil, nil
}

// markFinished is __hull_finished(): the function's promise settled.
func (r *vmRun) markFinished([]any) (any, error) {
	r.finished = true
	return nil, nil
}

// withDeadline runs f, interrupting the engine when d passes or ctx ends.
// Engines keep an interrupt request until it is withdrawn, so one request
// is enough; it is withdrawn when f returns.
func (r *vmRun) withDeadline(d time.Duration, f func() error) error {
	return r.withWallLimit(d, f)
}

// withLimits runs f within the time limit of a call of kind: CPU time
// for queries and mutations, wall time for actions.
func (r *vmRun) withLimits(kind Kind, timeout time.Duration, f func() error) error {
	if kind.IsAction() {
		if r.watch == nil {
			return r.withDeadline(timeout, f)
		}
		return r.withCPU(0, timeout, f)
	}
	return r.withCPU(timeout, max(10*timeout, 10*time.Second), f)
}

// withCPU runs f with a budget of thread CPU time (none if 0): time spent
// waiting (for the database, say) does not count. The goroutine stays on
// its OS thread meanwhile, and r.cpu is the CPU f took. The wall limit
// remains as a backstop. Without a thread clock or an engine that can
// check it, the budget is wall time. A tier watch is checked beside the
// budget.
func (r *vmRun) withCPU(budget, wall time.Duration, f func() error) error {
	wallOnly := budget
	if wallOnly <= 0 {
		wallOnly = wall
	}
	ic, ok := r.vm.(interface{ SetInterruptCheck(func() bool) })
	if !ok {
		return r.withDeadline(wallOnly, f)
	}
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	start, ok := threadCPUTime()
	if !ok {
		return r.withDeadline(wallOnly, f)
	}
	ic.SetInterruptCheck(func() bool {
		now, _ := threadCPUTime()
		used := now - start
		if (r.watch != nil && r.watch.check(used-r.hostCPU)) || (budget > 0 && used > budget) {
			r.interrupted.Store(true)
			return true
		}
		return false
	})
	defer ic.SetInterruptCheck(nil)
	err := r.withWallLimit(wall, f)
	end, _ := threadCPUTime()
	r.cpu = end - start
	return err
}

// watchTier puts the run, a call of a function still on Fast, under a
// tier watch of limit (see Tiered). It returns the Host's rewind when the
// Host can undo the run (queries and mutations).
func (r *vmRun) watchTier(call Call, limit time.Duration) (rewind func()) {
	w := &tierWatch{limit: limit}
	r.hostCPU = 0
	if !call.Kind.IsAction() {
		if rw, ok := call.Host.(Rewinder); ok {
			rewind = rw.Checkpoint()
		}
	}
	w.sound = func() bool { return !r.effects || rewind != nil }
	r.watch = w
	return rewind
}

// withWallLimit runs f, interrupting the engine when wall passes or the
// run's context ends.
func (r *vmRun) withWallLimit(wall time.Duration, f func() error) error {
	stopped := make(chan struct{})
	r.stopped = stopped
	// stop may fire on its own goroutine just as f returns (the request's
	// context ends when its response is done): once f has returned it
	// must do nothing, or it would interrupt the engine's next call.
	var mu sync.Mutex
	running := true
	stop := func() {
		mu.Lock()
		defer mu.Unlock()
		if !running {
			return
		}
		r.interrupted.Store(true)
		r.vm.Interrupt()
		running = false
		close(stopped)
	}
	t := time.AfterFunc(wall, stop)
	cancel := context.AfterFunc(r.ctx, stop)
	err := f()
	mu.Lock()
	running = false
	mu.Unlock()
	t.Stop()
	cancel()
	if c, ok := r.vm.(interface{ ClearInterrupt() }); ok {
		c.ClearInterrupt()
	}
	return err
}
