// Package quickjs is hull's default JavaScript engine: modernc.org/quickjs,
// pure Go (no cgo), with native ES modules loaded straight from the pushed
// module set, a memory limit, a stack limit and asynchronous interrupts.
//
// A VM is not safe for concurrent use: create, use and close it on one
// goroutine. Only Interrupt may be called from another goroutine.
package quickjs

import (
	"errors"
	"fmt"

	qjs "modernc.org/quickjs"
)

// MaxStackSlots is the highest stack limit a VM accepts.
const MaxStackSlots = 10000

// Config configures one VM.
type Config struct {
	// MemoryLimit caps the engine heap in bytes (0: no limit).
	MemoryLimit int64
	// MaxStackSize caps the JS stack in engine stack slots, about one per
	// JS call (0: the engine default, 5000). Values above MaxStackSlots are
	// lowered to it: each slot costs roughly 16 KiB of goroutine stack, and
	// overflowing the goroutine stack ends the process.
	MaxStackSize int64
	// Resolve maps an import specifier, relative to the importing module's
	// path, to a module path.
	Resolve func(base, name string) (string, error)
	// Load returns the ESM source of a module path.
	Load func(path string) (string, error)
}

// VM is one engine instance with its own global object and module map.
type VM struct {
	vm *qjs.VM
}

// New creates a VM.
func New(cfg Config) (*VM, error) {
	vm, err := qjs.NewVM()
	if err != nil {
		return nil, fmt.Errorf("quickjs: new vm: %w", err)
	}
	if cfg.MemoryLimit > 0 {
		vm.SetMemoryLimit(uintptr(cfg.MemoryLimit))
	}
	if cfg.MaxStackSize > 0 {
		vm.SetMaxStackSize(uintptr(min(cfg.MaxStackSize, MaxStackSlots)))
	}
	if cfg.Load != nil {
		resolve := cfg.Resolve
		if resolve == nil {
			resolve = func(_, name string) (string, error) { return name, nil }
		}
		vm.SetModuleLoader(
			func(_ *qjs.VM, name string) (string, error) { return cfg.Load(name) },
			func(_ *qjs.VM, base, name string) (string, error) { return resolve(base, name) },
		)
	}
	return &VM{vm: vm}, nil
}

// Register exposes fn to JS as the global function name. Its arguments
// arrive as Go values (string, float64, bool, nil, ...); a returned error is
// thrown into JS as an Error with the error's text.
func (v *VM) Register(name string, fn func(args []any) (any, error)) error {
	if err := v.vm.RegisterHostFunc(name, fn); err != nil {
		return fmt.Errorf("quickjs: register %s: %w", name, err)
	}
	return nil
}

// Eval runs src as a global script and returns its completion value
// converted to Go (strings, numbers, booleans, nil).
func (v *VM) Eval(src string) (any, error) {
	r, err := v.vm.Eval(src, qjs.EvalGlobal)
	if err != nil {
		return nil, wrap(err)
	}
	return r, nil
}

// Compile turns a global script into bytecode for EvalCompiled, which is
// valid in any VM of this engine version.
func (v *VM) Compile(src string) ([]byte, error) {
	b, err := v.vm.Compile(src, qjs.EvalGlobal)
	if err != nil {
		return nil, wrap(err)
	}
	return b, nil
}

// EvalCompiled runs bytecode made by Compile.
func (v *VM) EvalCompiled(code []byte) (any, error) {
	r, err := v.vm.EvalBytecode(code)
	if err != nil {
		return nil, wrap(err)
	}
	return r, nil
}

// RunJobs runs the pending promise jobs once and reports how many ran.
func (v *VM) RunJobs() (int, error) {
	n, err := v.vm.ExecutePendingJobs()
	if err != nil {
		return n, wrap(err)
	}
	return n, nil
}

// Interrupt asks the running JS to stop; it may be called from any
// goroutine.
func (v *VM) Interrupt() { v.vm.Interrupt() }

// Close frees the VM.
func (v *VM) Close() error {
	if err := v.vm.Close(); err != nil {
		return fmt.Errorf("quickjs: close: %w", err)
	}
	return nil
}

// Error is an exception that escaped to Go.
type Error struct {
	// Message is the engine's rendering of the exception, e.g.
	// "ReferenceError: x is not defined".
	Message string
	// Stack is the JS stack, when the exception had one.
	Stack string
	err   error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.err }

func wrap(err error) error {
	var qe *qjs.Error
	if errors.As(err, &qe) {
		return &Error{Message: qe.Error(), Stack: qe.Stack, err: err}
	}
	return &Error{Message: err.Error(), err: err}
}
