package runtime

import (
	"fmt"

	"hull/runtime/quickjs"
	"hull/runtime/v8"
)

// Engine creates JavaScript VMs: QuickJS (package runtime/quickjs, pure
// Go, every build) or V8 (package runtime/v8, builds with cgo and the
// hull_v8 tag); see DefaultEngine and EngineNamed.
type Engine interface {
	NewVM(cfg EngineConfig) (VM, error)
}

// EngineConfig configures one VM.
type EngineConfig struct {
	MemoryLimit  int64
	MaxStackSize int64
	// Resolve maps an import specifier relative to the importing module to a
	// module path of the set.
	Resolve func(base, name string) (string, error)
	// Load returns the ESM source of a module path.
	Load func(path string) (string, error)
}

// VM is one engine instance. It is used from one goroutine, except
// Interrupt.
type VM interface {
	// Register exposes fn as a global function; a returned error is thrown
	// into JS as an Error with the error's text. Arguments arrive as
	// strings, numbers, booleans, nil, or []byte (a copy of an ArrayBuffer
	// or typed array); fn returns one of those, []byte becoming an
	// ArrayBuffer.
	Register(name string, fn func(args []any) (any, error)) error
	// Eval runs a global script and returns its completion value.
	Eval(src string) (any, error)
	// RunJobs runs pending promise jobs once and reports how many ran.
	RunJobs() (int, error)
	// Interrupt stops running JS; safe from any goroutine.
	Interrupt()
	Close() error
}

// Compiler is implemented by VMs that can cache a global script as
// bytecode valid in every VM of the same engine.
type Compiler interface {
	Compile(src string) ([]byte, error)
	EvalCompiled(code []byte) (any, error)
}

// Snapshotter is implemented by VMs that can record their complete state
// and return to it: the pool then evaluates a module graph once per engine
// and restores that state after every call.
type Snapshotter interface {
	Snapshot() error
	Restore() error
	// MemoryExhausted reports whether the engine refused an allocation
	// since it was created or restored.
	MemoryExhausted() bool
}

// Caller is implemented by VMs that call a global function with string
// arguments without compiling a script.
type Caller interface {
	Call(name string, args ...string) (any, error)
}

// QuickJS is the default engine.
type QuickJS struct{}

// NewVM implements Engine.
func (QuickJS) NewVM(cfg EngineConfig) (VM, error) {
	vm, err := quickjs.New(quickjs.Config{
		MemoryLimit:  cfg.MemoryLimit,
		MaxStackSize: cfg.MaxStackSize,
		Resolve:      cfg.Resolve,
		Load:         cfg.Load,
	})
	if err != nil {
		return nil, err
	}
	return vm, nil
}

// CompileModule implements ModuleCompiler.
func (QuickJS) CompileModule(path, src string) ([]byte, error) {
	return quickjs.CompileModule(path, src)
}

// V8 is the engine of builds with cgo and the hull_v8 build tag.
type V8 struct {
	// Restore chooses how a snapshotted VM gets its fresh state back
	// (default: a context copied from a snapshot of the prepared one).
	Restore v8.RestoreMode
}

// NewVM implements Engine.
func (e V8) NewVM(cfg EngineConfig) (VM, error) {
	var stack int64
	if cfg.MaxStackSize > 0 {
		// About one stack slot per JS call in QuickJS; V8's frames take a
		// couple hundred bytes of the thread's stack.
		stack = cfg.MaxStackSize * 200
	}
	vm, err := v8.New(v8.Config{
		MemoryLimit: cfg.MemoryLimit,
		StackSize:   stack,
		Resolve:     cfg.Resolve,
		Load:        cfg.Load,
		Restore:     e.Restore,
	})
	if err != nil {
		return nil, err
	}
	return vm, nil
}

// Engine names, as the configuration spells them.
const (
	EngineQuickJS = "quickjs"
	EngineV8      = "v8"
	// EngineTiered runs each function on QuickJS until its calls are
	// measured to cost more there than on V8 (see Tiered).
	EngineTiered = "tiered"
)

// DefaultEngine is the engine of a Pool whose Options name none: V8 when
// it is compiled in, QuickJS otherwise.
func DefaultEngine() Engine {
	if v8.Available {
		return V8{}
	}
	return QuickJS{}
}

// DefaultEngineName names the engine a server runs when the configuration
// says auto: tiered (QuickJS, and V8 for the functions measured to need
// it) when V8 is compiled in, QuickJS otherwise.
func DefaultEngineName() string {
	if v8.Available {
		return EngineTiered
	}
	return EngineQuickJS
}

// EngineNamed returns the engine called name ("" for the build's
// default). V8 fails here, at boot, when this binary was built without
// it or it cannot start on this machine.
func EngineNamed(name string) (Engine, error) {
	switch name {
	case "":
		return EngineNamed(DefaultEngineName())
	case EngineQuickJS:
		return QuickJS{}, nil
	case EngineV8:
		vm, err := V8{}.NewVM(EngineConfig{MemoryLimit: 16 << 20})
		if err != nil {
			return nil, fmt.Errorf("JavaScript engine v8 cannot start: %w", err)
		}
		_ = vm.Close()
		return V8{}, nil
	case EngineTiered:
		if _, err := EngineNamed(EngineV8); err != nil {
			return nil, fmt.Errorf("JavaScript engine tiered needs v8: %w", err)
		}
		return Tiered{Fast: QuickJS{}, Heavy: V8{}}, nil
	}
	return nil, fmt.Errorf("unknown JavaScript engine %q (want %q, %q or %q)", name, EngineTiered, EngineV8, EngineQuickJS)
}
