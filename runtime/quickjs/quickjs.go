// Package quickjs is hull's default JavaScript engine: QuickJS as pure Go
// (modernc.org/libquickjs, no cgo), with native ES modules loaded straight
// from the pushed module set, a memory limit, a stack limit, asynchronous
// interrupts, and snapshots.
//
// Each VM allocates from one memory region of its own (see arena), so its
// whole state can be snapshotted after the module graph is evaluated and
// restored after every call: a call then starts from freshly evaluated
// modules without paying for their evaluation.
//
// A VM is not safe for concurrent use: create, use and close it on one
// goroutine at a time. Only Interrupt may be called from another goroutine.
package quickjs

import (
	"errors"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	lib "modernc.org/libquickjs"
)

// MaxStackSlots is the highest stack limit a VM accepts.
const MaxStackSlots = 10000

// Config configures one VM.
type Config struct {
	// MemoryLimit caps the engine heap in bytes (0: 256 MiB).
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

// defaultMemoryLimit applies when Config.MemoryLimit is 0.
const defaultMemoryLimit = 256 << 20

// HostFunc is a Go function callable from JS. Arguments arrive as string,
// float64, bool or nil; the result may be one of those (or an int); a
// returned error is thrown into JS as an Error with the error's text.
type HostFunc func(args []any) (any, error)

// VM is one engine instance with its own global object and module map.
type VM struct {
	tls   *libc.TLS
	rt    uintptr
	ctx   uintptr
	arena *arena
	cfg   Config

	interrupt atomic.Int32
	check     func() bool
	// rejected holds the promises rejected with no handler yet (by
	// address), with their reasons.
	rejected map[uintptr]string
	hosts    []HostFunc
	hostAddr uintptr
	// The engine knows these Go functions only by address, so the VM keeps
	// them reachable.
	callbacks []any
	closed    bool
}

// New creates a VM.
func New(cfg Config) (*VM, error) {
	limit := cfg.MemoryLimit
	if limit <= 0 {
		limit = defaultMemoryLimit
	}
	// Room for the limit plus size-class rounding and free-list slack.
	a, err := newArena(int(limit)*2 + 16<<20)
	if err != nil {
		return nil, err
	}
	v := &VM{tls: libc.NewTLS(), arena: a, cfg: cfg}
	// The engine copies the functions from C memory.
	mfp := libc.Xmalloc(v.tls, lib.Tsize_t(unsafe.Sizeof(lib.TJSMallocFunctions{})))
	if mfp == 0 {
		v.free()
		return nil, errors.New("quickjs: out of memory")
	}
	*(*lib.TJSMallocFunctions)(addr(mfp)) = lib.TJSMallocFunctions{
		Fjs_malloc:             v.keep(a.jsMalloc),
		Fjs_free:               v.keep(a.jsFree),
		Fjs_realloc:            v.keep(a.jsRealloc),
		Fjs_malloc_usable_size: v.keep(a.jsUsableSize),
	}
	v.rt = lib.XJS_NewRuntime2(v.tls, mfp, 0)
	libc.Xfree(v.tls, mfp)
	if v.rt == 0 {
		v.free()
		return nil, errors.New("quickjs: cannot create a runtime")
	}
	stack := lib.Tsize_t(lib.MaxStackSlots)
	if cfg.MaxStackSize > 0 {
		stack = lib.Tsize_t(min(cfg.MaxStackSize, MaxStackSlots))
	}
	lib.XJS_SetMaxStackSize(v.tls, v.rt, stack)
	lib.XJS_SetMemoryLimit(v.tls, v.rt, lib.Tsize_t(max(limit, 1<<20)))
	v.ctx = lib.XJS_NewContext(v.tls, v.rt)
	if v.ctx == 0 {
		v.free()
		return nil, errors.New("quickjs: cannot create a context")
	}
	lib.XJS_SetInterruptHandler(v.tls, v.rt, v.keep(v.interruptHandler), 0)
	lib.XJS_SetHostPromiseRejectionTracker(v.tls, v.rt, v.keep(v.trackRejection), 0)
	lib.XJS_SetModuleLoaderFunc2(v.tls, v.rt, v.keep(v.normalizeModule), v.keep(v.loadModule), 0, 0)
	if err := v.enableContinuation(); err != nil {
		v.free()
		return nil, err
	}
	return v, nil
}

// keep records f (a Go func the engine will call) and returns the address
// the engine calls it by.
func (v *VM) keep(f any) uintptr {
	v.callbacks = append(v.callbacks, f)
	type iface [2]uintptr
	return (*iface)(unsafe.Pointer(&f))[1]
}

func (v *VM) interruptHandler(_ *libc.TLS, _, _ uintptr) int32 {
	if v.interrupt.Load() != 0 {
		return 1
	}
	if v.check != nil && v.check() {
		v.interrupt.Store(1)
		return 1
	}
	return 0
}

func (v *VM) trackRejection(_ *libc.TLS, _ uintptr, promise, reason lib.TJSValue, handled int32, _ uintptr) {
	p := valuePtr(promise)
	if handled != 0 {
		delete(v.rejected, p)
		return
	}
	if v.rejected == nil {
		v.rejected = map[uintptr]string{}
	}
	msg, ok := v.goString(reason)
	if !ok {
		lib.XFreeValue(v.tls, v.ctx, lib.XJS_GetException(v.tls, v.ctx))
		msg = "a rejected promise"
	}
	v.rejected[p] = msg
}

// UnhandledRejections returns the reasons of promises rejected with no
// handler since the last call, and forgets them.
func (v *VM) UnhandledRejections() []string {
	if len(v.rejected) == 0 {
		return nil
	}
	out := make([]string, 0, len(v.rejected))
	for _, m := range v.rejected {
		out = append(out, m)
	}
	v.rejected = nil
	return out
}

// SetInterruptCheck installs f, which the engine calls every few thousand
// operations while JS runs, from the goroutine running it; JS stops when
// f returns true (as with Interrupt). nil removes it.
func (v *VM) SetInterruptCheck(f func() bool) { v.check = f }

// Interrupt asks the running JS to stop; it may be called from any
// goroutine. The request stands until the VM is restored or
// ClearInterrupt is called.
func (v *VM) Interrupt() { v.interrupt.Store(1) }

// ClearInterrupt withdraws an Interrupt.
func (v *VM) ClearInterrupt() { v.interrupt.Store(0) }

// MemoryExhausted reports whether an allocation was refused since the VM
// was created or last restored: a run that hit the memory limit, whatever
// value the engine then threw.
func (v *VM) MemoryExhausted() bool { return v.arena.failed }

// Snapshot records the VM's complete state. It must be taken when no JS
// is running and no job is pending.
func (v *VM) Snapshot() error {
	if lib.XJS_IsJobPending(v.tls, v.rt) != 0 {
		return errors.New("quickjs: snapshot with jobs pending")
	}
	lib.XJS_RunGC(v.tls, v.rt)
	v.arena.snapshot()
	return nil
}

// Restore returns the VM to its last snapshot, and withdraws any
// Interrupt.
func (v *VM) Restore() error {
	if v.arena.snap == nil {
		return errors.New("quickjs: restore without a snapshot")
	}
	v.arena.restore()
	v.interrupt.Store(0)
	v.rejected = nil
	return nil
}

// Close frees the VM. The engine's memory is its region, dropped whole.
func (v *VM) Close() error {
	if v.closed {
		return nil
	}
	v.closed = true
	v.free()
	return nil
}

func (v *VM) free() {
	v.tls.Close()
	v.arena.free()
	v.callbacks, v.hosts = nil, nil
}

// Register exposes fn to JS as the global function name.
func (v *VM) Register(name string, fn func(args []any) (any, error)) error {
	if v.hostAddr == 0 {
		v.hostAddr = v.keep(v.callHost)
	}
	magic := int32(len(v.hosts))
	v.hosts = append(v.hosts, fn)
	return v.defineNative(name, v.hostAddr, 2, lib.EJS_CFUNC_generic_magic, magic)
}

// HeapStats reports the bytes of the VM's region handed out so far, of
// those the bytes free for reuse, and the bytes the last snapshot keeps
// (what each restore copies).
func (v *VM) HeapStats() (used, free, snapshot int) {
	return v.arena.used(), v.arena.freeBytes(), len(v.arena.snap)
}
