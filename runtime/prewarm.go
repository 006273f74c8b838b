package runtime

import "context"

// Prewarm prepares, one after another, a pooled engine for each call's
// module and kind — the module graph evaluated and snapshotted, as the
// first real call of that module would — so that call finds one ready. A
// tiered pool prepares it on Fast, and on Heavy too for a module whose
// functions moved there in an earlier code version.
// Only Kind, Module and Env of each call matter (they pick the engines a
// real call would use); its Host, if nil, refuses every syscall (module
// top-level code makes none). Each preparation holds a slot of its kind
// as a call does. Prewarm stops when ctx ends, ignores failures (the first
// real call meets them itself) and returns how many engines it prepared
// or found ready.
func (p *Pool) Prewarm(ctx context.Context, mods Modules, calls []Call) int {
	if p.opts.FreshEngines {
		return 0
	}
	n := 0
	for _, call := range calls {
		if ctx.Err() != nil {
			break
		}
		if p.prewarmOne(ctx, mods, call, tierFast) {
			n++
		}
		// In a tiered pool, a module whose functions moved to Heavy in an
		// earlier version gets a Heavy engine too.
		if p.tiers != nil && p.tiers.moduleMoved(functionID(reuseKey(mods, call), call)) && p.prewarmOne(ctx, mods, call, tierHeavy) {
			n++
		}
	}
	return n
}

func (p *Pool) prewarmOne(ctx context.Context, mods Modules, call Call, t tier) bool {
	if call.Kind == KindHTTPAction {
		return false
	}
	if _, ok := mods.Get(call.Module); !ok {
		return false
	}
	if call.Host == nil {
		call.Host = analyzeHost{}
	}
	cfg, err := callConfig(call)
	if err != nil {
		return false
	}
	release, err := p.acquire(ctx, call.Kind)
	if err != nil {
		return false
	}
	defer release()
	keys := reuseKey(mods, call)
	if t == tierHeavy {
		keys = keys.forHeavy()
	}
	r, err := p.engineFor(ctx, mods, call, cfg, keys, t, false)
	if err != nil {
		return false
	}
	prepared := r.mode != modeFresh
	// A prepared engine goes back to the pool as after a call that
	// finished; a fresh one (the module cannot be snapshotted) is closed.
	p.release(r, true)
	return prepared
}

// Precompile compiles, or finds cached, each named module and its static
// imports, when the engine keeps compiled code (QuickJS bytecode), so the
// first call of one after a start skips compiling the bundle (the app's
// modules share its large chunks). It prepares no engines: a call's
// environment may not be known yet. It returns how many modules it
// compiled or found compiled.
func (p *Pool) Precompile(ctx context.Context, mods Modules, modules []string) int {
	n := 0
	for _, m := range modules {
		if ctx.Err() != nil {
			break
		}
		if _, ok := mods.Get(m); !ok {
			continue
		}
		if p.preloadPlan(tierFast, mods, m) != nil {
			n++
		}
	}
	return n
}
