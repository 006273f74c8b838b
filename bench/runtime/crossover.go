package main

import (
	"context"
	"fmt"
	"time"

	"hull/bench/internal/benchutil"
	"hull/runtime"
)

// crossoverModule is a query doing w rounds of mixed work (arithmetic on
// a typed array, a string, an object) in a module that imports the
// fixture app's messages.js, so each engine's fresh state per call holds
// the convex package and zod as a real app's does.
const crossoverModule = `import "./messages.js";
const fn = () => {};
fn.isQuery = true;
fn.invokeQuery = async (argsJSON) => {
  const w = JSON.parse(argsJSON)[0].w;
  const a = new Uint32Array(64);
  let h = 7, s = "";
  for (let i = 0; i < w; i++) {
    a[i & 63] = (a[(i + 1) & 63] * 31 + i) >>> 0;
    h = (h ^ a[i & 63]) >>> 0;
    if ((i & 255) === 0) { s = (h % 1000).toString(36); const o = { h, s }; h = (h + o.s.length) >>> 0; }
  }
  return JSON.stringify(h);
};
export const work = fn;
`

// crossover measures, for queries of growing work, the CPU per call
// (the engine's background work to make the next call's state fresh
// included) on QuickJS, on V8 and on the tiered policy, in one run: where
// V8 starts to cost less is where the tiered policy should move a
// function (runtime.DefaultPromoteCPU).
func crossover(n int, bundle string) error {
	mods, err := runtime.DirModules(bundle)
	if err != nil {
		return fmt.Errorf("load bundle %s: %w", bundle, err)
	}
	mods["work.js"] = runtime.Module{Path: "work.js", Source: crossoverModule}
	v8, err := runtime.EngineNamed(runtime.EngineV8)
	if err != nil {
		return err
	}
	pools := []struct {
		name string
		pool *runtime.Pool
	}{
		{"QuickJS", runtime.NewPool(runtime.Options{Engine: runtime.QuickJS{}})},
		{"V8", runtime.NewPool(runtime.Options{Engine: v8})},
		{"tiered", runtime.NewPool(runtime.Options{Engine: runtime.Tiered{Fast: runtime.QuickJS{}, Heavy: v8}})},
	}
	ctx := context.Background()
	fmt.Printf("\n| work rounds | QuickJS CPU/call | V8 CPU/call | V8 / QuickJS | tiered CPU/call | tiered on | tiered / best |\n|---|---|---|---|---|---|---|\n")
	for _, w := range []int{0, 300, 1000, 3000, 10000, 30000, 100000, 300000} {
		c := runtime.Call{Kind: runtime.KindQuery, Module: "work.js", Export: "work", Args: []byte(fmt.Sprintf(`[{"w":%d}]`, w)), Now: time.Now(), Host: host{}}
		calls := n
		if w >= 30000 {
			calls = max(20, n/10)
		}
		cpu := make([]time.Duration, len(pools))
		for i, p := range pools {
			_, d, err := timeIt(calls, 0, func() error {
				res, err := p.pool.Run(ctx, mods, c)
				if err == nil && res.Err != nil {
					err = fmt.Errorf("%s", res.Err.Message)
				}
				return err
			})
			if err != nil {
				return fmt.Errorf("%s, %d rounds: %w", p.name, w, err)
			}
			cpu[i] = d
		}
		best := min(cpu[0], cpu[1])
		fmt.Printf("| %d | %v | %v | %.2fx | %v | %s | %.2fx |\n", w, benchutil.Round(cpu[0]), benchutil.Round(cpu[1]),
			float64(cpu[1])/float64(cpu[0]), benchutil.Round(cpu[2]), pools[2].pool.Tier(mods, c), float64(cpu[2])/float64(best))
	}
	return nil
}
