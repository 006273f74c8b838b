package quickjs

import (
	"errors"
	"fmt"

	"modernc.org/libc"
	lib "modernc.org/libquickjs"
)

// Continuation data is one JS value the engine carries along promise
// reactions: the value current when a reaction is registered (by .then or
// await) is current again while the reaction runs. AsyncLocalStorage keeps
// its stores in it. JS reads and replaces it through two globals defined
// here, which the runtime's setup code takes and deletes:
//
//	__hull_continuation_get()   the current value
//	__hull_continuation_set(v)  makes v current

// enableContinuation gives the context its continuation data and defines
// the two globals.
func (v *VM) enableContinuation() error {
	if lib.XJS_EnableContinuationData(v.tls, v.ctx) < 0 {
		return errors.New("quickjs: out of memory enabling continuation data")
	}
	for _, f := range []struct {
		name string
		fn   func(*libc.TLS, uintptr, lib.TJSValue, int32, uintptr) lib.TJSValue
		argc int32
	}{
		{"__hull_continuation_get", v.continuationGet, 0},
		{"__hull_continuation_set", v.continuationSet, 1},
	} {
		if err := v.defineNative(f.name, v.keep(f.fn), f.argc, lib.EJS_CFUNC_generic, 0); err != nil {
			return err
		}
	}
	return nil
}

func (v *VM) continuationGet(tls *libc.TLS, ctx uintptr, _ lib.TJSValue, _ int32, _ uintptr) lib.TJSValue {
	return lib.XJS_GetContinuationData(tls, ctx)
}

func (v *VM) continuationSet(tls *libc.TLS, ctx uintptr, _ lib.TJSValue, argc int32, argv uintptr) lib.TJSValue {
	val := lib.TJSValue{Ftag: lib.EJS_TAG_UNDEFINED}
	if argc > 0 {
		val = *(*lib.TJSValue)(addr(argv))
	}
	lib.XJS_SetContinuationData(tls, ctx, val)
	return lib.TJSValue{Ftag: lib.EJS_TAG_UNDEFINED}
}

// defineNative defines the global name as the engine-level function at
// address fn, called with the signature proto selects.
func (v *VM) defineNative(name string, fn uintptr, argc int32, proto lib.TJSCFunctionEnum, magic int32) error {
	cname := v.cString(name)
	defer libc.Xfree(v.tls, cname)
	f := lib.XJS_NewCFunction2(v.tls, v.ctx, fn, cname, argc, proto, magic)
	if isException(f) {
		return fmt.Errorf("quickjs: define %s: %w", name, v.exception())
	}
	g := lib.XJS_GetGlobalObject(v.tls, v.ctx)
	defer lib.XFreeValue(v.tls, v.ctx, g)
	if lib.XJS_SetPropertyStr(v.tls, v.ctx, g, cname, f) < 0 {
		return fmt.Errorf("quickjs: define %s: %w", name, v.exception())
	}
	return nil
}
