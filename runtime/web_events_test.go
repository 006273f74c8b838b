package runtime_test

import (
	"strings"
	"testing"

	"hull/runtime"
)

func TestEventsAndAbort(t *testing.T) {
	runWebCases(t, allKinds, []webCase{
		{"listeners run in order with the event as argument", `const t = new EventTarget(); const out = [];
			t.addEventListener("x", (e) => out.push("a:" + e.type + ":" + (e.target === t)));
			t.addEventListener("x", { handleEvent: (e) => out.push("b:" + e.eventPhase) });
			t.dispatchEvent(new Event("x")); return out`, `["a:x:true","b:2"]`},
		{"once listeners run once and duplicates are ignored", `const t = new EventTarget(); let n = 0; const f = () => n++;
			t.addEventListener("x", f, { once: true }); t.addEventListener("x", f);
			t.dispatchEvent(new Event("x")); t.dispatchEvent(new Event("x")); return n`, `1`},
		{"removeEventListener and stopImmediatePropagation stop listeners", `const t = new EventTarget(); const out = []; const f = () => out.push("f");
			t.addEventListener("x", (e) => { out.push("a"); e.stopImmediatePropagation(); }); t.addEventListener("x", f);
			t.dispatchEvent(new Event("x")); return out`, `["a"]`},
		{"preventDefault only cancels cancelable events", `const t = new EventTarget(); t.addEventListener("x", (e) => e.preventDefault());
			return [t.dispatchEvent(new Event("x")), t.dispatchEvent(new Event("x", { cancelable: true }))]`, `[true,false]`},
		{"CustomEvent carries detail", `return new CustomEvent("c", { detail: { a: 1 } }).detail`, `{"a":1}`},
		{"abort() fires abort once with an AbortError reason", `const c = new AbortController(); let n = 0;
			c.signal.addEventListener("abort", () => n++); c.signal.onabort = () => n += 10; c.abort(); c.abort();
			return [n, c.signal.aborted, c.signal.reason.name, c.signal.reason.code, c.signal.reason instanceof DOMException, c.signal.reason instanceof Error]`,
			`[11,true,"AbortError",20,true,true]`},
		{"abort(reason) keeps the reason and throwIfAborted throws it", `const c = new AbortController(); c.signal.throwIfAborted(); c.abort("why");
			try { c.signal.throwIfAborted() } catch (e) { return [c.signal.reason, e] }`, `["why","why"]`},
		{"AbortSignal.abort is already aborted", `const s = AbortSignal.abort(); return [s.aborted, s.reason.name, String(s)]`, `[true,"AbortError","[object AbortSignal]"]`},
		{"AbortSignal.any follows its inputs", `const a = new AbortController(); const s = AbortSignal.any([a.signal, new AbortController().signal]); a.abort(1); return [s.aborted, s.reason]`, `[true,1]`},
		{"a listener added with an aborted signal is not added", `const t = new EventTarget(); let n = 0; t.addEventListener("x", () => n++, { signal: AbortSignal.abort() }); t.dispatchEvent(new Event("x")); return n`, `0`},
		{"DOMException has names, legacy codes and constants", `const e = new DOMException("m", "NotFoundError"); return [e.name, e.message, e.code, DOMException.NOT_FOUND_ERR, new DOMException("x").name, new DOMException("x", "Custom").code, DOMException.DATA_CLONE_ERR, String(e), Object.prototype.toString.call(e)]`,
			`["NotFoundError","m",8,8,"Error",0,25,"NotFoundError: m","[object DOMException]"]`},
		{"structuredClone copies dates, maps, sets, buffers and cycles", `const o = { d: new Date(5), m: new Map([[1, { x: 1 }]]), s: new Set([1, 2]), b: new Uint16Array([1, 2]).subarray(1), ab: new ArrayBuffer(3), r: /a/gi };
			o.self = o; const c = structuredClone(o);
			return [c !== o, c.self === c, c.d instanceof Date && c.d.getTime(), c.m.get(1).x, c.m.get(1) !== o.m.get(1), [...c.s], c.b instanceof Uint16Array, [...c.b], c.b.byteOffset, c.ab.byteLength, c.r.flags, c.b.buffer !== o.b.buffer]`,
			`[true,true,5,1,true,[1,2],true,[2],2,3,"gi",true]`},
		{"structuredClone refuses functions with DataCloneError", `try { structuredClone({ f() {} }) } catch (e) { return [e.name, e.code] }`, `["DataCloneError",25]`},
		{"queueMicrotask runs before later promise jobs", `const out = []; queueMicrotask(() => out.push(1)); await Promise.resolve(); out.push(2); return out`, `[1,2]`},
	})
}

func TestAbortSignalTimeoutOnlyInActions(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	res := runWeb(t, pool, runtime.KindAction, `const s = AbortSignal.timeout(1); await new Promise((r) => s.onabort = r); return [s.reason.name, s.reason.code]`)
	if res.Err != nil {
		t.Fatalf("action: %s", res.Err.Message)
	}
	jsonEqual(t, res.Value, `["TimeoutError",23]`)
	res = runWeb(t, pool, runtime.KindQuery, `AbortSignal.timeout(1)`)
	if res.Err == nil || !strings.Contains(res.Err.Message, "Can't use AbortSignal.timeout in queries and mutations") {
		t.Fatalf("query: got %+v, want the not-in-queries error", res.Err)
	}
}

func TestPerformanceIsFrozenInQueries(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	res := runWeb(t, pool, runtime.KindQuery, `let x = 0; for (let i = 0; i < 1e5; i++) x += i; return [performance.now(), performance.timeOrigin, performance.mark("m").startTime]`)
	if res.Err != nil {
		t.Fatalf("query: %s", res.Err.Message)
	}
	jsonEqual(t, res.Value, `[0,1700000000000,0]`)
}
