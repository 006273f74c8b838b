package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sync"
)

// ModuleCompiler is implemented by engines that can compile a module to
// bytecode once and load it in many VMs (their VMs implement ModuleLoader).
type ModuleCompiler interface {
	CompileModule(path, src string) ([]byte, error)
}

// ModuleLoader is implemented by VMs that evaluate compiled modules.
type ModuleLoader interface {
	LoadModule(code []byte) error
}

// maxCachedBytecode bounds the bytecode a Pool keeps; past it the cache
// starts over.
const maxCachedBytecode = 256 << 20

// compiled is one module's cached bytecode and static imports (as module
// paths). A nil code means the module loads from source.
type compiled struct {
	code    []byte
	imports []string
}

// moduleCache holds compiled modules by path and content hash.
type moduleCache struct {
	mu    sync.Mutex
	m     map[string]*compiled
	bytes int
}

// staticImport matches the import and re-export statements the bundler
// writes at the top of a module: `import {...} from "./x.js";`,
// `import "./x.js";`, `export {...} from "./x.js";`.
var staticImport = regexp.MustCompile(`(?m)^(?:import|export)\s*(?:[^;"'` + "`" + `]*?\bfrom\s*)?"(\.{1,2}/[^"]+)";`)

func moduleKey(m Module) string {
	h := m.SHA256
	if h == "" {
		sum := sha256.Sum256([]byte(m.Source))
		h = hex.EncodeToString(sum[:])
	}
	return m.Path + "\x00" + h
}

// get returns the compiled form of m, compiling it on first use.
func (c *moduleCache) get(mc ModuleCompiler, m Module) *compiled {
	key := moduleKey(m)
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return e
	}
	e = &compiled{}
	for _, sm := range staticImport.FindAllStringSubmatch(m.Source, -1) {
		if p, err := normalizeModule(m.Path, sm[1]); err == nil {
			e.imports = append(e.imports, p)
		}
	}
	if code, err := mc.CompileModule(m.Path, m.Source); err == nil {
		e.code = code
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.bytes+len(e.code) > maxCachedBytecode {
		c.m, c.bytes = map[string]*compiled{}, 0
	}
	c.m[key] = e
	c.bytes += len(e.code)
	return e
}

// preloadPlan lists the modules to load from bytecode before importing
// path: its static import graph in evaluation order (dependencies first,
// in import order). It is empty when the graph has a cycle or a module
// without bytecode, so that everything then loads from source with the
// engine's own ordering.
func (c *moduleCache) preloadPlan(mc ModuleCompiler, mods Modules, path string) []*compiled {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var plan []*compiled
	var visit func(p string) bool
	visit = func(p string) bool {
		switch state[p] {
		case visiting:
			return false
		case done:
			return true
		}
		m, ok := mods.Get(p)
		if !ok {
			return false
		}
		state[p] = visiting
		e := c.get(mc, m)
		if e.code == nil {
			return false
		}
		for _, dep := range e.imports {
			if !visit(dep) {
				return false
			}
		}
		state[p] = done
		plan = append(plan, e)
		return true
	}
	if !visit(path) {
		return nil
	}
	return plan
}
