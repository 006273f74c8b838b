// Function sources: the text a function keeps for
// Function.prototype.toString, hull's addition to the transpiled engine
// (the other half is the set of edits third_party/libquickjs-patch
// applies).
//
// A source never changes once the function is parsed or read back from
// bytecode, but upstream allocates it like any object, inside the
// engine's small-block slabs. An embedder that snapshots the engine's
// memory and copies it back after every call copies every source with
// it: a quarter of a prepared engine for a bundled Convex module. These
// functions take sources straight from the embedder's allocator with
// HullReadOnlyAlloc set in the size, so it can keep them apart (and out
// of what it copies back), and hand them back the same way.

package libquickjs // import "modernc.org/libquickjs"

import (
	"unsafe"

	"modernc.org/libc"
)

// HullReadOnlyAlloc is set in the size the embedder's js_malloc receives
// for memory the engine writes once, when it allocates it, and never
// again: a function's source. The embedder must clear it, and may give
// such memory from anywhere its js_free recognizes.
const HullReadOnlyAlloc Tsize_t = 1 << 62

// hullMallocContext is the allocator state at the start of a runtime.
func hullMallocContext(rt uintptr) *TJSMallocContext {
	return (*TJSMallocContext)(unsafe.Pointer(rt))
}

// hullSourceAlloc returns n bytes for a source, from the embedder's
// js_malloc with HullReadOnlyAlloc set (0, with an out-of-memory error
// thrown in ctx, when refused).
func hullSourceAlloc(tls *libc.TLS, ctx uintptr, n Tsize_t) uintptr {
	rt := (*TJSContext)(unsafe.Pointer(ctx)).Frt
	mc := hullMallocContext(rt)
	state := rt + unsafe.Offsetof(mc.Fmalloc_state)
	p := (*(*func(*libc.TLS, uintptr, Tsize_t) uintptr)(unsafe.Pointer(&struct{ uintptr }{mc.Fmf.Fjs_malloc})))(tls, state, n|HullReadOnlyAlloc)
	if p == 0 {
		XJS_ThrowOutOfMemory(tls, ctx)
	}
	return p
}

// hullSourceStrndup is js_strndup for a source.
func hullSourceStrndup(tls *libc.TLS, ctx uintptr, s uintptr, n Tsize_t) uintptr {
	p := hullSourceAlloc(tls, ctx, n+1)
	if p != 0 {
		libc.Xmemcpy(tls, p, s, n)
		*(*int8)(unsafe.Add(nil, p+uintptr(n))) = 0
	}
	return p
}

// hullSourceFreeRT hands a source back to the embedder's js_free.
func hullSourceFreeRT(tls *libc.TLS, rt uintptr, p uintptr) {
	if p == 0 {
		return
	}
	mc := hullMallocContext(rt)
	state := rt + unsafe.Offsetof(mc.Fmalloc_state)
	(*(*func(*libc.TLS, uintptr, uintptr))(unsafe.Pointer(&struct{ uintptr }{mc.Fmf.Fjs_free})))(tls, state, p)
}

// hullSourceFree is hullSourceFreeRT for ctx's runtime.
func hullSourceFree(tls *libc.TLS, ctx uintptr, p uintptr) {
	hullSourceFreeRT(tls, (*TJSContext)(unsafe.Pointer(ctx)).Frt, p)
}

// hullBytecodeInline is false: a function read back from bytecode keeps
// its bytecode apart from the function, in memory from hullBytecodeAlloc,
// rather than at the end of the function's own allocation. It is never
// freed apart: the embedder's allocator hands back its read-only memory
// with the engine's region (the only allocator hull runs the engine on).
const hullBytecodeInline = false

// hullBytecodeAlloc returns the memory a read function's bytecode is read
// into (0, with an out-of-memory error thrown, when refused).
func hullBytecodeAlloc(tls *libc.TLS, s uintptr, n Tuint32_t) uintptr {
	return hullSourceAlloc(tls, (*TBCReaderState)(unsafe.Pointer(s)).Fctx, Tsize_t(n))
}
