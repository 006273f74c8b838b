package quickjs

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"modernc.org/libc"
	lib "modernc.org/libquickjs"
	qjs "modernc.org/quickjs"
)

// CompileModule compiles the ES module src, named path, to bytecode for
// LoadModule. Imports are not loaded: they stay specifiers, resolved
// against path when the bytecode is loaded. An error means only that this
// module must be loaded from source (which reports any real error).
func CompileModule(path, src string) ([]byte, error) {
	vm, err := qjs.NewVM()
	if err != nil {
		return nil, fmt.Errorf("quickjs: new vm: %w", err)
	}
	defer vm.Close()
	// Compiling resolves imports; an empty module stands in for each one,
	// under a name no real module has.
	vm.SetModuleLoader(
		func(*qjs.VM, string) (string, error) { return "", nil },
		func(_ *qjs.VM, base, name string) (string, error) { return "\x00stub:" + base + "|" + name, nil },
	)
	h, err := engineHandles(vm)
	if err != nil {
		return nil, err
	}
	return h.compileModule(path, src)
}

// LoadModule evaluates module bytecode from CompileModule in v. The module
// joins v's module map under its path, so later imports of that path find
// it; its own imports are resolved and loaded as usual, so load a module's
// dependencies first to have them come from bytecode too.
func (v *VM) LoadModule(code []byte) error {
	if _, err := v.vm.EvalBytecode(code); err != nil {
		return wrap(err)
	}
	return nil
}

// handles are the C-level engine handles of a VM. modernc.org/quickjs
// compiles only under the name "<eval>", and a module's name is what other
// modules import it by, so CompileModule reaches the engine directly. The
// field layout is that of modernc.org/quickjs v0.27.0; engineHandles fails
// cleanly if it changes, and the package tests catch it.
type handles struct {
	tls *libc.TLS
	ctx uintptr
}

func engineHandles(vm *qjs.VM) (handles, error) {
	st := reflect.ValueOf(vm).Elem().FieldByName("state")
	if !st.IsValid() {
		return handles{}, errors.New("quickjs: engine layout changed (state)")
	}
	ctxF, rtF := st.FieldByName("cContext"), st.FieldByName("runtime")
	if !ctxF.IsValid() || ctxF.Kind() != reflect.Uintptr || !rtF.IsValid() || rtF.Kind() != reflect.Pointer {
		return handles{}, errors.New("quickjs: engine layout changed (context)")
	}
	rt := reflect.NewAt(rtF.Type().Elem(), rtF.UnsafePointer()).Elem()
	tlsF := rt.FieldByName("tls")
	if !tlsF.IsValid() || tlsF.Type() != reflect.TypeFor[*libc.TLS]() {
		return handles{}, errors.New("quickjs: engine layout changed (tls)")
	}
	return handles{
		tls: *(**libc.TLS)(unsafe.Pointer(tlsF.UnsafeAddr())),
		ctx: *(*uintptr)(unsafe.Pointer(ctxF.UnsafeAddr())),
	}, nil
}

func (h handles) compileModule(path, src string) ([]byte, error) {
	csrc, err := libc.CString(src)
	if err != nil {
		return nil, errors.New("quickjs: out of memory")
	}
	defer libc.Xfree(h.tls, csrc)
	cname, err := libc.CString(path)
	if err != nil {
		return nil, errors.New("quickjs: out of memory")
	}
	defer libc.Xfree(h.tls, cname)
	v := lib.XJS_Eval(h.tls, h.ctx, csrc, libc.Tsize_t(len(src)), cname, int32(lib.MJS_EVAL_TYPE_MODULE|lib.MJS_EVAL_FLAG_COMPILE_ONLY))
	if v.Ftag == lib.EJS_TAG_EXCEPTION {
		lib.XFreeValue(h.tls, h.ctx, lib.XJS_GetException(h.tls, h.ctx))
		return nil, fmt.Errorf("quickjs: %s does not compile", path)
	}
	defer lib.XFreeValue(h.tls, h.ctx, v)
	plen := h.tls.Alloc(8)
	defer h.tls.Free(8)
	p := lib.XJS_WriteObject(h.tls, h.ctx, plen, v, lib.MJS_WRITE_OBJ_BYTECODE)
	if p == 0 {
		lib.XFreeValue(h.tls, h.ctx, lib.XJS_GetException(h.tls, h.ctx))
		return nil, fmt.Errorf("quickjs: %s: cannot write bytecode", path)
	}
	defer lib.Xjs_free(h.tls, h.ctx, p)
	n := int(*(*libc.Tsize_t)(unsafe.Add(nil, plen)))
	return bytes.Clone(libc.GoBytes(p, n)), nil
}
