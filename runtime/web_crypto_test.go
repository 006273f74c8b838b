package runtime_test

import (
	"testing"

	"hull/runtime"
)

func TestWebCrypto(t *testing.T) {
	pre := `const V = ` + webCryptoVectors + `; const s = crypto.subtle; const enc = (x) => new TextEncoder().encode(x);
		const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
		const bin = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
		const b64 = (b) => btoa(String.fromCharCode(...new Uint8Array(b)));
`
	runWebCases(t, allKinds, []webCase{
		{"digest matches the SHA test vectors", pre + `return [hex(await s.digest("SHA-1", enc("abc"))), hex(await s.digest("SHA-256", enc("abc"))), hex(await s.digest({ name: "sha-384" }, enc(""))).slice(0, 16), hex(await s.digest("SHA-512", enc("abc"))).slice(0, 16)]`,
			`["a9993e364706816aba3e25717850c26c9cd0d89d","ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","38b060a751ac9638","ddaf35a193617aba"]`},
		{"HMAC signs the RFC 4231 vector and verifies", pre + `const k = await s.importKey("raw", new Uint8Array(20).fill(0x0b), { name: "HMAC", hash: "SHA-256" }, true, ["sign", "verify"]);
			const sig = await s.sign("HMAC", k, enc("Hi There")); return [hex(sig), await s.verify("HMAC", k, sig, enc("Hi There")), await s.verify("HMAC", k, sig, enc("Hi there")), k.algorithm.length, k.type, (await s.exportKey("jwk", k)).alg]`,
			`["b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",true,false,160,"secret","HS256"]`},
		{"RSASSA-PKCS1-v1_5 signs like Node and verifies", pre + `const priv = await s.importKey("pkcs8", bin(V.rsaPkcs8), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
			const pub = await s.importKey("spki", bin(V.rsaSpki), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"]);
			const sig = await s.sign("RSASSA-PKCS1-v1_5", priv, enc("hello"));
			return [b64(sig) === V.rsaSig, await s.verify("RSASSA-PKCS1-v1_5", pub, sig, enc("hello")), await s.verify("RSASSA-PKCS1-v1_5", pub, sig, enc("hellp")), pub.algorithm.modulusLength, [...pub.algorithm.publicExponent], b64(await s.exportKey("spki", pub)) === V.rsaSpki]`,
			`[true,true,false,1024,[1,0,1],true]`},
		{"RSA keys round-trip through JWK", pre + `const priv = await s.importKey("jwk", V.rsaJwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
			const j = await s.exportKey("jwk", priv); return [j.n === V.rsaJwk.n, j.d === V.rsaJwk.d, j.qi === V.rsaJwk.qi, j.alg, j.kty, b64(await s.sign("RSASSA-PKCS1-v1_5", priv, enc("hello"))) === V.rsaSig]`,
			`[true,true,true,"RS256","RSA",true]`},
		{"RSA-PSS verifies Node's signature and its own", pre + `const pub = await s.importKey("spki", bin(V.rsaSpki), { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]);
			const priv = await s.importKey("pkcs8", bin(V.rsaPkcs8), { name: "RSA-PSS", hash: "SHA-256" }, false, ["sign"]);
			const mine = await s.sign({ name: "RSA-PSS", saltLength: 32 }, priv, enc("hello"));
			return [await s.verify({ name: "RSA-PSS", saltLength: 32 }, pub, bin(V.pssSig), enc("hello")), await s.verify({ name: "RSA-PSS", saltLength: 32 }, pub, mine, enc("hello")), await s.verify({ name: "RSA-PSS", saltLength: 32 }, pub, mine, enc("x"))]`,
			`[true,true,false]`},
		{"ECDSA P-256 verifies Node's signature, signs raw r||s, and exports", pre + `const pub = await s.importKey("raw", bin(V.ecRaw), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
			const priv = await s.importKey("jwk", V.ecJwk, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
			const p8 = await s.importKey("pkcs8", bin(V.ecPkcs8), { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
			const sig = await s.sign({ name: "ECDSA", hash: "SHA-256" }, p8, enc("hello")); const j = await s.exportKey("jwk", pub);
			return [await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub, bin(V.ecSig), enc("hello")), sig.byteLength, await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub, sig, enc("hello")),
				j.x === V.ecJwk.x && j.y === V.ecJwk.y, j.crv, (await s.exportKey("jwk", priv)).d === V.ecJwk.d, b64(await s.exportKey("raw", pub)) === V.ecRaw, priv.algorithm.namedCurve]`,
			`[true,64,true,true,"P-256",true,true,"P-256"]`},
		{"ECDSA P-384 verifies an SPKI key's signature", pre + `const pub = await s.importKey("spki", bin(V.ec384Spki), { name: "ECDSA", namedCurve: "P-384" }, false, ["verify"]);
			return [await s.verify({ name: "ECDSA", hash: "SHA-384" }, pub, bin(V.ec384Sig), enc("hello")), await s.verify({ name: "ECDSA", hash: "SHA-384" }, pub, bin(V.ec384Sig), enc("hellO"))]`, `[true,false]`},
		{"errors are DOMExceptions", pre + `const out = [];
			for (const f of [() => s.digest("MD5", enc("")), () => s.importKey("spki", new Uint8Array([1, 2]), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]),
				async () => s.exportKey("raw", await s.importKey("raw", new Uint8Array(4), { name: "HMAC", hash: "SHA-1" }, false, ["sign"])),
				async () => s.sign("HMAC", await s.importKey("raw", new Uint8Array(4), { name: "HMAC", hash: "SHA-1" }, false, ["verify"]), enc(""))]) {
				try { await f(); out.push("ok") } catch (e) { out.push(e.name) } }
			return out`, `["NotSupportedError","DataError","InvalidAccessError","InvalidAccessError"]`},
		{"getRandomValues and randomUUID", `const a = crypto.getRandomValues(new Uint32Array(4)); const u = crypto.randomUUID(); const out = [a.length, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u)];
			for (const x of [new Float64Array(1), new Uint8Array(65537)]) { try { crypto.getRandomValues(x) } catch (e) { out.push(e.name) } } return out`,
			`[4,true,"TypeMismatchError","QuotaExceededError"]`},
	})
	// Key generation needs an action (see TestKeyGenerationNeedsAnAction).
	runWebCases(t, actionOnly, []webCase{
		{"HMAC keys import from JWK and generate", pre + `const k = await s.importKey("jwk", { kty: "oct", k: "AAEC" }, { name: "HMAC", hash: "SHA-512" }, true, ["sign"]);
			const g = await s.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]); return [new Uint8Array(await s.exportKey("raw", k)).length, g.algorithm.length, (await s.exportKey("raw", g)).byteLength]`,
			`[3,512,64]`},
	})
}

func TestCryptoRandomnessIsSeededInQueries(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	body := `const s = crypto.subtle; const k = await s.importKey("pkcs8", Uint8Array.from(atob((` + webCryptoVectors + `).ecPkcs8), (c) => c.charCodeAt(0)), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
		const sig = await s.sign({ name: "ECDSA", hash: "SHA-256" }, k, new Uint8Array(3));
		return [crypto.randomUUID(), [...crypto.getRandomValues(new Uint8Array(8))], btoa(String.fromCharCode(...new Uint8Array(sig)))]`
	seededInQueriesOnly(t, pool, body)
}
