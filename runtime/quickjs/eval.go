package quickjs

import (
	"bytes"
	"errors"
	"fmt"
	"unsafe"

	"modernc.org/libc"
	lib "modernc.org/libquickjs"
)

// maxJobs bounds one RunJobs call, so a self-feeding job queue cannot hold
// the caller forever between interrupt checks.
const maxJobs = 1 << 20

// Eval runs src as a global script and returns its completion value
// converted to Go (string, float64, bool, nil).
func (v *VM) Eval(src string) (any, error) {
	csrc := v.cString(src)
	defer libc.Xfree(v.tls, csrc)
	cname := v.cString("<eval>")
	defer libc.Xfree(v.tls, cname)
	r := lib.XJS_Eval(v.tls, v.ctx, csrc, lib.Tsize_t(len(src)), cname, lib.MJS_EVAL_TYPE_GLOBAL)
	return v.result(r)
}

// Call calls the global function name with string arguments and returns
// its result converted to Go.
func (v *VM) Call(name string, args ...string) (any, error) {
	g := lib.XJS_GetGlobalObject(v.tls, v.ctx)
	defer lib.XFreeValue(v.tls, v.ctx, g)
	cname := v.cString(name)
	f := lib.XJS_GetPropertyStr(v.tls, v.ctx, g, cname)
	libc.Xfree(v.tls, cname)
	if isException(f) {
		return nil, v.exception()
	}
	defer lib.XFreeValue(v.tls, v.ctx, f)
	size := int(unsafe.Sizeof(lib.TJSValue{}))
	argv := v.tls.Alloc(size * max(len(args), 1))
	defer v.tls.Free(size * max(len(args), 1))
	vals := unsafe.Slice((*lib.TJSValue)(addr(argv)), max(len(args), 1))
	for i, a := range args {
		vals[i] = v.newString(a)
		if isException(vals[i]) {
			for _, x := range vals[:i] {
				lib.XFreeValue(v.tls, v.ctx, x)
			}
			return nil, v.exception()
		}
	}
	r := lib.XJS_Call(v.tls, v.ctx, f, g, int32(len(args)), argv)
	for _, x := range vals[:len(args)] {
		lib.XFreeValue(v.tls, v.ctx, x)
	}
	return v.result(r)
}

// Compile turns a global script into bytecode for EvalCompiled, which is
// valid in any VM of this engine version.
func (v *VM) Compile(src string) ([]byte, error) {
	return v.compile("<eval>", src, lib.MJS_EVAL_TYPE_GLOBAL)
}

// EvalCompiled runs bytecode made by Compile.
func (v *VM) EvalCompiled(code []byte) (any, error) {
	obj, err := v.readObject(code)
	if err != nil {
		return nil, err
	}
	return v.result(lib.XJS_EvalFunction(v.tls, v.ctx, obj))
}

// CompileModule compiles the ES module src, named path, to bytecode for
// LoadModule. Imports are not loaded: they stay specifiers, resolved
// against path when the bytecode is loaded. An error means only that this
// module must be loaded from source (which reports any real error).
func CompileModule(path, src string) ([]byte, error) {
	v, err := New(Config{
		MemoryLimit: 64 << 20,
		// Compiling resolves imports; an empty module stands in for each
		// one, under a name no real module has.
		Resolve: func(base, name string) (string, error) { return "\x00stub:" + base + "|" + name, nil },
		Load:    func(string) (string, error) { return "", nil },
	})
	if err != nil {
		return nil, err
	}
	defer v.Close()
	return v.compile(path, src, lib.MJS_EVAL_TYPE_MODULE)
}

// LoadModule evaluates module bytecode from CompileModule. The module
// joins the VM's module map under its path, so later imports of that path
// find it; its own imports are resolved and loaded as usual, so load a
// module's dependencies first to have them come from bytecode too.
func (v *VM) LoadModule(code []byte) error {
	obj, err := v.readObject(code)
	if err != nil {
		return err
	}
	if lib.XJS_ResolveModule(v.tls, v.ctx, obj) < 0 {
		lib.XFreeValue(v.tls, v.ctx, obj)
		return v.exception()
	}
	p := lib.XJS_EvalFunction(v.tls, v.ctx, obj)
	if isException(p) {
		return v.exception()
	}
	defer lib.XFreeValue(v.tls, v.ctx, p)
	for {
		switch lib.XJS_PromiseState(v.tls, v.ctx, p) {
		case lib.EJS_PROMISE_FULFILLED:
			return nil
		case lib.EJS_PROMISE_REJECTED:
			return v.errorOf(lib.XJS_PromiseResult(v.tls, v.ctx, p), true)
		case lib.EJS_PROMISE_PENDING:
			if v.interrupt.Load() != 0 {
				return &Error{Message: "InternalError: interrupted"}
			}
			n, err := v.RunJobs()
			if err != nil {
				return err
			}
			if n == 0 {
				return &Error{Message: "module evaluation awaits something that never resolves"}
			}
		default:
			return nil // not a promise: evaluated synchronously
		}
	}
}

// RunJobs runs the pending promise jobs until none is left, the VM is
// interrupted or a job throws, and reports how many ran.
func (v *VM) RunJobs() (int, error) {
	pctx := v.tls.Alloc(8)
	defer v.tls.Free(8)
	n := 0
	for n < maxJobs {
		r := lib.XJS_ExecutePendingJob(v.tls, v.rt, pctx)
		if r == 0 {
			return n, nil
		}
		n++
		if r < 0 {
			return n, v.exception()
		}
		if v.interrupt.Load() != 0 {
			return n, &Error{Message: "InternalError: interrupted"}
		}
	}
	return n, nil
}

func (v *VM) compile(name, src string, typ int32) ([]byte, error) {
	csrc := v.cString(src)
	defer libc.Xfree(v.tls, csrc)
	cname := v.cString(name)
	defer libc.Xfree(v.tls, cname)
	obj := lib.XJS_Eval(v.tls, v.ctx, csrc, lib.Tsize_t(len(src)), cname, typ|lib.MJS_EVAL_FLAG_COMPILE_ONLY)
	if isException(obj) {
		return nil, fmt.Errorf("quickjs: %s does not compile: %w", name, v.exception())
	}
	defer lib.XFreeValue(v.tls, v.ctx, obj)
	plen := v.tls.Alloc(8)
	defer v.tls.Free(8)
	p := lib.XJS_WriteObject(v.tls, v.ctx, plen, obj, lib.MJS_WRITE_OBJ_BYTECODE)
	if p == 0 {
		return nil, fmt.Errorf("quickjs: %s: cannot write bytecode: %w", name, v.exception())
	}
	defer lib.Xjs_free(v.tls, v.ctx, p)
	n := int(*(*lib.Tsize_t)(addr(plen)))
	return bytes.Clone(unsafe.Slice((*byte)(addr(p)), n)), nil
}

func (v *VM) readObject(code []byte) (lib.TJSValue, error) {
	if len(code) == 0 {
		return lib.TJSValue{}, errors.New("quickjs: empty bytecode")
	}
	buf := libc.Xmalloc(v.tls, lib.Tsize_t(len(code)))
	if buf == 0 {
		return lib.TJSValue{}, errors.New("quickjs: out of memory")
	}
	defer libc.Xfree(v.tls, buf)
	copy(unsafe.Slice((*byte)(addr(buf)), len(code)), code)
	obj := lib.XJS_ReadObject(v.tls, v.ctx, buf, lib.Tsize_t(len(code)), lib.MJS_READ_OBJ_BYTECODE)
	if isException(obj) {
		return obj, v.exception()
	}
	return obj, nil
}

// normalizeModule and loadModule are the engine's module hooks.
func (v *VM) normalizeModule(_ *libc.TLS, ctx, base, name, _ uintptr) uintptr {
	b, n := goCString(base), goCString(name)
	resolve := v.cfg.Resolve
	if resolve == nil {
		resolve = func(_, name string) (string, error) { return name, nil }
	}
	p, err := resolve(b, n)
	if err != nil {
		v.throw(fmt.Sprintf("module normalization failed: %v", err))
		return 0
	}
	cp := v.cString(p)
	defer libc.Xfree(v.tls, cp)
	return lib.Xjs_strdup(v.tls, ctx, cp)
}

func (v *VM) loadModule(_ *libc.TLS, ctx, name, _ uintptr, _ lib.TJSValue) uintptr {
	if v.cfg.Load == nil {
		v.throw(fmt.Sprintf("module load failed: no module %q", goCString(name)))
		return 0
	}
	src, err := v.cfg.Load(goCString(name))
	if err != nil {
		v.throw(fmt.Sprintf("module load failed: %v", err))
		return 0
	}
	csrc := v.cString(src)
	defer libc.Xfree(v.tls, csrc)
	m := lib.XJS_Eval(v.tls, ctx, csrc, lib.Tsize_t(len(src)), name, lib.MJS_EVAL_TYPE_MODULE|lib.MJS_EVAL_FLAG_COMPILE_ONLY)
	if isException(m) {
		return 0
	}
	p := valuePtr(m)
	lib.XFreeValue(v.tls, ctx, m)
	return p
}

// callHost is the trampoline of every registered Go function; magic
// selects which.
func (v *VM) callHost(_ *libc.TLS, ctx uintptr, _ lib.TJSValue, argc int32, argv uintptr, magic int32) (r lib.TJSValue) {
	if int(magic) >= len(v.hosts) {
		return v.throw("host function missing")
	}
	args := make([]any, argc)
	vals := unsafe.Slice((*lib.TJSValue)(addr(argv)), argc)
	for i, a := range vals {
		x, err := v.toGo(a)
		if err != nil {
			return lib.TJSValue{Ftag: lib.EJS_TAG_EXCEPTION}
		}
		args[i] = x
	}
	var (
		out any
		err error
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("host function panicked: %v", p)
			}
		}()
		out, err = v.hosts[magic](args)
	}()
	if err != nil {
		return v.throw(err.Error())
	}
	return v.fromGo(out)
}
