package runtime

import (
	"hull/runtime/quickjs"
)

// Engine creates JavaScript VMs. The default is QuickJS (package
// runtime/quickjs); another engine can be plugged in through Options.
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
