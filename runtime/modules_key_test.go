package runtime

import (
	"fmt"
	"maps"
	"strings"
	"testing"
)

func moduleSetOf(n int) MapModules {
	mods := MapModules{}
	for i := range n {
		p := fmt.Sprintf("convex/module%03d.js", i)
		mods[p] = Module{Path: p, Source: fmt.Sprintf("export const n = %d;", i)}
	}
	return mods
}

// A set keeps one key for what it holds: the same with or without the
// key worked out ahead, and a different one for any change of a path or
// of a module's content.
func TestModulesKey(t *testing.T) {
	base := moduleSetOf(3)
	change := func(f func(MapModules)) MapModules {
		m := maps.Clone(base)
		f(m)
		return m
	}
	tests := []struct {
		name string
		mods Modules
		same bool
	}{
		{"the same modules, keyed ahead", base.Keyed(), true},
		{"the same modules in another map", change(func(MapModules) {}), true},
		{"the same modules with their content hash given", change(func(m MapModules) {
			mod := m["convex/module001.js"]
			mod.SHA256 = moduleKey(mod)[len(mod.Path)+1:]
			m[mod.Path] = mod
		}), true},
		{"one module's content changed", change(func(m MapModules) {
			m["convex/module001.js"] = Module{Path: "convex/module001.js", Source: "export const n = 99;"}
		}).Keyed(), false},
		{"one module renamed", change(func(m MapModules) {
			mod := m["convex/module002.js"]
			delete(m, mod.Path)
			mod.Path = "convex/renamed.js"
			m[mod.Path] = mod
		}), false},
		{"one module added", change(func(m MapModules) { m["convex/extra.js"] = Module{Path: "convex/extra.js", Source: "1"} }), false},
		{"one module removed", change(func(m MapModules) { delete(m, "convex/module000.js") }), false},
	}
	want := modulesKeyOf(base)
	call := Call{Kind: KindQuery, Module: "convex/module001.js", Env: map[string]string{"A": "1"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := modulesKeyOf(tt.mods) == want; got != tt.same {
				t.Fatalf("same key = %v, want %v", got, tt.same)
			}
			if got := reuseKey(tt.mods, call) == reuseKey(base, call); got != tt.same {
				t.Fatalf("same engine keys = %v, want %v", got, tt.same)
			}
		})
	}
}

// The keys of a call on an app of 75 modules with a Convex Auth-sized
// environment: with the set's and the environment's keys worked out ahead
// (what the app layer passes), with the set's only, and with neither.
func BenchmarkReuseKey(b *testing.B) {
	mods := moduleSetOf(75)
	for p, m := range mods {
		m.SHA256 = moduleKey(m)[len(p)+1:] // as the CLI sends them
		mods[p] = m
	}
	env := map[string]string{"CONVEX_CLOUD_URL": "http://127.0.0.1:3210", "CONVEX_SITE_URL": "http://127.0.0.1:3211",
		"JWT_PRIVATE_KEY": strings.Repeat("k", 1700), "JWKS": strings.Repeat("j", 500), "SITE_URL": "http://localhost:5173"}
	call := Call{Kind: KindQuery, Module: "convex/module001.js", Env: env}
	keyedEnv := call
	keyedEnv.EnvKey = EnvKeyOf(env)
	for _, tt := range []struct {
		name string
		mods Modules
		call Call
	}{{"both keyed", mods.Keyed(), keyedEnv}, {"modules keyed", mods.Keyed(), call}, {"neither", mods, call}} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = reuseKey(tt.mods, tt.call)
			}
		})
	}
}
