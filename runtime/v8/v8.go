//go:build cgo && hull_v8

package v8

// #cgo CXXFLAGS: -std=c++20 -fno-rtti -fPIC -O2 -I${SRCDIR}/../../third_party/v8/include
// #cgo CXXFLAGS: -DV8_COMPRESS_POINTERS -DV8_31BIT_SMIS_ON_64BIT_ARCH -DV8_ENABLE_SANDBOX
// #cgo CXXFLAGS: -Wno-deprecated-declarations
// #include <stdlib.h>
// #include "hv8.h"
import "C"

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/cgo"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Available reports whether V8 is compiled into this binary.
const Available = true

// DefaultStackSize is the thread stack JS may use when Config.StackSize
// is 0, V8's own default.
const DefaultStackSize = 984 << 10

// flags are V8's process-wide settings. The binding collects dropped
// contexts itself, which V8 allows only with gc exposed; it is exposed
// under a name of hull's glue (V8 makes it undeletable).
const flags = "--expose-gc-as=__hull_gc"

var (
	initOnce sync.Once
	initErr  error
)

// start initializes V8 once per process.
func start() error {
	initOnce.Do(func() {
		cf := C.CString(flags)
		defer C.free(unsafe.Pointer(cf))
		if msg := C.hv8_init(cf); msg != nil {
			initErr = fmt.Errorf("v8: %s", C.GoString(msg))
		}
	})
	return initErr
}

// Config configures one VM.
type Config struct {
	// MemoryLimit caps the JS heap, and separately the array buffers, in
	// bytes (0: 256 MiB).
	MemoryLimit int64
	// StackSize is the thread stack JS may use, in bytes (0:
	// DefaultStackSize); deeper recursion throws a RangeError.
	StackSize int64
	// Resolve maps an import specifier, relative to the importing
	// module's path ("<eval>" for scripts), to a module path.
	Resolve func(base, name string) (string, error)
	// Load returns the ESM source of a module path.
	Load func(path string) (string, error)
	// Restore chooses how Restore makes a fresh state.
	Restore RestoreMode
}

const defaultMemoryLimit = 256 << 20

// HostFunc is a Go function callable from JS. Arguments arrive as string,
// float64, int, bool or nil; the result may be one of those; a returned
// error is thrown into JS as an Error with the error's text.
type HostFunc func(args []any) (any, error)

// Error is an exception that escaped to Go.
type Error struct {
	// Message is String(exception), e.g. "ReferenceError: x is not defined".
	Message string
	// Stack is the exception's stack, when it is an Error.
	Stack string
}

func (e *Error) Error() string { return e.Message }

// errInterrupted and errOutOfMemory are the errors of terminated runs.
var (
	errInterrupted = &Error{Message: "InternalError: interrupted"}
	errOutOfMemory = &Error{Message: "InternalError: out of memory"}
)

// VM is one isolate with one context at a time. It is not safe for
// concurrent use, except Interrupt.
type VM struct {
	mu     sync.Mutex // guards p against Close racing Interrupt and the watchdog
	p      *C.hv8_vm
	handle cgo.Handle
	cfg    Config
	limit  C.size_t
	stack  C.size_t

	hosts []HostFunc
	names []string

	check       func() bool
	interrupted atomic.Bool
	closed      bool

	// What the VM did before Snapshot: replayed to make its blob.
	rec *recipe
	// The blob every context of the VM copies, once it has one.
	blob *blob
	key  string
}

// New creates a VM.
func New(cfg Config) (*VM, error) {
	if err := start(); err != nil {
		return nil, err
	}
	limit := cfg.MemoryLimit
	if limit <= 0 {
		limit = defaultMemoryLimit
	}
	stack := cfg.StackSize
	if stack <= 0 {
		stack = DefaultStackSize
	}
	v := &VM{cfg: cfg, limit: C.size_t(limit), stack: C.size_t(stack), rec: &recipe{loads: map[string][32]byte{}}}
	v.handle = cgo.NewHandle(v)
	v.p = C.hv8_new(C.uintptr_t(v.handle), v.limit, v.stack, nil, 0, 0)
	if v.p == nil {
		v.handle.Delete()
		return nil, errors.New("v8: cannot create an isolate")
	}
	return v, nil
}

// Register exposes fn to JS as the global function name.
func (v *VM) Register(name string, fn func(args []any) (any, error)) error {
	if v.closed {
		return errors.New("v8: VM closed")
	}
	v.hosts = append(v.hosts, fn)
	v.names = append(v.names, name)
	register(v.p, name, len(v.hosts)-1)
	return nil
}

func register(p *C.hv8_vm, name string, index int) {
	C.hv8_register(p, cstr(name), C.size_t(len(name)), C.int(index))
}

// Eval runs src as a global script and returns its completion value
// converted to Go (string, float64, int, bool, nil).
func (v *VM) Eval(src string) (any, error) {
	if v.rec.record(op{kind: opEval, src: src}) {
		defer v.rec.done()
	}
	return v.eval(v.p, src)
}

func (v *VM) eval(p *C.hv8_vm, src string) (any, error) {
	if v.interrupted.Load() {
		return nil, errInterrupted
	}
	var out C.hv8_value
	C.hv8_eval(p, cstr(src), C.size_t(len(src)), &out)
	goruntime.KeepAlive(src)
	return v.result(p, &out)
}

// Call calls the global function name with string arguments and returns
// its result converted to Go.
func (v *VM) Call(name string, args ...string) (any, error) {
	if v.rec.record(op{kind: opCall, name: name, args: args}) {
		defer v.rec.done()
	}
	return v.call(v.p, name, args)
}

func (v *VM) call(p *C.hv8_vm, name string, args []string) (any, error) {
	if v.interrupted.Load() {
		return nil, errInterrupted
	}
	n := 0
	for _, a := range args {
		n += len(a)
	}
	var lens [8]C.size_t
	ls := lens[:0]
	if len(args) > len(lens) {
		ls = make([]C.size_t, 0, len(args))
	}
	var buf []byte
	if len(args) == 1 {
		buf = unsafe.Slice(unsafe.StringData(args[0]), len(args[0]))
	} else if n > 0 {
		buf = make([]byte, 0, n)
		for _, a := range args {
			buf = append(buf, a...)
		}
	}
	for _, a := range args {
		ls = append(ls, C.size_t(len(a)))
	}
	var pargs *C.char
	if len(buf) > 0 {
		pargs = (*C.char)(unsafe.Pointer(&buf[0]))
	}
	var plens *C.size_t
	if len(ls) > 0 {
		plens = &ls[0]
	}
	var out C.hv8_value
	C.hv8_call(p, cstr(name), C.size_t(len(name)), pargs, plens, C.int(len(args)), &out)
	goruntime.KeepAlive(buf)
	goruntime.KeepAlive(name)
	return v.result(p, &out)
}

// RunJobs runs the pending promise jobs until none is left. V8 does not
// count them, so it reports 0: the queue is empty when it returns.
func (v *VM) RunJobs() (int, error) {
	if v.rec.record(op{kind: opJobs}) {
		defer v.rec.done()
	}
	return 0, v.runJobs(v.p)
}

func (v *VM) runJobs(p *C.hv8_vm) error {
	if v.interrupted.Load() {
		return errInterrupted
	}
	var out C.hv8_value
	C.hv8_run_jobs(p, &out)
	_, err := v.result(p, &out)
	return err
}

// Compile returns a code cache of the script src for EvalCompiled; it is
// valid in every VM of this process.
func (v *VM) Compile(src string) ([]byte, error) {
	var out C.hv8_value
	C.hv8_compile(v.p, cstr(src), C.size_t(len(src)), &out)
	goruntime.KeepAlive(src)
	r, err := v.result(v.p, &out)
	if err != nil {
		return nil, err
	}
	cache, _ := r.(string)
	code := make([]byte, 8, 8+len(src)+len(cache))
	binary.LittleEndian.PutUint64(code, uint64(len(src)))
	code = append(code, src...)
	return append(code, cache...), nil
}

// EvalCompiled runs a script compiled by Compile.
func (v *VM) EvalCompiled(code []byte) (any, error) {
	if v.rec.record(op{kind: opCompiled, code: code}) {
		defer v.rec.done()
	}
	return v.evalCompiled(v.p, code)
}

func (v *VM) evalCompiled(p *C.hv8_vm, code []byte) (any, error) {
	if len(code) < 8 || uint64(len(code)-8) < binary.LittleEndian.Uint64(code) {
		return nil, errors.New("v8: bad compiled script")
	}
	if v.interrupted.Load() {
		return nil, errInterrupted
	}
	n := int(binary.LittleEndian.Uint64(code))
	src, cache := code[8:8+n], code[8+n:]
	var out C.hv8_value
	var pc *C.char
	if len(cache) > 0 {
		pc = (*C.char)(unsafe.Pointer(&cache[0]))
	}
	C.hv8_eval_cached(p, (*C.char)(unsafe.Pointer(&src[0])), C.size_t(n), pc, C.size_t(len(cache)), &out)
	goruntime.KeepAlive(code)
	return v.result(p, &out)
}

// SetInterruptCheck installs f, which the VM calls from the goroutine
// running JS every few milliseconds while JS runs; JS stops when f
// returns true (as with Interrupt). nil removes it.
func (v *VM) SetInterruptCheck(f func() bool) {
	v.check = f
	if f != nil {
		watch.add(v)
	} else {
		watch.remove(v)
	}
}

// Interrupt asks the running JS to stop; it may be called from any
// goroutine. The request stands until the VM is restored or
// ClearInterrupt is called.
func (v *VM) Interrupt() {
	v.interrupted.Store(true)
	v.mu.Lock()
	if v.p != nil {
		C.hv8_terminate(v.p)
	}
	v.mu.Unlock()
}

// ClearInterrupt withdraws an Interrupt.
func (v *VM) ClearInterrupt() {
	v.interrupted.Store(false)
	v.mu.Lock()
	if v.p != nil {
		C.hv8_cancel_terminate(v.p)
	}
	v.mu.Unlock()
}

// MemoryExhausted reports whether the VM reached its memory ceiling since
// its context was made.
func (v *VM) MemoryExhausted() bool { return C.hv8_memory_exhausted(v.p) != 0 }

// UnhandledRejections returns the reasons (as String(reason)) of promises
// rejected with no handler since the last call, and forgets them.
func (v *VM) UnhandledRejections() []string {
	n := int(C.hv8_rejections(v.p))
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		var val C.hv8_value
		C.hv8_rejection(v.p, C.int(i), &val)
		out[i] = C.GoStringN(val.str, C.int(val.len))
	}
	C.hv8_clear_rejections(v.p)
	return out
}

// HeapStats reports the VM's heap: bytes used, bytes reserved, and bytes
// of array buffers outside it.
func (v *VM) HeapStats() (used, total, external int) {
	var u, t, e C.size_t
	C.hv8_heap(v.p, &u, &t, &e)
	return int(u), int(t), int(e)
}

// Close frees the VM.
func (v *VM) Close() error {
	if v.closed {
		return nil
	}
	v.closed = true
	watch.remove(v)
	v.mu.Lock()
	p := v.p
	v.p = nil
	v.mu.Unlock()
	if p != nil {
		C.hv8_dispose(p)
	}
	if v.blob != nil {
		v.blob.release()
		v.blob = nil
	}
	v.handle.Delete()
	v.hosts, v.rec = nil, nil
	return nil
}

// result converts what a C call left in out.
func (v *VM) result(p *C.hv8_vm, out *C.hv8_value) (any, error) {
	switch out.kind {
	case C.HV8_UNDEFINED, C.HV8_NULL:
		return nil, nil
	case C.HV8_BOOL:
		return out.num != 0, nil
	case C.HV8_INT:
		return int(out.num), nil
	case C.HV8_FLOAT:
		return float64(out.num), nil
	case C.HV8_STRING:
		return C.GoStringN(out.str, C.int(out.len)), nil
	case C.HV8_BYTES:
		return C.GoBytes(unsafe.Pointer(out.str), C.int(out.len)), nil
	case C.HV8_ERROR:
		return nil, &Error{Message: C.GoStringN(out.str, C.int(out.len)), Stack: C.GoStringN(out.stack, C.int(out.stack_len))}
	case C.HV8_TERMINATED:
		if C.hv8_memory_exhausted(p) != 0 {
			return nil, errOutOfMemory
		}
		return nil, errInterrupted
	}
	return nil, fmt.Errorf("v8: unexpected result kind %d", out.kind)
}

// cstr points C at s's bytes for the duration of a call (the C side
// copies what it keeps).
func cstr(s string) *C.char {
	if len(s) == 0 {
		return (*C.char)(unsafe.Pointer(&emptyByte))
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s)))
}

var emptyByte byte

// ---- the recipe ----

type opKind int

const (
	opEval opKind = iota
	opCall
	opJobs
	opCompiled
)

type op struct {
	kind opKind
	src  string
	name string
	args []string
	code []byte
}

// maxRecordedOps bounds a recipe; a VM that did more is not snapshotted.
const maxRecordedOps = 4096

// recipe is what a VM did from creation to Snapshot, and the module
// sources it loaded meanwhile. Only top-level operations are recorded:
// one made by a host function while another runs is part of it.
type recipe struct {
	ops      []op
	loads    map[string][32]byte
	depth    int
	stopped  bool
	overflow bool
	// replaying: loads are being recorded again, to compare.
	replaying bool
}

func (r *recipe) record(o op) bool {
	if r == nil || r.stopped || r.replaying {
		return false
	}
	r.depth++
	if r.depth == 1 {
		if len(r.ops) >= maxRecordedOps {
			r.overflow = true
		} else {
			r.ops = append(r.ops, o)
		}
	}
	return true
}

func (r *recipe) done() { r.depth-- }

// key names the state the recipe produces.
func (r *recipe) key(names []string) string {
	h := sha256.New()
	var n [8]byte
	put := func(s string) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	for _, name := range names {
		put(name)
	}
	for _, o := range r.ops {
		put(fmt.Sprint(o.kind))
		put(o.src)
		put(o.name)
		put(string(o.code))
		for _, a := range o.args {
			put(a)
		}
	}
	paths := make([]string, 0, len(r.loads))
	for p := range r.loads {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		sum := r.loads[p]
		put(p)
		h.Write(sum[:])
	}
	return string(h.Sum(nil))
}
