//go:build !(cgo && hull_v8)

package v8

import "errors"

// Available reports whether V8 is compiled into this binary.
const Available = false

// ErrNotCompiled is returned by New in builds without V8.
var ErrNotCompiled = errors.New("V8 is not compiled into this hull binary (it needs CGO_ENABLED=1 and -tags hull_v8)")

// VM is a V8 engine instance; builds without V8 cannot create one.
type VM struct{}

// Config configures one VM.
type Config struct {
	MemoryLimit int64
	StackSize   int64
	Resolve     func(base, name string) (string, error)
	Load        func(path string) (string, error)
	Restore     RestoreMode
}

// RestoreMode is how Restore makes a fresh state.
type RestoreMode int

// Restore modes (see the cgo build).
const (
	RestoreFromSnapshot RestoreMode = iota
	RestoreByReplay
)

// New reports that V8 is not compiled in.
func New(Config) (*VM, error) { return nil, ErrNotCompiled }

// Register, Eval, Call, RunJobs, Interrupt and Close exist so that the
// runtime compiles against the same API in every build.
func (*VM) Register(string, func([]any) (any, error)) error { return ErrNotCompiled }
func (*VM) Eval(string) (any, error)                        { return nil, ErrNotCompiled }
func (*VM) Call(string, ...string) (any, error)             { return nil, ErrNotCompiled }
func (*VM) RunJobs() (int, error)                           { return 0, ErrNotCompiled }
func (*VM) Interrupt()                                      {}
func (*VM) Close() error                                    { return nil }
