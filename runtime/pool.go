package runtime

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Pool runs functions. It is safe for concurrent use.
//
// Every call sees freshly evaluated modules (see reuse.go): an engine is
// prepared once per code version, module, kind and environment — module
// graph evaluated from bytecode compiled once per content hash — and
// snapshotted; each call runs on a prepared engine, which is then restored
// to the snapshot in the background. On the fixture app (the convex
// package plus zod) a trivial query costs about 0.1 ms this way against
// about 4 ms for evaluating the graph per call (bench/runtime).
type Pool struct {
	opts    Options
	engines *engineSet
	// fast and heavy are the engines calls run on: heavy is nil unless
	// opts.Engine is Tiered, and tiers then picks one per function.
	fast, heavy Engine
	tiers       *tierPolicy

	setup   [2]setupCode // setup.js compiled, per tier
	modules moduleCache
	maps    sourceMaps

	slots       chan struct{} // queries and mutations running
	actionSlots chan struct{} // actions running
}

// NewPool returns a Pool with opts (zero fields take the defaults).
func NewPool(opts Options) *Pool {
	opts = opts.withDefaults()
	p := &Pool{
		opts: opts, engines: newEngineSet(opts.MaxEnginesPerKey, opts.MaxIdleEngines), fast: opts.Engine,
		slots: make(chan struct{}, opts.MaxConcurrent), actionSlots: make(chan struct{}, opts.MaxConcurrentActions),
	}
	if t, ok := opts.Engine.(Tiered); ok {
		p.fast, p.heavy, p.tiers = t.Fast, t.Heavy, newTierPolicy(t)
	}
	return p
}

// engine returns the engine of tier t.
func (p *Pool) engine(t tier) Engine {
	if t == tierHeavy && p.heavy != nil {
		return p.heavy
	}
	return p.fast
}

// slotHeld marks the context of a call that holds a slot.
type slotHeld struct{}

// acquire waits for a slot of the call's kind.
func (p *Pool) acquire(ctx context.Context, kind Kind) (func(), error) {
	slots := p.slots
	if kind.IsAction() {
		slots = p.actionSlots
	}
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("runtime: waiting to run: %w", ctx.Err())
	}
}

// Reserve takes a slot for calls of kind ahead of Run: a call run with
// the returned context, and the calls nested in it, use that slot instead
// of waiting for one. release gives it back once those calls are done. A
// context that already holds a slot is returned as it is. Used to wait for
// a slot before taking something others wait for (a mutation run
// serialized holds back every other commit while it runs).
func (p *Pool) Reserve(ctx context.Context, kind Kind) (_ context.Context, release func(), _ error) {
	if ctx.Value(slotHeld{}) != nil {
		return ctx, func() {}, nil
	}
	release, err := p.acquire(ctx, kind)
	if err != nil {
		return nil, nil, err
	}
	return context.WithValue(ctx, slotHeld{}, true), release, nil
}

// outcome is what __hull_outcome reports.
type outcome struct {
	Done  bool          `json:"done"`
	Value *string       `json:"value"`
	Error *outcomeError `json:"error"`
}

// outcomeError is what a run threw: the message, ConvexError data as JSON,
// and the engine's stack.
type outcomeError struct {
	Message string  `json:"message"`
	Data    *string `json:"data"`
	Stack   string  `json:"stack"`
}

// Run invokes one function. The error return is for system failures only;
// what user code did wrong (including hitting a limit) is in Result.Err.
// A KindHTTPAction call (see HTTPCall) answers through its responder and
// has no Value.
func (p *Pool) Run(ctx context.Context, mods Modules, call Call) (Result, error) {
	if call.Kind == KindHTTPAction {
		return p.runHTTP(ctx, mods, call)
	}
	return p.run(ctx, mods, call, nil)
}

// run invokes one function; ex is the HTTP exchange of an HTTP action.
func (p *Pool) run(ctx context.Context, mods Modules, call Call, ex *httpExchange) (Result, error) {
	cfg, err := callConfig(call)
	if err != nil {
		return Result{}, err
	}
	if _, ok := mods.Get(call.Module); !ok {
		return Result{Err: &UserError{Message: fmt.Sprintf("Could not find module %s", call.Module)}}, nil
	}
	// Calls nested in a running call (ctx.runQuery and the like) use its
	// slot: taking another could deadlock when all are held.
	nested := ctx.Value(slotHeld{}) != nil
	if !nested {
		release, err := p.acquire(ctx, call.Kind)
		if err != nil {
			return Result{}, err
		}
		defer release()
		ctx = context.WithValue(ctx, slotHeld{}, true)
	}
	keys := reuseKey(mods, call)
	t, fn := tierFast, fnID{}
	if p.tiers != nil {
		fn = functionID(keys, call)
		t = p.tiers.tierOf(fn)
	}
	res, again, err := p.runOn(ctx, mods, call, ex, cfg, keys, t, fn, nested)
	if again {
		res, _, err = p.runOn(ctx, mods, call, ex, cfg, keys, tierHeavy, fn, nested)
	}
	return res, err
}

// runOn runs call on the engine of tier t. On Fast in a tiered pool the
// call is watched (see Tiered); again reports that it was stopped, with
// nothing it did left behind, to run again on Heavy.
func (p *Pool) runOn(ctx context.Context, mods Modules, call Call, ex *httpExchange, cfg vmConfig, keys reuseKeys, t tier, fn fnID, nested bool) (_ Result, again bool, _ error) {
	if t == tierHeavy {
		keys = keys.forHeavy()
	}
	r, err := p.engineFor(ctx, mods, call, cfg, keys, t, nested)
	if err != nil {
		return Result{}, false, err
	}
	done := false
	defer func() { p.release(r, done) }()
	timeout := p.timeoutFor(call.Kind)
	// Compiling happens before the clock starts: it is the server's work.
	var plan []*compiled
	if r.mode == modeFresh {
		plan = p.preloadPlan(t, mods, call.Module)
	}
	r.finished, r.kind, r.failed, r.effects = false, call.Kind, nil, false
	r.unhandledRejections() // from preparing the engine: not this call's
	var rewind func()
	if p.tiers != nil && t == tierFast {
		rewind = r.watchTier(call, p.tiers.retry)
	}
	defer func() { r.watch = nil }()
	if call.Kind.IsAction() {
		r.beginAsync(p.opts.HTTPClient, ex)
		defer r.endAsync()
	}
	if ex != nil {
		r.http = ex.call
	}
	runErr := r.withLimits(call.Kind, timeout, func() error {
		r.preload(plan)
		if _, err := r.call("__hull_start", call.Module, call.Export, string(call.Kind), string(call.Args)); err != nil {
			return err
		}
		return r.drain()
	})
	if r.watch != nil && p.judge(r, fn, runErr, nil) {
		return Result{}, true, rewindFor(rewind)
	}
	res, err := p.finish(r, runErr, mods, call.Kind, timeout)
	done = err == nil && res.done
	if r.watch != nil && err == nil && res.Err != nil && p.judge(r, fn, nil, res.Err) {
		return Result{}, true, rewindFor(rewind)
	}
	return res.Result, false, err
}

// judge applies the tiered policy to a watched call on Fast, before its
// result is read (userErr nil) and after: it records what the call cost
// or moves its function, and reports whether the call is to run again on
// Heavy.
func (p *Pool) judge(r *vmRun, fn fnID, runErr error, userErr *UserError) bool {
	w := r.watch
	if userErr != nil {
		if !strings.Contains(userErr.Message, intlLimitedText) {
			return false
		}
		// QuickJS's Intl is a subset; V8's is complete.
		p.tiers.moveNow(fn)
		return w.sound()
	}
	if w.tripped {
		p.tiers.tripped(fn)
	} else if runErr == nil {
		p.tiers.observe(fn, r.cpu-r.hostCPU)
	}
	return w.stopped && r.failed == nil
}

// rewindFor undoes, through the Host, what a run stopped to run again
// did (nothing to undo without a rewind: the run made no syscall).
func rewindFor(rewind func()) error {
	if rewind != nil {
		rewind()
	}
	return nil
}

// intlLimitedText starts the error QuickJS's Intl throws for what it
// does not support (js/web/intl.js).
const intlLimitedText = "Intl support is limited in hull"

// finished is a run's Result and whether its function's promise settled.
type finished struct {
	Result
	done bool
}

// finish turns what a run did into its Result.
func (p *Pool) finish(r *vmRun, runErr error, mods Modules, kind Kind, timeout time.Duration) (finished, error) {
	res := Result{Logs: r.logs}
	if r.failed != nil {
		// The run met a system failure: whatever it did next is void.
		r.unhandledRejections()
		return finished{Result: res}, r.failed
	}
	if runErr != nil {
		res.Err = r.engineError(runErr, kind, timeout)
		return finished{Result: res}, nil
	}
	out, err := r.outcome()
	if err != nil {
		res.Err = r.engineError(err, kind, timeout)
		return finished{Result: res}, nil
	}
	p.settle(r, &out, &res, mods, kind, timeout)
	return finished{Result: res, done: out.Done}, nil
}

// callConfig is the engine configuration of one call: its kind, clock,
// environment, request id and random seed (fresh for actions).
func callConfig(call Call) (vmConfig, error) {
	cfg := vmConfig{Kind: string(call.Kind), Now: float64(call.Now.UnixMilli()), Env: call.Env, RequestID: call.RequestID}
	if cfg.RequestID == "" {
		cfg.RequestID = fmt.Sprintf("%x", call.Seed[:8])
	}
	seed := call.Seed
	if call.Kind.IsAction() {
		if _, err := rand.Read(seed[:]); err != nil {
			return cfg, fmt.Errorf("runtime: seed: %w", err)
		}
	}
	cfg.Seed = seedWords(seed)
	if call.Now.IsZero() {
		cfg.Now = float64(time.Now().UnixMilli())
	}
	return cfg, nil
}

// settle turns a finished run's outcome into res: its value, or the error
// a user sees (unhandled rejections, memory, a promise that never
// resolved, a thrown error with its stack mapped to the app's sources).
func (p *Pool) settle(r *vmRun, out *outcome, res *Result, mods Modules, kind Kind, timeout time.Duration) {
	if out.Done && out.Error == nil {
		if rej := r.unhandledRejections(); len(rej) > 0 {
			out.Error = &outcomeError{Message: "Uncaught " + rej[0]}
		}
	}
	switch {
	case r.memoryExhausted() || (out.Error != nil && out.Error.Message == "Uncaught InternalError: out of memory"):
		res.Err = r.engineError(errors.New("out of memory"), kind, timeout)
	case !out.Done:
		res.Err = &UserError{Message: errNeverResolves}
	case out.Error != nil:
		res.Err = &UserError{Message: out.Error.Message + p.maps.mapStack(out.Error.Stack, mods), Stack: out.Error.Stack}
		if out.Error.Data != nil {
			res.Err.Data = []byte(*out.Error.Data)
		}
	case out.Value != nil:
		res.Value = []byte(*out.Value)
	default:
		res.Value = []byte("null")
	}
}

// timeoutFor returns the time limit of a kind of call.
func (p *Pool) timeoutFor(kind Kind) time.Duration {
	if kind.IsAction() {
		return p.opts.ActionTimeout
	}
	return p.opts.Timeout
}

// unhandledRejections returns the reasons of promises the run rejected
// and never handled (Convex fails such a run).
func (r *vmRun) unhandledRejections() []string {
	if u, ok := r.vm.(interface{ UnhandledRejections() []string }); ok {
		return u.UnhandledRejections()
	}
	return nil
}

// memoryExhausted reports whether the engine refused an allocation during
// the run.
func (r *vmRun) memoryExhausted() bool {
	s, ok := r.vm.(Snapshotter)
	return ok && s.MemoryExhausted()
}

// preloadPlan compiles (or finds cached) the called module and its static
// imports, when the engine of tier t supports bytecode.
func (p *Pool) preloadPlan(t tier, mods Modules, path string) []*compiled {
	mc, ok := p.engine(t).(ModuleCompiler)
	if !ok {
		return nil
	}
	return p.modules.preloadPlan(mc, mods, path)
}

// preload evaluates a plan's modules from bytecode. Any failure is left to
// the import that follows, which then loads from source or reports the
// module's error.
func (r *vmRun) preload(plan []*compiled) {
	ml, ok := r.vm.(ModuleLoader)
	if !ok {
		return
	}
	for _, e := range plan {
		if r.interrupted.Load() {
			return
		}
		if err := ml.LoadModule(e.code); err != nil {
			return
		}
	}
}

func (r *vmRun) outcome() (outcome, error) {
	v, err := r.call("__hull_outcome")
	if err != nil {
		return outcome{}, err
	}
	s, ok := v.(string)
	if !ok || s == "" {
		return outcome{}, fmt.Errorf("runtime: unexpected outcome %v", v)
	}
	var out outcome
	switch s[0] {
	case 'p':
	case 'v':
		val := s[1:]
		out.Done, out.Value = true, &val
	case 'e':
		out.Done = true
		if err := json.Unmarshal([]byte(s[1:]), &out.Error); err != nil {
			return outcome{}, fmt.Errorf("runtime: decode outcome: %w", err)
		}
	default:
		return outcome{}, fmt.Errorf("runtime: unexpected outcome %q", s)
	}
	return out, nil
}

// engineError turns an engine failure (interrupt, out of memory, stack
// overflow, an uncaught exception outside user promises) into the error of
// that call.
func (r *vmRun) engineError(err error, kind Kind, timeout time.Duration) *UserError {
	msg := err.Error()
	// The event loop also stops with errInterrupted when the call's context
	// ends or its time runs out while it waits for a syscall.
	stopped := r.interrupted.Load() || errors.Is(err, errInterrupted)
	switch {
	case stopped && r.ctx.Err() != nil:
		return &UserError{Message: "Function execution was cancelled: " + r.ctx.Err().Error()}
	case stopped:
		return &UserError{Message: fmt.Sprintf("Function execution timed out (maximum duration: %s)", timeout)}
	case strings.Contains(msg, "out of memory") || r.memoryExhausted():
		return &UserError{Message: fmt.Sprintf("JavaScript execution ran out of memory (maximum memory usage: %d MB)", r.memLimit>>20)}
	case strings.Contains(msg, "stack overflow"):
		return &UserError{Message: "Uncaught RangeError: Maximum call stack size exceeded"}
	}
	return &UserError{Message: "Uncaught " + msg}
}

// Analyze evaluates a module set with no syscalls allowed and frozen time,
// and reports what it defines.
func (p *Pool) Analyze(ctx context.Context, mods Modules, env map[string]string) (*Analysis, error) {
	r, err := p.newVMRun(ctx, tierFast, mods, analyzeHost{}, vmConfig{Kind: "analyze", Now: float64(time.Now().UnixMilli()), Seed: [4]uint32{1, 2, 3, 4}, Env: env})
	if err != nil {
		return nil, err
	}
	defer r.close()
	paths := []string{}
	for _, path := range mods.Paths() {
		if strings.HasPrefix(path, "_deps/") || !strings.HasSuffix(path, ".js") {
			continue
		}
		paths = append(paths, path)
	}
	sort.Strings(paths)
	pathsJSON, err := json.Marshal(paths)
	if err != nil {
		return nil, err
	}
	timeout := p.opts.AnalyzeTimeout * time.Duration(1+len(paths)/8)
	runErr := r.withDeadline(timeout, func() error {
		if _, err := r.vm.Eval("globalThis.__hull_analyze_all(" + string(pathsJSON) + ");"); err != nil {
			return err
		}
		return r.drain()
	})
	if runErr != nil {
		return nil, fmt.Errorf("%s", r.engineError(runErr, "analyze", timeout).Message)
	}
	v, err := r.vm.Eval("JSON.stringify(globalThis.__hull_analyzed)")
	if err != nil {
		return nil, fmt.Errorf("runtime: read analysis: %w", err)
	}
	return decodeAnalysis(v)
}

type rawAnalysis struct {
	Done   bool    `json:"done"`
	Error  string  `json:"error"`
	Schema *string `json:"schema"`
	Crons  *string `json:"crons"`
	Auth   *string `json:"auth"`
	// AuthMissingEnv names the variables auth.config.js read that are not
	// set.
	AuthMissingEnv []string `json:"authMissingEnv"`
	Routes         []HTTPRoute
	Modules        []struct {
		Path      string `json:"path"`
		Functions []struct {
			Name       string  `json:"name"`
			Kind       Kind    `json:"kind"`
			Visibility string  `json:"visibility"`
			Args       *string `json:"args"`
			Returns    *string `json:"returns"`
		} `json:"functions"`
	} `json:"modules"`
}

func decodeAnalysis(v any) (*Analysis, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("runtime: unexpected analysis %T", v)
	}
	var raw rawAnalysis
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("runtime: decode analysis: %w", err)
	}
	if raw.Error != "" {
		return nil, fmt.Errorf("%s", raw.Error)
	}
	if len(raw.AuthMissingEnv) > 0 {
		return nil, &MissingEnvError{Name: raw.AuthMissingEnv[0]}
	}
	if !raw.Done {
		return nil, fmt.Errorf("module analysis did not finish: a module's top-level code awaits something that never resolves")
	}
	an := &Analysis{HTTPRoutes: raw.Routes}
	bytesOf := func(p *string) []byte {
		if p == nil || *p == "null" {
			return nil
		}
		return []byte(*p)
	}
	an.Schema, an.Crons, an.AuthConfig = bytesOf(raw.Schema), bytesOf(raw.Crons), bytesOf(raw.Auth)
	for _, m := range raw.Modules {
		if m.Path == "schema.js" || m.Path == "auth.config.js" {
			continue
		}
		am := AnalyzedModule{Path: m.Path}
		for _, f := range m.Functions {
			am.Functions = append(am.Functions, Function{Name: f.Name, Kind: f.Kind, Visibility: f.Visibility, Args: bytesOf(f.Args), Returns: bytesOf(f.Returns)})
		}
		an.Modules = append(an.Modules, am)
	}
	return an, nil
}

// analyzeHost refuses every syscall: module top-level code may not reach
// the database.
type analyzeHost struct{}

func (analyzeHost) Syscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, fmt.Errorf("%s is not allowed while modules are being imported (at import time)", op)
}

func (analyzeHost) AsyncSyscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, fmt.Errorf("%s is not allowed while modules are being imported (at import time)", op)
}
