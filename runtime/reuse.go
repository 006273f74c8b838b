package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
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

// maxIdlePerKey bounds the engines kept for one reuse key.
const maxIdlePerKey = 4

// idleEngines holds reusable engines by reuse key.
type idleEngines struct {
	mu sync.Mutex
	m  map[string][]*vmRun
}

func (e *idleEngines) take(key string) *vmRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	list := e.m[key]
	if len(list) == 0 {
		return nil
	}
	r := list[len(list)-1]
	e.m[key] = list[:len(list)-1]
	return r
}

func (e *idleEngines) put(key string, r *vmRun) {
	e.mu.Lock()
	if e.m == nil {
		e.m = map[string][]*vmRun{}
	}
	if len(e.m[key]) < maxIdlePerKey {
		e.m[key] = append(e.m[key], r)
		e.mu.Unlock()
		return
	}
	e.mu.Unlock()
	r.close()
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
		if r := p.idle.take(k); r != nil {
			if err := r.reconfigure(ctx, mods, call.Host, cfg); err == nil {
				return r, nil
			}
			r.close()
		}
	}
	r, err := p.newVMRun(ctx, mods, call.Host, cfg)
	if err != nil {
		return nil, err
	}
	if p.prepare(r, mods, call) {
		if err := r.reconfigure(ctx, mods, call.Host, cfg); err == nil {
			return r, nil
		}
	}
	r.close()
	return p.newVMRun(ctx, mods, call.Host, cfg)
}

// prepare evaluates the called module's graph in r and snapshots it (or
// marks it opt-in). It reports whether r is now a prepared engine.
func (p *Pool) prepare(r *vmRun, mods Modules, call Call) bool {
	snap, ok := r.vm.(Snapshotter)
	if !ok {
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
	if snap.Snapshot() != nil {
		return false
	}
	r.mode = modeSnapshot
	return true
}

// release hands r back after a run: restored and kept, kept as is, or
// closed.
func (p *Pool) release(key reuseKeys, r *vmRun, done bool) {
	switch r.mode {
	case modeSnapshot:
		if err := r.vm.(Snapshotter).Restore(); err == nil {
			r.ctx, r.host, r.mods = nil, nil, nil
			p.idle.put(key.snapshot, r)
			return
		}
	case modeOptIn:
		if done {
			r.ctx, r.host = nil, nil
			p.idle.put(key.optIn, r)
			return
		}
	}
	r.close()
}

// reconfigure readies a prepared engine for a new call.
func (r *vmRun) reconfigure(ctx context.Context, mods Modules, host Host, cfg vmConfig) error {
	r.ctx, r.mods, r.host = ctx, mods, host
	r.logs, r.overflow, r.loadErr = nil, false, nil
	r.interrupted.Store(false)
	if cfg.Env == nil {
		cfg.Env = map[string]string{}
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("runtime: encode config: %w", err)
	}
	if _, err := r.call("__hull_reconfigure", string(js)); err != nil {
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
