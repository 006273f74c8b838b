package app

import (
	"context"
	"sort"
	"strings"
	"time"

	"hull/runtime"
)

// prewarmLimit bounds how many (module, kind) engines a deploy prepares
// ahead of the first calls.
const prewarmLimit = 16

// prewarmTargets lists the (module, kind) pairs of the app's functions in
// v that run in the default runtime, public ones first, at most
// prewarmLimit.
func prewarmTargets(v *Version) []runtime.Call {
	code := v.code("")
	if code == nil {
		return nil
	}
	names := make([]string, 0, len(code.Functions))
	for name := range code.Functions {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		pi, pj := code.Functions[names[i]].Visibility == "public", code.Functions[names[j]].Visibility == "public"
		if pi != pj {
			return pi
		}
		return names[i] < names[j]
	})
	type target struct {
		module string
		kind   runtime.Kind
	}
	seen := map[target]bool{}
	var out []runtime.Call
	for _, name := range names {
		f := code.Functions[name]
		module, _, _ := strings.Cut(name, ":")
		t := target{module, f.Kind}
		if f.Node || f.Kind == runtime.KindHTTPAction || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, runtime.Call{Kind: f.Kind, Module: module})
		if len(out) == prewarmLimit {
			break
		}
	}
	return out
}

// prewarm prepares pooled engines for the app's function modules of a
// version just deployed, in the background, so the first call of each
// does not pay for evaluating and snapshotting its module graph (on V8,
// hundreds of milliseconds for a large bundle). It stops when v is no
// longer live.
func (a *App) prewarm(v *Version) {
	calls := prewarmTargets(v)
	if len(calls) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mods, err := a.modulesFor(ctx, v, "")
	if err != nil {
		return
	}
	env, envKey := a.callEnvFor(v, "")
	start := time.Now()
	n := 0
	for _, c := range calls {
		if a.active.Load() != v {
			break
		}
		c.Env, c.EnvKey = env, envKey
		n += a.pool.Prewarm(ctx, mods, []runtime.Call{c})
	}
	a.log.Debug("engines prepared for the new version", "engines", n, "took", time.Since(start))
}

// precompile compiles the live version's function modules after a start,
// in the background, so the first call after a cold start does not
// compile the bundle (most of what QuickJS spends before a first query).
func (a *App) precompile(ctx context.Context) {
	v := a.active.Load()
	if v == nil {
		return
	}
	calls := prewarmTargets(v)
	if len(calls) == 0 {
		return
	}
	mods, err := a.modulesFor(ctx, v, "")
	if err != nil {
		return
	}
	modules := make([]string, 0, len(calls))
	for _, c := range calls {
		modules = append(modules, c.Module)
	}
	start := time.Now()
	n := a.pool.Precompile(ctx, mods, modules)
	a.log.Debug("modules compiled after the start", "modules", n, "took", time.Since(start))
}
