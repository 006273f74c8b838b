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
	b.WriteByte('|')
	b.WriteString(modulesKeyOf(mods))
	base := b.String()
	env := call.EnvKey
	if env == "" {
		env = EnvKeyOf(call.Env)
	}
	return reuseKeys{optIn: base, snapshot: base + "|env@" + env}
}

// EnvKeyOf names an environment's content, for Call.EnvKey.
func EnvKeyOf(env map[string]string) string {
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, k := range names {
		fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(env[k]), env[k])
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// forHeavy returns the keys engines of the Heavy tier are kept under.
func (k reuseKeys) forHeavy() reuseKeys {
	return reuseKeys{optIn: "heavy|" + k.optIn, snapshot: "heavy|" + k.snapshot}
}

// engineFor returns an engine ready to run call: a kept one reconfigured
// for it, a newly prepared one, or (when preparing fails, e.g. the module
// throws at import) a fresh one that reports the failure as the run's.
//
// A nested call (made by a running one) does not wait for an engine of its
// key: the ones it would wait for may be held by the calls it is nested
// in. It gets an engine of its own instead.
func (p *Pool) engineFor(ctx context.Context, mods Modules, call Call, cfg vmConfig, keys reuseKeys, t tier, nested bool) (*vmRun, error) {
	if p.opts.FreshEngines {
		return p.newVMRun(ctx, t, mods, call.Host, cfg)
	}
	key := p.engines.keyFor(keys)
	r, reserved, err := p.engines.get(ctx, key, !nested)
	if err != nil {
		return nil, fmt.Errorf("runtime: waiting for an engine: %w", err)
	}
	if r != nil {
		if err := r.reconfigure(ctx, mods, call.Host, cfg); err == nil {
			return r, nil
		}
		r.close()
		p.engines.drop(key)
		return p.newVMRun(ctx, t, mods, call.Host, cfg)
	}
	if !reserved {
		return p.newVMRun(ctx, t, mods, call.Host, cfg)
	}
	r, err = p.newVMRun(ctx, t, mods, call.Host, cfg)
	if err != nil {
		p.engines.drop(key)
		return nil, err
	}
	if !p.prepare(r, mods, call, key) {
		r.close()
		p.engines.drop(key)
		return p.newVMRun(ctx, t, mods, call.Host, cfg)
	}
	r.key = key
	if r.mode == modeOptIn && key != keys.optIn {
		p.engines.moveToOptIn(key, keys)
		r.key = keys.optIn
	}
	if err := r.reconfigure(ctx, mods, call.Host, cfg); err != nil {
		r.close()
		p.engines.drop(r.key)
		return p.newVMRun(ctx, t, mods, call.Host, cfg)
	}
	return r, nil
}

// prepare evaluates the called module's graph in r and snapshots it (or
// marks it opt-in). It reports whether r is now a prepared engine.
func (p *Pool) prepare(r *vmRun, mods Modules, call Call, key string) bool {
	snap, ok := r.vm.(Snapshotter)
	if !ok {
		return false
	}
	plan := p.preloadPlan(r.tier, mods, call.Module)
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
	if err := snapshot(snap, key); err != nil {
		return false
	}
	r.mode = modeSnapshot
	return true
}

// KeyedSnapshotter is implemented by engines whose snapshots can be shared
// between their VMs: SnapshotAs is Snapshot, and VMs snapshotted under the
// same key (the reuse key: code version, module, kind, environment) may
// share one copy of the state, though each was prepared by its own first
// call (a different clock and seed at import time, as between QuickJS
// engines).
type KeyedSnapshotter interface {
	SnapshotAs(key string) error
}

func snapshot(s Snapshotter, key string) error {
	if k, ok := s.(KeyedSnapshotter); ok {
		return k.SnapshotAs(key)
	}
	return s.Snapshot()
}

// release hands r back after a run: restored (off the caller's path) and
// kept, kept as is, or closed.
func (p *Pool) release(r *vmRun, done bool) {
	r.ctx, r.host, r.http = nil, nil, nil
	switch r.mode {
	case modeSnapshot:
		go func() {
			if err := r.vm.(Snapshotter).Restore(); err != nil {
				r.close()
				p.engines.drop(r.key)
				return
			}
			p.engines.put(r.key, r)
		}()
	case modeOptIn:
		if done {
			p.engines.put(r.key, r)
			return
		}
		r.close()
		p.engines.drop(r.key)
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
