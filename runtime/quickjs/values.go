//go:build amd64 || arm64 || riscv64 || loong64 || ppc64le || s390x || mips64 || mips64le || ppc64

package quickjs

import (
	"math"
	"strconv"
	"unsafe"

	"modernc.org/libc"
	lib "modernc.org/libquickjs"
)

// Values cross between Go and JS as 16-byte JSValues (a payload word and
// a tag word) on the 64-bit platforms hull supports.

func isException(v lib.TJSValue) bool { return v.Ftag == lib.EJS_TAG_EXCEPTION }

func valuePtr(v lib.TJSValue) uintptr { return uintptr(v.Fu.Fuint641) }

var (
	jsNull      = lib.TJSValue{Ftag: lib.EJS_TAG_NULL}
	jsUndefined = lib.TJSValue{Ftag: lib.EJS_TAG_UNDEFINED}
)

func jsBool(b bool) lib.TJSValue {
	v := lib.TJSValue{Ftag: lib.EJS_TAG_BOOL}
	if b {
		v.Fu.Fuint641 = 1
	}
	return v
}

func jsFloat(f float64) lib.TJSValue {
	if i := int32(f); float64(i) == f && !(f == 0 && math.Signbit(f)) {
		return lib.TJSValue{Fu: lib.TJSValueUnion{Fuint641: uint64(uint32(i))}, Ftag: lib.EJS_TAG_INT}
	}
	return lib.TJSValue{Fu: lib.TJSValueUnion{Fuint641: math.Float64bits(f)}, Ftag: lib.EJS_TAG_FLOAT64}
}

// cString copies s into engine-visible C memory (NUL-terminated); the
// caller frees it with libc.Xfree.
func (v *VM) cString(s string) uintptr {
	p := libc.Xmalloc(v.tls, lib.Tsize_t(len(s)+1))
	if p == 0 {
		panic("quickjs: out of memory")
	}
	b := unsafe.Slice((*byte)(addr(p)), len(s)+1)
	copy(b, s)
	b[len(s)] = 0
	return p
}

func goCString(p uintptr) string {
	if p == 0 {
		return ""
	}
	n := 0
	for *(*byte)(addr(p + uintptr(n))) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(addr(p)), n))
}

// newString makes a JS string of s.
func (v *VM) newString(s string) lib.TJSValue {
	if len(s) <= 256 {
		buf := v.tls.Alloc(len(s) + 1)
		defer v.tls.Free(len(s) + 1)
		copy(unsafe.Slice((*byte)(addr(buf)), len(s)), s)
		return lib.XJS_NewStringLen(v.tls, v.ctx, buf, lib.Tsize_t(len(s)))
	}
	p := v.cString(s)
	defer libc.Xfree(v.tls, p)
	return lib.XJS_NewStringLen(v.tls, v.ctx, p, lib.Tsize_t(len(s)))
}

// goString converts any JS value to a Go string as String(x) would.
func (v *VM) goString(x lib.TJSValue) (string, bool) {
	plen := v.tls.Alloc(8)
	defer v.tls.Free(8)
	p := lib.XJS_ToCStringLen2(v.tls, v.ctx, plen, x, 0)
	if p == 0 {
		return "", false
	}
	defer lib.XJS_FreeCString(v.tls, v.ctx, p)
	n := *(*lib.Tsize_t)(addr(plen))
	return string(unsafe.Slice((*byte)(addr(p)), n)), true
}

// toGo converts a borrowed JS value to Go: strings, numbers (float64, or
// int for small integers), booleans, nil for null and undefined, a copy of
// the bytes of an ArrayBuffer or a typed array as []byte, and the String()
// of anything else.
func (v *VM) toGo(x lib.TJSValue) (any, error) {
	if b, ok := v.bytesOf(x); ok {
		return b, nil
	}
	switch x.Ftag {
	case lib.EJS_TAG_INT:
		return int(int32(uint32(x.Fu.Fuint641))), nil
	case lib.EJS_TAG_FLOAT64:
		return math.Float64frombits(x.Fu.Fuint641), nil
	case lib.EJS_TAG_BOOL:
		return x.Fu.Fuint641&0xffffffff != 0, nil
	case lib.EJS_TAG_NULL, lib.EJS_TAG_UNDEFINED:
		return nil, nil
	case lib.EJS_TAG_EXCEPTION:
		return nil, v.exception()
	}
	s, ok := v.goString(x)
	if !ok {
		return nil, v.exception()
	}
	return s, nil
}

// fromGo converts a Go result to a new JS value; []byte becomes an
// ArrayBuffer holding a copy.
func (v *VM) fromGo(x any) lib.TJSValue {
	switch t := x.(type) {
	case nil:
		return jsNull
	case string:
		return v.newString(t)
	case []byte:
		return v.newArrayBuffer(t)
	case bool:
		return jsBool(t)
	case float64:
		return jsFloat(t)
	case int:
		return jsFloat(float64(t))
	case int64:
		return jsFloat(float64(t))
	}
	return jsUndefined
}

// result converts an owned JS value (the outcome of an eval or call) to
// Go, freeing it.
func (v *VM) result(x lib.TJSValue) (any, error) {
	if isException(x) {
		return nil, v.exception()
	}
	defer lib.XFreeValue(v.tls, v.ctx, x)
	if x.Ftag == lib.EJS_TAG_UNDEFINED {
		return nil, nil
	}
	return v.toGo(x)
}

// Error is an exception that escaped to Go.
type Error struct {
	// Message is the engine's rendering of the exception, e.g.
	// "ReferenceError: x is not defined".
	Message string
	// Stack is the JS stack, when the exception had one.
	Stack string
}

func (e *Error) Error() string { return e.Message }

// exception takes the pending exception out of the context as an *Error.
func (v *VM) exception() error {
	return v.errorOf(lib.XJS_GetException(v.tls, v.ctx), true)
}

// errorOf describes the JS value e as an *Error, freeing it if owned.
func (v *VM) errorOf(e lib.TJSValue, owned bool) error {
	if owned {
		defer lib.XFreeValue(v.tls, v.ctx, e)
	}
	msg, ok := v.goString(e)
	if !ok {
		lib.XFreeValue(v.tls, v.ctx, lib.XJS_GetException(v.tls, v.ctx))
		msg = "exception of tag " + strconv.Itoa(int(e.Ftag))
	}
	out := &Error{Message: msg}
	if e.Ftag == lib.EJS_TAG_OBJECT {
		name := v.cString("stack")
		s := lib.XJS_GetPropertyStr(v.tls, v.ctx, e, name)
		libc.Xfree(v.tls, name)
		if isException(s) {
			lib.XFreeValue(v.tls, v.ctx, lib.XJS_GetException(v.tls, v.ctx))
		} else {
			if s.Ftag == lib.EJS_TAG_STRING || s.Ftag == lib.EJS_TAG_STRING_ROPE {
				out.Stack, _ = v.goString(s)
			}
			lib.XFreeValue(v.tls, v.ctx, s)
		}
	}
	return out
}

// throw raises a JS Error with msg and returns the exception marker.
func (v *VM) throw(msg string) lib.TJSValue {
	e := lib.XJS_NewError(v.tls, v.ctx)
	if isException(e) {
		return e
	}
	name := v.cString("message")
	defer libc.Xfree(v.tls, name)
	lib.XJS_SetPropertyStr(v.tls, v.ctx, e, name, v.newString(msg))
	return lib.XJS_Throw(v.tls, v.ctx, e)
}

// bytesOf copies the bytes of an ArrayBuffer or a typed array (the view's
// range only); ok is false for any other value. A detached buffer has none.
func (v *VM) bytesOf(x lib.TJSValue) (b []byte, ok bool) {
	if x.Ftag != lib.EJS_TAG_OBJECT {
		return nil, false
	}
	id := int(lib.XJS_GetClassID(v.tls, x))
	var off, n uint64
	buf := x
	switch {
	case id == lib.EJS_CLASS_ARRAY_BUFFER:
	case id >= lib.EJS_CLASS_UINT8C_ARRAY && id <= lib.EJS_CLASS_FLOAT64_ARRAY:
		p := v.tls.Alloc(16)
		defer v.tls.Free(16)
		buf = lib.XJS_GetTypedArrayBuffer(v.tls, v.ctx, x, p, p+8, 0)
		if isException(buf) {
			v.dropException()
			return []byte{}, true
		}
		defer lib.XFreeValue(v.tls, v.ctx, buf)
		off, n = *(*uint64)(addr(p)), *(*uint64)(addr(p + 8))
	default:
		return nil, false
	}
	psize := v.tls.Alloc(8)
	defer v.tls.Free(8)
	data := lib.XJS_GetArrayBuffer(v.tls, v.ctx, psize, buf)
	if data == 0 {
		v.dropException()
		return []byte{}, true
	}
	size := uint64(*(*lib.Tsize_t)(addr(psize)))
	if id == lib.EJS_CLASS_ARRAY_BUFFER {
		off, n = 0, size
	}
	if off+n > size {
		return []byte{}, true
	}
	out := make([]byte, n)
	copy(out, unsafe.Slice((*byte)(addr(data+uintptr(off))), n))
	return out, true
}

// newArrayBuffer makes an ArrayBuffer holding a copy of b: the engine
// allocates it zeroed (no source pointer), and b is copied in.
func (v *VM) newArrayBuffer(b []byte) lib.TJSValue {
	ab := lib.XJS_NewArrayBufferCopy(v.tls, v.ctx, 0, lib.Tsize_t(len(b)))
	if isException(ab) || len(b) == 0 {
		return ab
	}
	psize := v.tls.Alloc(8)
	defer v.tls.Free(8)
	data := lib.XJS_GetArrayBuffer(v.tls, v.ctx, psize, ab)
	if data == 0 {
		lib.XFreeValue(v.tls, v.ctx, ab)
		return lib.TJSValue{Ftag: lib.EJS_TAG_EXCEPTION}
	}
	copy(unsafe.Slice((*byte)(addr(data)), len(b)), b)
	return ab
}

// dropException clears the pending exception.
func (v *VM) dropException() {
	lib.XFreeValue(v.tls, v.ctx, lib.XJS_GetException(v.tls, v.ctx))
}
