package runtime_test

import "testing"

func TestEncodingGlobals(t *testing.T) {
	runWebCases(t, allKinds, []webCase{
		{"TextEncoder encodes all four UTF-8 lengths", `return [...new TextEncoder().encode("a\u00e9\u20ac\u{1F600}")]`,
			`[97,195,169,226,130,172,240,159,152,128]`},
		{"a lone surrogate is encoded as U+FFFD", `return [...new TextEncoder().encode("\ud800x")]`, `[239,191,189,120]`},
		{"encodeInto writes whole characters only", `const d = new Uint8Array(5); const r = new TextEncoder().encodeInto("ab\u20ac\u20ac", d); return [r.read, r.written, [...d]]`,
			`[3,5,[97,98,226,130,172]]`},
		{"TextDecoder decodes and strips the BOM", `return new TextDecoder().decode(new Uint8Array([0xef,0xbb,0xbf,0x68,0xc3,0xa9]))`, `"hé"`},
		{"ignoreBOM keeps the BOM", `return new TextDecoder("utf-8", {ignoreBOM: true}).decode(new Uint8Array([0xef,0xbb,0xbf,0x68])).length`, `2`},
		{"invalid bytes become one U+FFFD per maximal subpart", `return new TextDecoder().decode(new Uint8Array([0x61,0xf0,0x9f,0x98,0x62,0xff,0xed,0xa0,0x80]))`,
			`"a\ufffdb\ufffd\ufffd\ufffd\ufffd"`},
		{"fatal decoding throws a TypeError", `try { new TextDecoder("utf8", {fatal: true}).decode(new Uint8Array([0xc3])); return "no" } catch (e) { return e.name }`, `"TypeError"`},
		{"streaming decode joins characters split across chunks", `const d = new TextDecoder(); return d.decode(new Uint8Array([0xe2,0x82]), {stream: true}) + "|" + d.decode(new Uint8Array([0xac,0x21]))`, `"|€!"`},
		{"an unfinished character at the end of a stream is replaced", `const d = new TextDecoder(); d.decode(new Uint8Array([0xe2]), {stream: true}); return d.decode()`, `"\ufffd"`},
		{"long text round-trips through both encodings", `const s = "h\u00e9llo \u20ac \u{1F600} ".repeat(40); const b = new TextEncoder().encode(s);
			return [b.length, new TextDecoder().decode(b) === s, new TextDecoder().decode(b.subarray(3, 200)).length]`, `[640,true,137]`},
		{"a long string with a lone surrogate still gets U+FFFD", `const b = new TextEncoder().encode("x".repeat(100) + "\ud800"); return [b.length, ...b.subarray(100)]`, `[103,239,191,189]`},
		{"long invalid bytes still get one U+FFFD per maximal subpart", `const b = new Uint8Array(100).fill(97); b[50] = 0xff; b[60] = 0xe2; b[61] = 0x82;
			const s = new TextDecoder().decode(b); return [s.length, s.charCodeAt(50), s.charCodeAt(60), s.charCodeAt(61)]`, `[99,65533,65533,97]`},
		{"a long input's BOM is stripped unless ignoreBOM", `const b = new Uint8Array(100).fill(97); b.set([0xef, 0xbb, 0xbf]);
			return [new TextDecoder().decode(b).length, new TextDecoder("utf-8", {ignoreBOM: true}).decode(b).length]`, `[97,98]`},
		{"a long chunk in a stream keeps the stream's BOM state", `const d = new TextDecoder(); const b = new Uint8Array(100).fill(97);
			const bom = new Uint8Array([0xef, 0xbb, 0xbf, 98]); return [d.decode(b, {stream: true}).length, d.decode(bom, {stream: true}).length, d.decode(bom).length, d.decode(bom).length]`, `[100,2,2,1]`},
		{"an unknown label is a RangeError", `try { new TextDecoder("koi8-r"); } catch (e) { return e.name }`, `"RangeError"`},
		{"btoa and atob round-trip binary strings", `return [btoa(""), btoa("f"), btoa("fo"), btoa("foo"), btoa("\u00ff\u00fe"), atob("Zm9v"), atob(" Zm 9v\n"), atob("Zg"), atob("Zg==")]`,
			`["","Zg==","Zm8=","Zm9v","//4=","foo","foo","f","f"]`},
		{"btoa refuses characters above U+00FF with InvalidCharacterError", `try { btoa("\u0100") } catch (e) { return [e instanceof DOMException, e.name, e.code] }`, `[true,"InvalidCharacterError",5]`},
		{"atob refuses bad input with InvalidCharacterError", `const out = []; for (const s of ["Zg=", "Z", "Zm9v=", "Zm$v", "Zg===", "=Zg="]) { try { atob(s); out.push("ok") } catch (e) { out.push(e.name) } } return out`,
			`["InvalidCharacterError","InvalidCharacterError","InvalidCharacterError","InvalidCharacterError","InvalidCharacterError","InvalidCharacterError"]`},
	})
}
