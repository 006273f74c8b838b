package runtime_test

import "testing"

func TestFetchTypes(t *testing.T) {
	runWebCases(t, allKinds, []webCase{
		{"Headers are case-insensitive, combined and sorted", `const h = new Headers({ "X-B": "1", "x-a": " 2 " }); h.append("X-b", "3"); h.append("Set-Cookie", "a=1"); h.append("set-cookie", "b=2");
			return [h.get("x-B"), h.get("X-A"), h.has("X-A"), [...h], h.getSetCookie(), h.get("nope")]`,
			`["1, 3","2",true,[["set-cookie","a=1"],["set-cookie","b=2"],["x-a","2"],["x-b","1, 3"]],["a=1","b=2"],null]`},
		{"Headers refuse bad names and values", `const out = []; for (const [k, v] of [["a b", "x"], ["ok", "x\ny"]]) { try { new Headers([[k, v]]); out.push("ok") } catch (e) { out.push(e.name) } } return out`,
			`["TypeError","TypeError"]`},
		{"Blob joins parts and slices", `const b = new Blob(["ab", new Uint8Array([99]), new Blob(["dé"])], { type: "Text/Plain" });
			const s = b.slice(1, -1, "x/y"); return [b.size, b.type, await b.text(), s.size, s.type, await s.text(), [...await b.slice(-2).bytes()], (await b.arrayBuffer()).byteLength]`,
			`[6,"text/plain","abcdé",4,"x/y","bcd\ufffd",[195,169],6]`},
		{"Blob.stream yields the bytes", `const r = new Blob(["hey"]).stream().getReader(); const c = await r.read(); return [[...c.value], (await r.read()).done]`, `[[104,101,121],true]`},
		{"File has a name and lastModified", `const f = new File(["x"], "a.txt", { type: "text/plain", lastModified: 5 }); return [f.name, f.lastModified, f.size, f instanceof Blob, String(f)]`,
			`["a.txt",5,1,true,"[object File]"]`},
		{"FormData keeps order and wraps blobs as files", `const fd = new FormData(); fd.append("a", "1"); fd.append("f", new Blob(["z"]), "z.bin"); fd.append("a", "2"); fd.set("a", "3");
			return [[...fd.keys()], fd.get("a"), fd.get("f").name, fd.get("f") instanceof File, fd.getAll("a")]`,
			`[["a","f"],"3","z.bin",true,["3"]]`},
		{"Response bodies from strings, bytes and streams", `const a = new Response("hé"); const b = new Response(new Uint8Array([1, 2]).buffer);
			const c = new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("s1")); c.enqueue(new TextEncoder().encode("s2")); c.close(); } }));
			return [a.headers.get("content-type"), await a.text(), a.bodyUsed, [...new Uint8Array(await b.arrayBuffer())], await c.text(), a.status, a.ok, a.statusText]`,
			`["text/plain;charset=UTF-8","hé",true,[1,2],"s1s2",200,true,""]`},
		{"a body can be read once", `const r = new Response("x"); await r.text(); try { await r.text() } catch (e) { return [e.name, r.bodyUsed] }`, `["TypeError",true]`},
		{"clone gives two readable bodies", `const r = new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([65])); c.close(); } })); const c = r.clone();
			return [await r.text(), await c.text()]`, `["A","A"]`},
		{"Response.json, redirect and error", `const j = Response.json({ a: 1 }, { status: 201 }); const r = Response.redirect("https://h/x", 301); const e = Response.error();
			let bad; try { Response.redirect("https://h", 200) } catch (x) { bad = x.name }
			return [j.status, j.headers.get("content-type"), await j.json(), r.status, r.headers.get("location"), e.type, e.status, bad]`,
			`[201,"application/json",{"a":1},301,"https://h/x","error",0,"RangeError"]`},
		{"Response validates status, statusText and null-body statuses", `const out = [];
			for (const init of [{ status: 199 }, { status: 600 }, { statusText: "a\nb" }]) { try { new Response("", init); out.push("ok") } catch (e) { out.push(e.name) } }
			try { new Response("x", { status: 204 }) } catch (e) { out.push(e.name) } out.push(new Response(null, { status: 204 }).body); return out`,
			`["RangeError","RangeError","TypeError","TypeError",null]`},
		{"Request normalizes method and URL and carries a body", `const r = new Request("HTTPS://H/a?b", { method: "post", body: new URLSearchParams({ q: "a b" }), headers: { "X-Y": "1" } });
			const fd = await r.clone().formData();
			return [r.url, r.method, r.headers.get("content-type"), fd.get("q"), await r.text(), r.redirect, r.signal.aborted]`,
			`["https://h/a?b","POST","application/x-www-form-urlencoded;charset=UTF-8","a b","q=a+b","follow",false]`},
		{"Request refuses bodies on GET and bad methods", `const out = []; for (const init of [{ body: "x" }, { method: "TRACE" }, { method: "a b" }]) { try { new Request("http://h/", init); out.push("ok") } catch (e) { out.push(e.name) } }
			try { new Request("/relative") } catch (e) { out.push(e.name) } return out`, `["TypeError","TypeError","TypeError","TypeError"]`},
		{"multipart FormData bodies round-trip", `const fd = new FormData(); fd.append("t", "v\nw"); fd.append("f", new File(["bin"], "b.txt", { type: "text/plain" }));
			const r = new Request("http://h/", { method: "POST", body: fd }); const back = await r.formData();
			return [/^multipart\/form-data; boundary=/.test(r.headers.get("content-type")), back.get("t"), back.get("f").name, await back.get("f").text(), back.get("f").type]`,
			`[true,"v\r\nw","b.txt","bin","text/plain"]`},
		{"Request signals follow the init signal", `const c = new AbortController(); const r = new Request("http://h", { signal: c.signal }); c.abort("r"); return [r.signal.aborted, r.signal.reason]`, `[true,"r"]`},
	})
}

func TestStreams(t *testing.T) {
	runWebCases(t, allKinds, []webCase{
		{"a reader reads enqueued chunks then done", `const s = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } }); const r = s.getReader();
			const out = [s.locked]; for (;;) { const x = await r.read(); if (x.done) break; out.push(x.value); } r.releaseLock(); out.push(s.locked); return out`, `[true,1,2,false]`},
		{"pull is called on demand", `let n = 0; const s = new ReadableStream({ pull(c) { n++; c.enqueue(n); if (n === 3) c.close(); } }, { highWaterMark: 0 });
			const out = []; for await (const x of s) out.push(x); return out`, `[1,2,3]`},
		{"errors reach readers", `const s = new ReadableStream({ start(c) { c.error(new Error("boom")); } }); try { await s.getReader().read() } catch (e) { return e.message }`, `"boom"`},
		{"cancel calls the source's cancel", `let why; const s = new ReadableStream({ cancel(r) { why = r; } }); await s.cancel("stop"); return why`, `"stop"`},
		{"pipeThrough a TransformStream and pipeTo a WritableStream", `const out = [];
			const src = ReadableStream.from(["a", "b"]);
			const up = new TransformStream({ transform(ch, c) { c.enqueue(ch.toUpperCase()); }, flush(c) { c.enqueue("!"); } });
			await src.pipeThrough(up).pipeTo(new WritableStream({ write(ch) { out.push(ch); }, close() { out.push("closed"); } })); return out`,
			`["A","B","!","closed"]`},
		{"writers write in order and report sink errors", `const out = []; const w = new WritableStream({ async write(c) { await null; out.push(c); if (c === 3) throw new Error("no 3"); } }).getWriter();
			await w.write(1); await w.write(2); let err; try { await w.write(3) } catch (e) { err = e.message } let after; try { await w.write(4) } catch (e) { after = e.message } return [out, err, after]`,
			`[[1,2,3],"no 3","no 3"]`},
		{"tee gives both branches every chunk", `const [a, b] = ReadableStream.from([1, 2]).tee(); const ra = [], rb = [];
			for await (const x of a) ra.push(x); for await (const x of b) rb.push(x); return [ra, rb]`, `[[1,2],[1,2]]`},
		{"text encoder and decoder streams", `const s = ReadableStream.from(["h\u00e9", "!"]).pipeThrough(new TextEncoderStream()).pipeThrough(new TextDecoderStream()); let t = ""; for await (const x of s) t += x; return t`, `"hé!"`},
		{"a locked stream cannot get a second reader", `const s = new ReadableStream(); s.getReader(); try { s.getReader() } catch (e) { return e.name }`, `"TypeError"`},
	})
}
