// Continuation data: one value per context that the engine carries along
// every promise reaction, hull's addition to the transpiled engine (the
// other half is the set of edits third_party/libquickjs-patch applies).
//
// When a reaction is registered — by Promise.prototype.then, by await, by
// any internal use of the same machinery — the context's current
// continuation data is stored in the reaction record; when the reaction's
// job runs, that value is made current for the job and the previous one
// put back afterwards. A thenable's then() is called, in a later job, with
// the continuation data current when the promise was resolved with it.
// AsyncLocalStorage is built on this, as on V8's continuation-preserved
// embedder data.

package libquickjs // import "modernc.org/libquickjs"

import (
	"unsafe"

	"modernc.org/libc"
)

const (
	// hullReactionContinuation is the offset of the continuation data in
	// a reaction record, right after the upstream fields.
	hullReactionContinuation = unsafe.Sizeof(TJSPromiseReactionData{})
	// hullReactionSize is the size of a reaction record with it.
	hullReactionSize = hullReactionContinuation + unsafe.Sizeof(TJSValue{})
)

var hullUndefined = TJSValue{Ftag: int64(EJS_TAG_UNDEFINED)}

// hullSlot is the address of ctx's continuation data, or 0 when the
// embedder never enabled it.
func hullSlot(ctx uintptr) uintptr {
	return (*TJSContext)(unsafe.Pointer(ctx)).Fuser_opaque
}

// XJS_EnableContinuationData gives ctx a continuation data slot, holding
// undefined, in memory from the context's allocator (so it is part of
// whatever the embedder's allocator snapshots). It uses the context's
// opaque pointer, which the embedder must not set itself. It returns -1
// when out of memory.
func XJS_EnableContinuationData(tls *libc.TLS, ctx uintptr) int32 {
	if hullSlot(ctx) != 0 {
		return 0
	}
	slot := Xjs_mallocz(tls, ctx, Tsize_t(unsafe.Sizeof(TJSValue{})))
	if slot == 0 {
		return -1
	}
	*(*TJSValue)(unsafe.Pointer(slot)) = hullUndefined
	XJS_SetContextOpaque(tls, ctx, slot)
	return 0
}

// XJS_GetContinuationData returns a new reference to ctx's current
// continuation data (undefined when not enabled).
func XJS_GetContinuationData(tls *libc.TLS, ctx uintptr) TJSValue {
	slot := hullSlot(ctx)
	if slot == 0 {
		return hullUndefined
	}
	return XDupValue(tls, ctx, *(*TJSValue)(unsafe.Pointer(slot)))
}

// XJS_SetContinuationData makes v (the caller keeps its reference) ctx's
// current continuation data. It does nothing when not enabled.
func XJS_SetContinuationData(tls *libc.TLS, ctx uintptr, v TJSValue) {
	slot := hullSlot(ctx)
	if slot == 0 {
		return
	}
	old := *(*TJSValue)(unsafe.Pointer(slot))
	*(*TJSValue)(unsafe.Pointer(slot)) = XDupValue(tls, ctx, v)
	XFreeValue(tls, ctx, old)
}

// hullCaptureContinuation stores the current continuation data in the
// reaction record rd.
func hullCaptureContinuation(tls *libc.TLS, ctx uintptr, rd uintptr) {
	*(*TJSValue)(unsafe.Pointer(rd + hullReactionContinuation)) = XJS_GetContinuationData(tls, ctx)
}

// hullFreeContinuation drops the reaction record's reference.
func hullFreeContinuation(tls *libc.TLS, rt uintptr, rd uintptr) {
	p := (*TJSValue)(unsafe.Pointer(rd + hullReactionContinuation))
	v := *p
	*p = hullUndefined
	if libc.Uint32FromInt32(int32(v.Ftag)) >= libc.Uint32FromInt32(EJS_TAG_FIRST) {
		rc := *(*uintptr)(unsafe.Pointer(&v)) - 4
		*(*int32)(unsafe.Pointer(rc))--
		if *(*int32)(unsafe.Pointer(rc)) <= 0 {
			x__JS_FreeValueRT(tls, rt, v)
		}
	}
}

// hullEnqueueReaction enqueues a reaction job for the five upstream
// arguments at args, plus rd's continuation data as a sixth.
func hullEnqueueReaction(tls *libc.TLS, ctx uintptr, args uintptr, rd uintptr) int32 {
	const n = 6
	size := n * unsafe.Sizeof(TJSValue{})
	buf := tls.Alloc(int(size))
	defer tls.Free(int(size))
	copy(unsafe.Slice((*TJSValue)(unsafe.Pointer(buf)), n)[:n-1], unsafe.Slice((*TJSValue)(unsafe.Pointer(args)), n-1))
	*(*TJSValue)(unsafe.Pointer(buf + (n-1)*unsafe.Sizeof(TJSValue{}))) = *(*TJSValue)(unsafe.Pointer(rd + hullReactionContinuation))
	return XJS_EnqueueJob(tls, ctx, __ccgo_fp(_promise_reaction_job), n, buf)
}

// hullEnqueueThenable enqueues a thenable job for the three upstream
// arguments at args, plus the current continuation data as a fourth.
func hullEnqueueThenable(tls *libc.TLS, ctx uintptr, args uintptr) int32 {
	const n = 4
	size := n * unsafe.Sizeof(TJSValue{})
	buf := tls.Alloc(int(size))
	defer tls.Free(int(size))
	copy(unsafe.Slice((*TJSValue)(unsafe.Pointer(buf)), n)[:n-1], unsafe.Slice((*TJSValue)(unsafe.Pointer(args)), n-1))
	cur := XJS_GetContinuationData(tls, ctx)
	*(*TJSValue)(unsafe.Pointer(buf + (n-1)*unsafe.Sizeof(TJSValue{}))) = cur
	r := XJS_EnqueueJob(tls, ctx, __ccgo_fp(_js_promise_resolve_thenable_job), n, buf)
	XFreeValue(tls, ctx, cur)
	return r
}

// hullRunWith runs a job body with the continuation data at argv[k] (when
// the job has it) current, then puts the previous one back.
func hullRunWith(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr, k int32, body func(*libc.TLS, uintptr, int32, uintptr) TJSValue) TJSValue {
	slot := hullSlot(ctx)
	if argc <= k || slot == 0 {
		return body(tls, ctx, argc, argv)
	}
	prev := *(*TJSValue)(unsafe.Pointer(slot))
	*(*TJSValue)(unsafe.Pointer(slot)) = XDupValue(tls, ctx, *(*TJSValue)(unsafe.Pointer(argv + uintptr(k)*unsafe.Sizeof(TJSValue{}))))
	r := body(tls, ctx, k, argv)
	// The job may have changed it (enterWith); the job's value is dropped.
	XFreeValue(tls, ctx, *(*TJSValue)(unsafe.Pointer(slot)))
	*(*TJSValue)(unsafe.Pointer(slot)) = prev
	return r
}

func _promise_reaction_job(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) TJSValue {
	return hullRunWith(tls, ctx, argc, argv, 5, _promise_reaction_job_body)
}

func _js_promise_resolve_thenable_job(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) TJSValue {
	return hullRunWith(tls, ctx, argc, argv, 3, _js_promise_resolve_thenable_job_body)
}
