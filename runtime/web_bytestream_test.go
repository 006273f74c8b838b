package runtime_test

import "testing"

// byteSource is JS defining bytes(n, from): a byte stream that yields n
// chunks of 3 bytes (from, from+1, from+2, then on) when pulled.
const byteSource = `const bytes = (n, from = 1) => { let i = 0;
	return new ReadableStream({ type: "bytes", pull(c) { if (i === n) { c.close(); c.byobRequest?.respond(0); return; }
		const b = new Uint8Array(3).map((_, k) => from + 3 * i + k); i++; c.enqueue(b); } }); };
`

func TestByteStreams(t *testing.T) {
	runWebCases(t, allKinds, []webCase{
		{"the byte stream globals exist and cannot be constructed directly", `const out = [typeof ReadableStreamBYOBReader, typeof ReadableByteStreamController, typeof ReadableStreamBYOBRequest];
			for (const C of [ReadableByteStreamController, ReadableStreamBYOBRequest]) { try { new C() } catch (e) { out.push(e.name) } }
			let ctl; new ReadableStream({ type: "bytes", start(c) { ctl = c; } }); out.push(String(ctl), ctl instanceof ReadableByteStreamController, ctl.desiredSize); return out`,
			`["function","function","function","TypeError","TypeError","[object ReadableByteStreamController]",true,0]`},
		{"a default reader reads a byte stream's chunks as Uint8Arrays", byteSource + `const r = bytes(2).getReader(); const out = [];
			for (;;) { const x = await r.read(); if (x.done) { out.push(x.value); break; } out.push(x.value.constructor.name, [...x.value]); } return out`,
			`["Uint8Array",[1,2,3],"Uint8Array",[4,5,6],null]`},
		{"a BYOB read fills the caller's view and detaches its buffer", byteSource + `const r = bytes(1).getReader({ mode: "byob" }); const buf = new ArrayBuffer(8); const view = new Uint8Array(buf, 2, 4);
			const x = await r.read(view); return [String(r), x.done, [...x.value], x.value.byteOffset, x.value.buffer.byteLength, buf.byteLength, x.value.buffer === buf]`,
			`["[object ReadableStreamBYOBReader]",false,[1,2,3],2,8,0,false]`},
		{"a BYOB read into a small view leaves the rest queued", byteSource + `const r = bytes(1).getReader({ mode: "byob" });
			const a = await r.read(new Uint8Array(2)); const b = await r.read(new Uint8Array(2)); const c = await r.read(new Uint8Array(2));
			return [[...a.value], [...b.value], c.done, c.value.byteLength, c.value.constructor.name]`, `[[1,2],[3],true,0,"Uint8Array"]`},
		{"min waits until enough bytes arrived", byteSource + `const r = bytes(3).getReader({ mode: "byob" });
			const a = await r.read(new Uint8Array(8), { min: 7 }); const b = await r.read(new Uint8Array(8)); return [[...a.value], [...b.value]]`,
			`[[1,2,3,4,5,6,7,8],[9]]`},
		{"reads into wider typed arrays and DataViews come in whole elements", `const s = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1, 0, 2, 0, 3])); c.close(); } });
			const r = s.getReader({ mode: "byob" }); const a = await r.read(new Uint16Array(4)); const b = await r.read(new DataView(new ArrayBuffer(4)));
			return [a.value.constructor.name, [...a.value], b.value.constructor.name, b.value.byteLength, b.value.getUint8(0)]`,
			`["Uint16Array",[1,2],"DataView",1,3]`},
		{"a partial element at close errors the stream", `const s = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1, 2, 3])); c.close(); } });
			const r = s.getReader({ mode: "byob" }); const a = await r.read(new Uint16Array(1)); try { await r.read(new Uint16Array(1)); return "read" } catch (e) { return [[...a.value], e.name] }`,
			`[[513],"TypeError"]`},
		{"byobRequest.respond fills the reader's view in place", `const s = new ReadableStream({ type: "bytes", pull(c) { const v = c.byobRequest.view; v[0] = 9; v[1] = 8; c.byobRequest.respond(2); } });
			const r = s.getReader({ mode: "byob" }); const x = await r.read(new Uint8Array(4)); return [[...x.value], x.value.buffer.byteLength, x.done]`,
			`[[9,8],4,false]`},
		{"respond below min keeps the request open for more", `let calls = 0; const s = new ReadableStream({ type: "bytes", pull(c) { calls++; const v = c.byobRequest.view; v[0] = calls; c.byobRequest.respond(1); } });
			const r = s.getReader({ mode: "byob" }); const x = await r.read(new Uint8Array(4), { min: 3 }); return [[...x.value], calls]`, `[[1,2,3],3]`},
		{"respondWithNewView hands back a view of the same buffer", `const s = new ReadableStream({ type: "bytes", pull(c) { const v = c.byobRequest.view;
			const nv = new Uint8Array(v.buffer, v.byteOffset, 3); nv.set([7, 7, 7]); c.byobRequest.respondWithNewView(nv); } });
			const r = s.getReader({ mode: "byob" }); const x = await r.read(new Uint8Array(new ArrayBuffer(10), 1, 5)); return [[...x.value], x.value.byteOffset]`, `[[7,7,7],1]`},
		{"respond and respondWithNewView check their arguments", `const errs = []; const s = new ReadableStream({ type: "bytes", pull(c) { const q = c.byobRequest;
			for (const f of [() => q.respond(99), () => q.respond(0), () => q.respondWithNewView(new Uint8Array(2)), () => q.respondWithNewView(new Uint8Array(q.view.buffer, 1, 1))]) { try { f(); errs.push("ok") } catch (e) { errs.push(e.name) } }
			q.respond(1); errs.push(q.view, c.byobRequest); try { q.respond(1) } catch (e) { errs.push(e.name) } } });
			const x = await s.getReader({ mode: "byob" }).read(new Uint8Array(4)); return [errs, x.value.byteLength]`,
			`[["RangeError","TypeError","RangeError","RangeError",null,null,"TypeError"],1]`},
		{"close with a pending BYOB read resolves it done with an empty view after respond(0)", `let ctl; const s = new ReadableStream({ type: "bytes", start(c) { ctl = c; } });
			const r = s.getReader({ mode: "byob" }); const p = r.read(new Uint8Array(4)); await null; ctl.close(); const req = ctl.byobRequest; const before = req.view.byteLength; req.respond(0);
			const x = await p; await r.closed; return [before, x.done, x.value.byteLength, x.value.buffer.byteLength]`, `[4,true,0,4]`},
		{"a BYOB read of a closed stream is done at once", `const s = new ReadableStream({ type: "bytes", start(c) { c.close(); } }); const r = s.getReader({ mode: "byob" });
			const x = await r.read(new Uint8Array(3)); return [x.done, x.value.byteLength, x.value.buffer.byteLength]`, `[true,0,3]`},
		{"errors reject pending and later BYOB reads and closed", `let ctl; const s = new ReadableStream({ type: "bytes", start(c) { ctl = c; } }); const r = s.getReader({ mode: "byob" });
			const p = r.read(new Uint8Array(2)); await null; ctl.error(new Error("bad")); const out = [];
			for (const q of [p, r.read(new Uint8Array(2)), r.closed]) { try { await q; out.push("ok") } catch (e) { out.push(e.message) } } return out`, `["bad","bad","bad"]`},
		{"BYOB read refuses bad views and min values", `const r = new ReadableStream({ type: "bytes" }).getReader({ mode: "byob" }); const out = [];
			for (const [v, o] of [[new Uint8Array(0)], ["x"], [new Uint8Array(2), { min: 0 }], [new Uint8Array(2), { min: 3 }], [new Uint16Array(2), { min: 3 }]]) { try { await r.read(v, o); out.push("ok") } catch (e) { out.push(e.name) } } return out`,
			`["TypeError","TypeError","TypeError","RangeError","RangeError"]`},
		{"a BYOB reader needs an unlocked byte stream", `const out = []; try { new ReadableStream().getReader({ mode: "byob" }) } catch (e) { out.push(e.name) }
			const s = new ReadableStream({ type: "bytes" }); s.getReader(); try { s.getReader({ mode: "byob" }) } catch (e) { out.push(e.name) }
			try { s.getReader({ mode: "nope" }) } catch (e) { out.push(e.name) } try { new ReadableStream({ type: "words" }) } catch (e) { out.push(e.name) } return out`,
			`["TypeError","TypeError","TypeError","TypeError"]`},
		{"releaseLock rejects a pending read and the next reader gets the bytes", `let ctl; const s = new ReadableStream({ type: "bytes", start(c) { ctl = c; } });
			const r = s.getReader({ mode: "byob" }); const p = r.read(new Uint8Array(4)); await null; r.releaseLock(); let e1; try { await p } catch (e) { e1 = e.name }
			ctl.enqueue(new Uint8Array([5, 6])); const d = s.getReader(); const x = await d.read(); return [e1, [...x.value], s.locked]`, `["TypeError",[5,6],true]`},
		{"cancel resolves pending BYOB reads as done and calls the source", `let why; const s = new ReadableStream({ type: "bytes", cancel(r) { why = r; } }); const r = s.getReader({ mode: "byob" });
			const p = r.read(new Uint8Array(2)); await r.cancel("stop"); const x = await p; return [why, x.done, x.value === undefined]`, `["stop",true,true]`},
		{"enqueue detaches the chunk's buffer and refuses empty chunks", `const out = []; new ReadableStream({ type: "bytes", start(c) { const b = new Uint8Array([1]); c.enqueue(b); out.push(b.byteLength);
			try { c.enqueue(new Uint8Array(0)) } catch (e) { out.push(e.name) } try { c.enqueue("x") } catch (e) { out.push(e.name) } c.close(); try { c.enqueue(new Uint8Array(1)) } catch (e) { out.push(e.name) } } }); return out`,
			`[0,"TypeError","TypeError","TypeError"]`},
		{"autoAllocateChunkSize gives default reads a byobRequest", `const s = new ReadableStream({ type: "bytes", autoAllocateChunkSize: 16, pull(c) { const v = c.byobRequest.view; v[0] = v.byteLength; c.byobRequest.respond(1); } });
			const x = await s.getReader().read(); return [[...x.value], x.value.buffer.byteLength]`, `[[16],16]`},
		{"desiredSize follows the high-water mark in bytes", `let ctl; new ReadableStream({ type: "bytes", start(c) { ctl = c; } }, { highWaterMark: 10 }); const a = ctl.desiredSize; ctl.enqueue(new Uint8Array(4)); const b = ctl.desiredSize; ctl.close(); return [a, b, ctl.desiredSize]`, `[10,6,6]`},
		{"tee of a byte stream gives two byte streams with every byte", byteSource + `const [a, b] = bytes(2).tee(); const ra = a.getReader({ mode: "byob" }); const out = [];
			for (;;) { const x = await ra.read(new Uint8Array(4)); if (x.done) break; out.push([...x.value]); } for await (const x of b) out.push([...x]); return out`,
			`[[1,2,3],[4,5,6],[1,2,3],[4,5,6]]`},
		{"Response, Request and Blob bodies are byte streams", `const out = []; for (const b of [new Response("abc").body, new Request("http://h", { method: "POST", body: "abc" }).body, new Blob(["abc"]).stream()]) {
			const r = b.getReader({ mode: "byob" }); const x = await r.read(new Uint8Array(2)); const y = await r.read(new Uint8Array(2)); out.push(new TextDecoder().decode(x.value) + new TextDecoder().decode(y.value)); } return out`,
			`["abc","abc","abc"]`},
		{"byte streams pipe through a TextDecoderStream", byteSource + `let t = []; for await (const x of bytes(2, 65).pipeThrough(new TextDecoderStream())) t.push(x); return t`, `["ABC","DEF"]`},
	})
}
