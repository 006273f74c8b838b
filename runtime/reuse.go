package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Context reuse. Convex lets a module opt into keeping its JavaScript
// context between calls by exporting experimental_reuseContext = true.
// For such a module hull keeps the engine (module graph evaluated) after a
// call that completed normally and gives it to the next call of the same
// module, kind and code version, with that call's time, seed, environment
// and host. Module state then persists between calls, which is what the
// opt-in means. Every other module gets a fresh engine per call.

// maxIdlePerKey bounds the engines kept for one (version, module, kind).
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

// reuseKey names the code version, module and kind an engine can serve.
func reuseKey(mods Modules, call Call) string {
	var b strings.Builder
	b.WriteString(string(call.Kind))
	b.WriteByte('|')
	b.WriteString(call.Module)
	for _, p := range mods.Paths() {
		m, _ := mods.Get(p)
		b.WriteByte('|')
		b.WriteString(p)
		b.WriteByte('@')
		b.WriteString(m.SHA256)
	}
	return b.String()
}

// engineFor returns a kept engine for key, reconfigured for this call, or
// a fresh one.
func (p *Pool) engineFor(ctx context.Context, mods Modules, call Call, cfg vmConfig, key string) (*vmRun, bool, error) {
	if r := p.idle.take(key); r != nil {
		if err := r.reconfigure(ctx, mods, call.Host, cfg); err == nil {
			return r, true, nil
		}
		r.close()
	}
	r, err := p.newVMRun(ctx, mods, call.Host, cfg)
	return r, false, err
}

// reconfigure readies a kept engine for a new call.
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
	if _, err := r.vm.Eval("globalThis.__hull_reconfigure(" + quote(string(js)) + ");"); err != nil {
		return fmt.Errorf("runtime: reconfigure engine: %w", err)
	}
	return nil
}

// reusable reports whether the called module opted into context reuse.
func (r *vmRun) reusable(module string) bool {
	v, err := r.vm.Eval("globalThis.__hull_reusable(" + quote(module) + ")")
	return err == nil && v == true
}
