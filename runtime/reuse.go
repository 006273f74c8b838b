package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Engine reuse. Convex semantics: every call sees freshly evaluated
// modules, unless the called module exports experimental_reuseContext =
// true (Convex's opt-in), in which case module state persists between its
// calls.
//
// Evaluating the module graph (the convex package, zod, the app) is most
// of a call's cost, so an engine is prepared once per (code version,
// module, kind, environment): the graph is evaluated, the called module
// imported, and — on engines that support it (Snapshotter) — the engine's
// complete state snapshotted. Each call then reconfigures the engine
// (time, seed, environment, request id), runs, and the engine is restored
// to the snapshot before it serves another call, so nothing a call did
// (module variables, globals, prototypes, pending promises) is visible to
// the next. Opt-in modules keep their engine without restoring it.
// Engines without snapshots get a fresh engine per call.

// engineMode says how an engine is reused.
type engineMode int

const (
	modeFresh    engineMode = iota // used once
	modeSnapshot                   // restored to its snapshot after each call
	modeOptIn                      // kept as is (experimental_reuseContext)
)

// maxIdlePerKey bounds the engines kept idle for one reuse key; up to
// that many are also prepared before a call waits for one being restored.
const maxIdlePerKey = 4

// idleEngines holds reusable engines by reuse key, and counts the
// engines of each key that exist and that are being restored.
type idleEngines struct {
	mu   sync.Mutex
	keys map[string]*keyEngines
}

type keyEngines struct {
	idle      []*vmRun
	live      int           // prepared engines of this key that exist
	restoring int           // of which being restored
	ready     chan struct{} // closed and replaced when one is put back
}

func (e *idleEngines) entry(key string) *keyEngines {
	if e.keys == nil {
		e.keys = map[string]*keyEngines{}
	}
	k := e.keys[key]
	if k == nil {
		k = &keyEngines{ready: make(chan struct{})}
		e.keys[key] = k
	}
	return k
}

// take returns an idle engine of key. When there is none but one is
// being restored and enough engines of the key exist, it waits for that
// one (a restore takes a fraction of a millisecond; preparing a new engine
// takes milliseconds). It returns nil when the caller should prepare an
// engine.
func (e *idleEngines) take(ctx context.Context, key string) *vmRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	for {
		k := e.keys[key]
		if k == nil {
			return nil
		}
		if n := len(k.idle); n > 0 {
			r := k.idle[n-1]
			k.idle = k.idle[:n-1]
			return r
		}
		if k.restoring == 0 || k.live < maxIdlePerKey {
			return nil
		}
		ready := k.ready
		e.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			e.mu.Lock()
			return nil
		}
		e.mu.Lock()
	}
}

// added records a newly prepared engine of key.
func (e *idleEngines) added(key string) {
	e.mu.Lock()
	e.entry(key).live++
	e.mu.Unlock()
}

// restoring records that an engine of key is being restored.
func (e *idleEngines) restoring(key string) {
	e.mu.Lock()
	e.entry(key).restoring++
	e.mu.Unlock()
}

// put returns an engine of key (restored, when restored is set), keeping
// it idle or closing it when enough are idle already.
func (e *idleEngines) put(key string, r *vmRun, restored bool) {
	e.mu.Lock()
	k := e.entry(key)
	if restored {
		k.restoring--
	}
	keep := r != nil && len(k.idle) < maxIdlePerKey
	if keep {
		k.idle = append(k.idle, r)
	} else {
		k.live--
	}
	close(k.ready)
	k.ready = make(chan struct{})
	if k.live == 0 {
		delete(e.keys, key)
	}
	e.mu.Unlock()
	if !keep && r != nil {
		r.close()
	}
}

// reuseKeys name what a prepared engine can serve: the kind, the module
// and the code version (every module's content), and for a snapshotted
// engine also the environment variables, which module top-level code may
// read. An opt-in engine takes each call's environment as it comes.
type reuseKeys struct {
	optIn, snapshot string
}

func reuseKey(mods Modules, call Call) reuseKeys {
	var b strings.Builder
	b.WriteString(string(call.Kind))
	b.WriteByte('|')
	b.WriteString(call.Module)
	for _, p := range mods.Paths() {
		m, _ := mods.Get(p)
		b.WriteByte('|')
		b.WriteString(moduleKey(m))
	}
	base := b.String()
	names := make([]string, 0, len(call.Env))
	for k := range call.Env {
		names = append(names, k)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, k := range names {
		fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(call.Env[k]), call.Env[k])
	}
	return reuseKeys{optIn: base, snapshot: base + "|env@" + hex.EncodeToString(h.Sum(nil)[:12])}
}

// engineFor returns an engine ready to run call: a kept one reconfigured
// for it, a newly prepared one, or (when preparing fails, e.g. the module
// throws at import) a fresh one that reports the failure as the run's.
func (p *Pool) engineFor(ctx context.Context, mods Modules, call Call, cfg vmConfig, key reuseKeys) (*vmRun, error) {
	for _, k := range []string{key.optIn, key.snapshot} {
		if r := p.idle.take(ctx, k); r != nil {
			if err := r.reconfigure(ctx, mods, call.Host, cfg); err == nil {
				return r, nil
			}
			p.idle.put(k, nil, false)
			r.close()
		}
	}
	r, err := p.newVMRun(ctx, mods, call.Host, cfg)
	if err != nil {
		return nil, err
	}
	if p.prepare(r, mods, call) {
		if r.mode == modeOptIn {
			p.idle.added(key.optIn)
		} else {
			p.idle.added(key.snapshot)
		}
		if err := r.reconfigure(ctx, mods, call.Host, cfg); err == nil {
			return r, nil
		}
		p.release(key, r, false)
	} else {
		r.close()
	}
	return p.newVMRun(ctx, mods, call.Host, cfg)
}

// prepare evaluates the called module's graph in r and snapshots it (or
// marks it opt-in). It reports whether r is now a prepared engine.
func (p *Pool) prepare(r *vmRun, mods Modules, call Call) bool {
	snap, ok := r.vm.(Snapshotter)
	if !ok || p.opts.FreshEngines {
		return false
	}
	plan := p.preloadPlan(mods, call.Module)
	err := r.withDeadline(p.timeoutFor(call.Kind), func() error {
		r.preload(plan)
		if _, err := r.call("__hull_prepare", call.Module); err != nil {
			return err
		}
		return r.drain()
	})
	if err != nil {
		return false
	}
	out, err := r.outcome()
	if err != nil || !out.Done || out.Error != nil || len(r.logs) > 0 {
		// Top-level code that logs is run per call, so its lines reach
		// each call's logs.
		return false
	}
	if r.reusable(call.Module) {
		r.mode = modeOptIn
		return true
	}
	if _, err := r.call("__hull_warm"); err != nil {
		return false
	}
	if snap.Snapshot() != nil {
		return false
	}
	r.mode = modeSnapshot
	return true
}

// release hands r back after a run: restored (off the caller's path) and
// kept, kept as is, or closed.
func (p *Pool) release(key reuseKeys, r *vmRun, done bool) {
	r.ctx, r.host = nil, nil
	switch r.mode {
	case modeSnapshot:
		p.idle.restoring(key.snapshot)
		go func() {
			if err := r.vm.(Snapshotter).Restore(); err != nil {
				p.idle.put(key.snapshot, nil, true)
				r.close()
				return
			}
			p.idle.put(key.snapshot, r, true)
		}()
	case modeOptIn:
		if done {
			p.idle.put(key.optIn, r, false)
			return
		}
		p.idle.put(key.optIn, nil, false)
		r.close()
	default:
		r.close()
	}
}

// reconfigure readies a prepared engine for a new call. The environment
// is passed only to opt-in engines: a snapshotted engine was prepared with
// the call's environment (it is part of the reuse key).
func (r *vmRun) reconfigure(ctx context.Context, mods Modules, host Host, cfg vmConfig) error {
	r.ctx, r.mods, r.host = ctx, mods, host
	r.logs, r.overflow, r.loadErr = nil, false, nil
	r.interrupted.Store(false)
	env := ""
	if r.mode != modeSnapshot {
		if cfg.Env == nil {
			cfg.Env = map[string]string{}
		}
		b, err := json.Marshal(cfg.Env)
		if err != nil {
			return fmt.Errorf("runtime: encode environment: %w", err)
		}
		env = string(b)
	}
	seed := func(i int) string { return strconv.FormatUint(uint64(cfg.Seed[i]), 10) }
	now := strconv.FormatFloat(cfg.Now, 'f', -1, 64)
	if _, err := r.call("__hull_reconfigure", now, seed(0), seed(1), seed(2), seed(3), cfg.RequestID, env); err != nil {
		return fmt.Errorf("runtime: reconfigure engine: %w", err)
	}
	return nil
}

// reusable reports whether the called module opted into context reuse.
func (r *vmRun) reusable(module string) bool {
	v, err := r.call("__hull_reusable", module)
	return err == nil && v == true
}

// call calls a global function of the glue with string arguments.
func (r *vmRun) call(name string, args ...string) (any, error) {
	if c, ok := r.vm.(Caller); ok {
		return c.Call(name, args...)
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = quote(a)
	}
	return r.vm.Eval("globalThis." + name + "(" + strings.Join(quoted, ", ") + ")")
}
