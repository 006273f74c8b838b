package runtime_test

import (
	"strings"
	"testing"

	"hull/runtime"
)

// crypto2Pre is what the cases below share: the vectors, the subtle
// object and byte helpers (h parses hex).
const crypto2Pre = `const V = ` + webCryptoVectors + `; const W = ` + webCrypto2Vectors + `; const s = crypto.subtle;
	const enc = (x) => new TextEncoder().encode(x);
	const h = (x) => Uint8Array.from(x.match(/../g) ?? [], (b) => parseInt(b, 16));
	const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
	const bin = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
	const b64u = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
	const gcmK = h("feffe9928665731c6d6a8f9467308308"), gcmIV = h("cafebabefacedbaddecaf888"), gcmA = h("feedfacedeadbeeffeedfacedeadbeefabaddad2");
	const gcmP = h("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
	const nistK = h("2b7e151628aed2a6abf7158809cf4f3c");
	const nistP = h("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
	const x25519Pkcs8 = (d) => new Uint8Array([...h("302e020100300506032b656e04220420"), ...h(d)]);
`

func TestWebCryptoCiphers(t *testing.T) {
	runWebCases(t, allKinds, []webCase{
		{"AES-GCM matches the GCM specification's test cases 3, 4 and 6 and decrypts them", crypto2Pre + `const k = await s.importKey("raw", gcmK, "AES-GCM", false, ["encrypt", "decrypt"]);
			const c3 = await s.encrypt({ name: "AES-GCM", iv: gcmIV }, k, gcmP);
			const c4 = await s.encrypt({ name: "AES-GCM", iv: gcmIV, additionalData: gcmA }, k, gcmP.subarray(0, 60));
			const iv6 = h("9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b");
			const c6 = await s.encrypt({ name: "AES-GCM", iv: iv6, additionalData: gcmA }, k, gcmP.subarray(0, 60));
			const p4 = await s.decrypt({ name: "AES-GCM", iv: gcmIV, additionalData: gcmA }, k, c4);
			const p6 = await s.decrypt({ name: "AES-GCM", iv: iv6, additionalData: gcmA }, k, c6);
			return [hex(c3).slice(-32), hex(c3).slice(0, 32), hex(c4).slice(-32), hex(c6).slice(0, 32), hex(c6).slice(-32), hex(p4) === hex(gcmP.subarray(0, 60)), hex(p6) === hex(p4)]`,
			`["4d5c2af327cd64a62cf35abd2ba6fab4","42831ec2217774244b7221b784d0d49c","5bc94fbc3221a5db94fae95ae7121a47","8ce24998625615b603a033aca13fb894","619cc5aefffe0bfa462af43c1699d050",true,true]`},
		{"AES-GCM tags shorter than 128 bits are the full tag's prefix and still authenticate", crypto2Pre + `const k = await s.importKey("raw", gcmK, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
			const out = [];
			for (const tagLength of [32, 96, 104, 120]) {
				const c = new Uint8Array(await s.encrypt({ name: "AES-GCM", iv: gcmIV, additionalData: gcmA, tagLength }, k, gcmP.subarray(0, 60)));
				const p = await s.decrypt({ name: "AES-GCM", iv: gcmIV, additionalData: gcmA, tagLength }, k, c);
				const tag = hex(c.subarray(60)).slice(0, 8);
				c[c.length - 1] ^= 1;
				let tampered = "accepted";
				try { await s.decrypt({ name: "AES-GCM", iv: gcmIV, additionalData: gcmA, tagLength }, k, c) } catch (e) { tampered = e.name }
				out.push([c.length - 60, tag, hex(p) === hex(gcmP.subarray(0, 60)), tampered]);
			}
			return out`,
			`[[4,"5bc94fbc",true,"OperationError"],[12,"5bc94fbc",true,"OperationError"],[13,"5bc94fbc",true,"OperationError"],[15,"5bc94fbc",true,"OperationError"]]`},
		{"AES-CBC matches SP 800-38A F.2.1 with PKCS #7 padding and decrypts it", crypto2Pre + `const k = await s.importKey("raw", nistK, "AES-CBC", false, ["encrypt", "decrypt"]);
			const iv = h("000102030405060708090a0b0c0d0e0f");
			const c = await s.encrypt({ name: "AES-CBC", iv }, k, nistP);
			const short = await s.encrypt({ name: "AES-CBC", iv }, k, enc("abc"));
			return [hex(c), hex(await s.decrypt({ name: "AES-CBC", iv }, k, c)) === hex(nistP), new TextDecoder().decode(await s.decrypt({ name: "AES-CBC", iv }, k, short)), short.byteLength]`,
			`["7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a78cb82807230e1321d3fae00d18cc2012",true,"abc",16]`},
		{"AES-CTR matches SP 800-38A F.5.1 and counts only the counter's rightmost bits", crypto2Pre + `const k = await s.importKey("raw", nistK, "AES-CTR", false, ["encrypt", "decrypt"]);
			const counter = h("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
			const c = await s.encrypt({ name: "AES-CTR", counter, length: 64 }, k, nistP);
			const c8 = await s.encrypt({ name: "AES-CTR", counter, length: 8 }, k, nistP);
			const c4 = await s.encrypt({ name: "AES-CTR", counter, length: 4 }, k, nistP);
			return [hex(c), hex(c8).slice(32, 64), hex(c4).slice(32, 64), hex(await s.decrypt({ name: "AES-CTR", counter, length: 128 }, k, c)) === hex(nistP)]`,
			`["874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee","e3256531c56fd498e4670c36587faba6","4eea957922c9400d36ed967e19168d5b",true]`},
		{"RSA-OAEP decrypts Node's ciphertexts and round-trips with a label", crypto2Pre + `const priv = await s.importKey("pkcs8", bin(V.rsaPkcs8), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
			const priv1 = await s.importKey("jwk", { ...V.rsaJwk, alg: "RSA-OAEP", key_ops: undefined }, { name: "RSA-OAEP", hash: "SHA-1" }, false, ["decrypt"]);
			const pub = await s.importKey("spki", bin(V.rsaSpki), { name: "RSA-OAEP", hash: "SHA-256" }, true, ["encrypt"]);
			const mine = await s.encrypt({ name: "RSA-OAEP", label: enc("x") }, pub, enc("round trip"));
			let wrongLabel = "accepted";
			try { await s.decrypt({ name: "RSA-OAEP", label: enc("y") }, priv, mine) } catch (e) { wrongLabel = e.name }
			return [new TextDecoder().decode(await s.decrypt({ name: "RSA-OAEP", label: enc("L") }, priv, bin(W.oaep256))),
				new TextDecoder().decode(await s.decrypt("RSA-OAEP", priv1, bin(W.oaep1))),
				new TextDecoder().decode(await s.decrypt({ name: "RSA-OAEP", label: enc("x") }, priv, mine)), wrongLabel, (await s.exportKey("jwk", pub)).alg]`,
			`["hello","hello","round trip","OperationError","RSA-OAEP-256"]`},
	})
	// Key generation needs an action (see TestKeyGenerationNeedsAnAction).
	runWebCases(t, actionOnly, []webCase{
		{"AES keys import and export as raw and JWK and generate at every length", crypto2Pre + `const out = [];
			for (const [name, len] of [["AES-GCM", 256], ["AES-CBC", 128], ["AES-CTR", 192], ["AES-KW", 128]]) {
				const uses = name === "AES-KW" ? ["wrapKey", "unwrapKey"] : ["encrypt", "decrypt"];
				const g = await s.generateKey({ name, length: len }, true, uses);
				const j = await s.exportKey("jwk", g);
				const back = await s.importKey("jwk", j, name, true, uses);
				out.push([g.algorithm.length, g.type, j.alg, j.k.length, hex(await s.exportKey("raw", back)) === hex(await s.exportKey("raw", g))]);
			}
			const k = await s.importKey("jwk", { kty: "oct", k: b64u(nistK), alg: "A128GCM" }, "AES-GCM", false, ["encrypt"]);
			out.push([k.algorithm, k.extractable, k.usages]);
			return out`,
			`[[256,"secret","A256GCM",43,true],[128,"secret","A128CBC",22,true],[192,"secret","A192CTR",32,true],[128,"secret","A128KW",22,true],[{"name":"AES-GCM","length":128},false,["encrypt"]]]`},
		{"RSA-OAEP key pairs generate with the usages of each half", crypto2Pre + `const p = await s.generateKey({ name: "RSA-OAEP", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-384" }, false, ["encrypt", "decrypt", "wrapKey", "unwrapKey"]);
			const c = await s.encrypt("RSA-OAEP", p.publicKey, enc("hi"));
			return [p.publicKey.usages, p.privateKey.usages, p.privateKey.algorithm.hash.name, new TextDecoder().decode(await s.decrypt("RSA-OAEP", p.privateKey, c)), (await s.exportKey("jwk", p.publicKey)).alg]`,
			`[["encrypt","wrapKey"],["decrypt","unwrapKey"],"SHA-384","hi","RSA-OAEP-384"]`},
	})
}

func TestWebCryptoDerive(t *testing.T) {
	runWebCases(t, allKinds, []webCase{
		{"HKDF derives RFC 5869 test case 1", crypto2Pre + `const k = await s.importKey("raw", new Uint8Array(22).fill(11), "HKDF", false, ["deriveBits"]);
			const bits = await s.deriveBits({ name: "HKDF", hash: "SHA-256", salt: h("000102030405060708090a0b0c"), info: h("f0f1f2f3f4f5f6f7f8f9") }, k, 336);
			return [hex(bits), k.type, k.extractable, k.algorithm]`,
			`["3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865","secret",false,{"name":"HKDF"}]`},
		{"PBKDF2 derives the RFC 7914 and RFC 6070 vectors", crypto2Pre + `const run = async (pw, salt, iterations, hash, bits) => hex(await s.deriveBits({ name: "PBKDF2", hash, salt: enc(salt), iterations }, await s.importKey("raw", enc(pw), "PBKDF2", false, ["deriveBits"]), bits));
			return [await run("passwd", "salt", 1, "SHA-256", 512), await run("Password", "NaCl", 80000, "SHA-256", 512), await run("password", "salt", 4096, "SHA-1", 160)]`,
			`["55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783","4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d","4b007901b765489abead49d926f721d065a429c1"]`},
		{"ECDH P-256 derives Node's shared secret and truncates to the bits asked for", crypto2Pre + `const a = await s.importKey("jwk", W.ecdhA, { name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
			const b = await s.importKey("spki", bin(W.ecdhB), { name: "ECDH", namedCurve: "P-256" }, true, []);
			return [hex(await s.deriveBits({ name: "ECDH", public: b }, a, 256)), hex(await s.deriveBits({ name: "ECDH", public: b }, a, 13)), hex(await s.deriveBits({ name: "ECDH", public: b }, a)).length, a.algorithm, b.usages, (await s.exportKey("raw", b)).byteLength]`,
			`["7196a3e2916a948aca1b1f9137c681cdf7c8bbc160b57c8419b02b5d15152b49","7190",64,{"name":"ECDH","namedCurve":"P-256"},[],65]`},
		{"X25519 derives the RFC 7748 shared secret", crypto2Pre + `const alice = await s.importKey("pkcs8", x25519Pkcs8("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"), "X25519", true, ["deriveBits"]);
			const bob = await s.importKey("raw", h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), { name: "X25519" }, true, []);
			const j = await s.exportKey("jwk", alice);
			const alice2 = await s.importKey("jwk", j, "X25519", false, ["deriveBits"]);
			return [hex(await s.deriveBits({ name: "X25519", public: bob }, alice, 256)), hex(await s.deriveBits({ name: "X25519", public: bob }, alice2)).length, hex(Uint8Array.from(atob(j.x.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))), j.kty, j.crv, alice.algorithm]`,
			`["4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",64,"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a","OKP","X25519",{"name":"X25519"}]`},
	})
	// Key generation needs an action (see TestKeyGenerationNeedsAnAction).
	runWebCases(t, actionOnly, []webCase{
		{"ECDH pairs generated on P-384 and P-521 agree from both sides", crypto2Pre + `const out = [];
			for (const namedCurve of ["P-384", "P-521"]) {
				const a = await s.generateKey({ name: "ECDH", namedCurve }, true, ["deriveBits", "deriveKey"]);
				const b = await s.generateKey({ name: "ECDH", namedCurve }, false, ["deriveBits"]);
				const pubB = await s.importKey("jwk", await s.exportKey("jwk", b.publicKey), { name: "ECDH", namedCurve }, true, []);
				const x = hex(await s.deriveBits({ name: "ECDH", public: pubB }, a.privateKey, null)), y = hex(await s.deriveBits({ name: "ECDH", public: a.publicKey }, b.privateKey, null));
				out.push([x === y, x.length / 2, a.publicKey.usages, a.privateKey.usages]);
			}
			return out`,
			`[[true,48,[],["deriveBits","deriveKey"]],[true,66,[],["deriveBits","deriveKey"]]]`},
		{"X25519 generated pairs agree and export as raw, spki, pkcs8 and jwk", crypto2Pre + `const a = await s.generateKey({ name: "X25519" }, true, ["deriveBits"]), b = await s.generateKey("X25519", true, ["deriveBits"]);
			const pubA = await s.importKey("spki", await s.exportKey("spki", a.publicKey), "X25519", true, []);
			const privB = await s.importKey("pkcs8", await s.exportKey("pkcs8", b.privateKey), "X25519", false, ["deriveBits"]);
			const x = hex(await s.deriveBits({ name: "X25519", public: b.publicKey }, a.privateKey, 256)), y = hex(await s.deriveBits({ name: "X25519", public: pubA }, privB, 256));
			return [x === y, (await s.exportKey("raw", a.publicKey)).byteLength, (await s.exportKey("jwk", a.privateKey)).d.length]`,
			`[true,32,43]`},
		{"deriveKey makes AES and HMAC keys from HKDF, PBKDF2 and ECDH", crypto2Pre + `const hk = await s.importKey("raw", enc("secret"), "HKDF", false, ["deriveKey", "deriveBits"]);
			const p = { name: "HKDF", hash: "SHA-256", salt: enc("s"), info: enc("i") };
			const aes = await s.deriveKey(p, hk, { name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
			const mac = await s.deriveKey(p, hk, { name: "HMAC", hash: "SHA-384" }, true, ["sign"]);
			const pb = await s.importKey("raw", enc("pw"), "PBKDF2", false, ["deriveKey"]);
			const kw = await s.deriveKey({ name: "PBKDF2", hash: "SHA-512", salt: enc("salt"), iterations: 10 }, pb, { name: "AES-KW", length: 128 }, false, ["wrapKey"]);
			const a = await s.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveKey"]), b = await s.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveKey"]);
			const ka = await s.deriveKey({ name: "ECDH", public: b.publicKey }, a.privateKey, { name: "AES-CBC", length: 128 }, true, ["encrypt"]);
			const kb = await s.deriveKey({ name: "ECDH", public: a.publicKey }, b.privateKey, { name: "AES-CBC", length: 128 }, true, ["encrypt"]);
			return [hex(await s.exportKey("raw", aes)) === hex(await s.deriveBits(p, hk, 256)), aes.algorithm, mac.algorithm.length, hex(await s.exportKey("raw", mac)) === hex(await s.deriveBits(p, hk, 1024)), kw.algorithm, hex(await s.exportKey("raw", ka)) === hex(await s.exportKey("raw", kb))]`,
			`[true,{"name":"AES-GCM","length":256},1024,true,{"name":"AES-KW","length":128},true]`},
	})
}

func TestWebCryptoWrapAndEd25519(t *testing.T) {
	runWebCases(t, allKinds, []webCase{
		{"AES-KW wraps the RFC 3394 4.1 and 4.6 vectors and unwraps them", crypto2Pre + `const out = [];
			for (const [kek, data] of [["000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff"], ["000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f"]]) {
				const w = await s.importKey("raw", h(kek), "AES-KW", false, ["wrapKey", "unwrapKey"]);
				const key = await s.importKey("raw", h(data), "AES-GCM", true, ["encrypt"]);
				const wrapped = await s.wrapKey("raw", key, w, "AES-KW");
				const back = await s.unwrapKey("raw", wrapped, w, { name: "AES-KW" }, "AES-GCM", true, ["decrypt"]);
				out.push(hex(wrapped), hex(await s.exportKey("raw", back)) === data, back.usages);
			}
			return out`,
			`["1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5",true,["decrypt"],"28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21",true,["decrypt"]]`},
		{"Ed25519 signs RFC 8032 test 1", crypto2Pre + `const d = h("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"), x = h("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
			const priv = await s.importKey("jwk", { kty: "OKP", crv: "Ed25519", d: b64u(d), x: b64u(x) }, "Ed25519", true, ["sign"]);
			const pub = await s.importKey("raw", x, { name: "Ed25519" }, true, ["verify"]);
			const sig = await s.sign("Ed25519", priv, new Uint8Array(0));
			const j = await s.exportKey("jwk", priv);
			return [hex(sig), await s.verify("Ed25519", pub, sig, new Uint8Array(0)), await s.verify("Ed25519", pub, sig, new Uint8Array(1)), j.alg, j.crv, j.d === b64u(d), hex(await s.exportKey("raw", pub)) === hex(x)]`,
			`["e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",true,false,"Ed25519","Ed25519",true,true]`},
	})
	// Key generation needs an action (see TestKeyGenerationNeedsAnAction).
	runWebCases(t, actionOnly, []webCase{
		{"wrapKey and unwrapKey round-trip keys through every wrapping algorithm", crypto2Pre + `const hmac = await s.importKey("raw", enc("0123456789abcdef"), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
			const ec = await s.importKey("jwk", V.ecJwk, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
			const rsa = await s.generateKey({ name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["wrapKey", "unwrapKey"]);
			const uses = ["wrapKey", "unwrapKey"];
			const wrappers = [[{ name: "AES-GCM", iv: new Uint8Array(12) }, await s.generateKey({ name: "AES-GCM", length: 256 }, false, uses)],
				[{ name: "AES-CBC", iv: new Uint8Array(16) }, await s.generateKey({ name: "AES-CBC", length: 128 }, false, uses)],
				[{ name: "AES-CTR", counter: new Uint8Array(16), length: 64 }, await s.generateKey({ name: "AES-CTR", length: 192 }, false, uses)],
				["AES-KW", await s.generateKey({ name: "AES-KW", length: 256 }, false, uses)]];
			const out = [];
			for (const [alg, wk] of wrappers) {
				const j = await s.unwrapKey("jwk", await s.wrapKey("jwk", ec, wk, alg), wk, alg, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
				const r = await s.unwrapKey("raw", await s.wrapKey("raw", hmac, wk, alg), wk, alg, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
				out.push([(await s.exportKey("jwk", j)).d === V.ecJwk.d, hex(await s.sign("HMAC", r, enc("m"))) === hex(await s.sign("HMAC", hmac, enc("m")))]);
			}
			const viaRsa = await s.unwrapKey("raw", await s.wrapKey("raw", hmac, rsa.publicKey, "RSA-OAEP"), rsa.privateKey, "RSA-OAEP", { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
			out.push(new TextDecoder().decode(await s.exportKey("raw", viaRsa)));
			return out`,
			`[[true,true],[true,true],[true,true],[true,true],"0123456789abcdef"]`},
		{"a compact JWE with dir and A256GCM round-trips", crypto2Pre + `const key = await s.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
			const header = b64u(enc(JSON.stringify({ alg: "dir", enc: "A256GCM" })));
			const iv = crypto.getRandomValues(new Uint8Array(12));
			const sealed = new Uint8Array(await s.encrypt({ name: "AES-GCM", iv, additionalData: enc(header) }, key, enc("the payload")));
			const jwe = [header, "", b64u(iv), b64u(sealed.subarray(0, -16)), b64u(sealed.subarray(-16))].join(".");
			const [hd, , ivPart, ct, tagPart] = jwe.split(".");
			const un = (x) => Uint8Array.from(atob(x.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
			const plain = await s.decrypt({ name: "AES-GCM", iv: un(ivPart), additionalData: enc(hd) }, key, new Uint8Array([...un(ct), ...un(tagPart)]));
			return [JSON.parse(atob(hd)).enc, new TextDecoder().decode(plain), jwe.split(".").length]`,
			`["A256GCM","the payload",5]`},
		{"Ed25519 verifies Node's signature, re-exports Node's keys and signs with generated keys", crypto2Pre + `const pub = await s.importKey("spki", bin(W.edSpki), "Ed25519", true, ["verify"]);
			const priv = await s.importKey("pkcs8", bin(W.edPkcs8), "Ed25519", true, ["sign"]);
			const g = await s.generateKey("Ed25519", false, ["sign", "verify"]);
			const sig = await s.sign({ name: "Ed25519" }, g.privateKey, enc("hello"));
			return [await s.verify("Ed25519", pub, bin(W.edSig), enc("hello")), hex(await s.sign("Ed25519", priv, enc("hello"))) === hex(bin(W.edSig)),
				btoa(String.fromCharCode(...new Uint8Array(await s.exportKey("pkcs8", priv)))) === W.edPkcs8, await s.verify("Ed25519", g.publicKey, sig, enc("hello")), g.publicKey.usages, g.privateKey.usages, g.privateKey.extractable]`,
			`[true,true,true,true,["verify"],["sign"],false]`},
	})
}

func TestWebCryptoErrors(t *testing.T) {
	setup := crypto2Pre + `const gcm = await s.importKey("raw", new Uint8Array(16), "AES-GCM", true, ["encrypt", "decrypt"]);
		const cbc = await s.importKey("raw", new Uint8Array(16), "AES-CBC", false, ["encrypt", "decrypt"]);
		const hk = await s.importKey("raw", new Uint8Array(16), "HKDF", false, ["deriveBits"]);
		const x = await s.generateKey("X25519", false, ["deriveBits"]);
		const ec = await s.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
		const ec384 = await s.generateKey({ name: "ECDH", namedCurve: "P-384" }, false, ["deriveBits"]);
		try { `
	cases := []struct{ name, js, want string }{
		{"encrypting with a key without the encrypt usage is an InvalidAccessError", `await s.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, await s.importKey("raw", new Uint8Array(16), "AES-CBC", false, ["decrypt"]), new Uint8Array(1))`, "InvalidAccessError"},
		{"encrypting with another algorithm's key is an InvalidAccessError", `await s.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, cbc, new Uint8Array(1))`, "InvalidAccessError"},
		{"a wrong key's CBC padding is an OperationError", `await s.decrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, await s.importKey("raw", new Uint8Array(16).fill(1), "AES-CBC", false, ["decrypt"]), await s.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, cbc, enc("x")))`, "OperationError"},
		{"a tampered GCM ciphertext is an OperationError", `const c = new Uint8Array(await s.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, gcm, enc("x"))); c[0] ^= 1; await s.decrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, gcm, c)`, "OperationError"},
		{"an invalid GCM tag length is an OperationError", `await s.encrypt({ name: "AES-GCM", iv: new Uint8Array(12), tagLength: 100 }, gcm, enc("x"))`, "OperationError"},
		{"a GCM call without an iv is a TypeError", `await s.encrypt({ name: "AES-GCM" }, gcm, enc("x"))`, "TypeError"},
		{"a 12-byte CBC iv is an OperationError", `await s.encrypt({ name: "AES-CBC", iv: new Uint8Array(12) }, cbc, enc("x"))`, "OperationError"},
		{"a CTR length of 0 is an OperationError", `await s.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 0 }, await s.importKey("raw", new Uint8Array(16), "AES-CTR", false, ["encrypt"]), enc("x"))`, "OperationError"},
		{"a 15-byte AES key is a DataError", `await s.importKey("raw", new Uint8Array(15), "AES-GCM", false, ["encrypt"])`, "DataError"},
		{"an AES JWK with another algorithm's alg is a DataError", `await s.importKey("jwk", { kty: "oct", k: "AAAAAAAAAAAAAAAAAAAAAA", alg: "A128CBC" }, "AES-GCM", false, ["encrypt"])`, "DataError"},
		{"an RSA JWK whose alg is for signing is a DataError when imported for RSA-OAEP", `await s.importKey("jwk", { ...V.rsaJwk, key_ops: undefined }, { name: "RSA-OAEP", hash: "SHA-1" }, false, ["decrypt"])`, "DataError"},
		{"generating a 100-bit AES key is an OperationError", `await s.generateKey({ name: "AES-GCM", length: 100 }, false, ["encrypt"])`, "OperationError"},
		{"an AES key with the sign usage is a SyntaxError", `await s.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["sign"])`, "SyntaxError"},
		{"a secret key with no usages is a SyntaxError", `await s.generateKey({ name: "AES-GCM", length: 128 }, false, [])`, "SyntaxError"},
		{"an extractable HKDF key is a SyntaxError", `await s.importKey("raw", new Uint8Array(16), "HKDF", true, ["deriveBits"])`, "SyntaxError"},
		{"an unknown cipher is a NotSupportedError", `await s.encrypt({ name: "AES-OCB", iv: new Uint8Array(12) }, gcm, enc("x"))`, "NotSupportedError"},
		{"encrypting with a signature algorithm is a NotSupportedError", `await s.encrypt("ECDSA", gcm, enc("x"))`, "NotSupportedError"},
		{"HKDF bits that are not whole bytes are an OperationError", `await s.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new Uint8Array(0) }, hk, 7)`, "OperationError"},
		{"HKDF with a null length is an OperationError", `await s.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new Uint8Array(0) }, hk, null)`, "OperationError"},
		{"PBKDF2 with zero iterations is an OperationError", `await s.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(0), iterations: 0 }, await s.importKey("raw", enc("p"), "PBKDF2", false, ["deriveBits"]), 256)`, "OperationError"},
		{"ECDH with a public key on another curve is an InvalidAccessError", `await s.deriveBits({ name: "ECDH", public: ec384.publicKey }, ec.privateKey, 256)`, "InvalidAccessError"},
		{"X25519 with an ECDH public key is an InvalidAccessError", `await s.deriveBits({ name: "X25519", public: ec.publicKey }, x.privateKey, 256)`, "InvalidAccessError"},
		{"asking ECDH for more bits than the secret has is an OperationError", `await s.deriveBits({ name: "ECDH", public: ec.publicKey }, ec.privateKey, 264)`, "OperationError"},
		{"a tampered AES-KW wrapping is an OperationError", `const w = await s.importKey("raw", new Uint8Array(16), "AES-KW", false, ["wrapKey", "unwrapKey"]); const c = new Uint8Array(await s.wrapKey("raw", gcm, w, "AES-KW")); c[3] ^= 1; await s.unwrapKey("raw", c, w, "AES-KW", "AES-GCM", true, ["encrypt"])`, "OperationError"},
		{"wrapping a key that is not extractable is an InvalidAccessError", `const w = await s.importKey("raw", new Uint8Array(16), "AES-KW", false, ["wrapKey"]); await s.wrapKey("raw", cbc, w, "AES-KW")`, "InvalidAccessError"},
		{"wrapping with a key without the wrapKey usage is an InvalidAccessError", `await s.wrapKey("raw", gcm, gcm, { name: "AES-GCM", iv: new Uint8Array(12) })`, "InvalidAccessError"},
		{"an Ed25519 public key of 31 bytes is a DataError", `await s.importKey("raw", new Uint8Array(31), "Ed25519", false, ["verify"])`, "DataError"},
		{"an Ed25519 public key with the sign usage is a SyntaxError", `await s.importKey("raw", new Uint8Array(32).fill(3), "Ed25519", false, ["sign"])`, "SyntaxError"},
		{"an Ed448 key is a NotSupportedError", `await s.generateKey("Ed448", false, ["sign"])`, "NotSupportedError"},
	}
	var web []webCase
	for _, c := range cases {
		web = append(web, webCase{c.name, setup + c.js + `; return "no error" } catch (e) { return e.name }`, `"` + c.want + `"`})
	}
	runWebCases(t, actionOnly, web)
}

func TestCryptoEncryptionIsSeededInQueries(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	body := crypto2Pre + `const pub = await s.importKey("spki", bin(V.rsaSpki), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
		return [hex(await s.encrypt("RSA-OAEP", pub, enc("m")))]`
	seededInQueriesOnly(t, pool, body)
}

// Queries and mutations have only seeded randomness: generating a key
// fails there with Convex's error, once the arguments are checked; actions
// generate keys.
func TestKeyGenerationNeedsAnAction(t *testing.T) {
	const refused = "Can't use cryptographic randomness in queries and mutations. Please consider using an action."
	cases := []struct{ name, alg, uses string }{
		{"an AES key", `{ name: "AES-GCM", length: 128 }`, `["encrypt"]`},
		{"an HMAC key", `{ name: "HMAC", hash: "SHA-256" }`, `["sign"]`},
		{"an ECDSA key pair", `{ name: "ECDSA", namedCurve: "P-256" }`, `["sign", "verify"]`},
		{"an RSA key pair", `{ name: "RSA-PSS", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }`, `["sign"]`},
		{"an Ed25519 key pair", `"Ed25519"`, `["sign"]`},
		{"an X25519 key pair", `"X25519"`, `["deriveBits"]`},
	}
	pool := newTestPool(runtime.Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := `const k = await crypto.subtle.generateKey(` + c.alg + `, true, ` + c.uses + `); return (k.privateKey ?? k).type`
			for _, kind := range []runtime.Kind{runtime.KindQuery, runtime.KindMutation} {
				res := runWeb(t, pool, kind, body)
				if res.Err == nil || !strings.Contains(res.Err.Message, refused) {
					t.Fatalf("%s: got %s %+v, want the error %q", kind, res.Value, res.Err, refused)
				}
			}
			if res := runWeb(t, pool, runtime.KindAction, body); res.Err != nil {
				t.Fatalf("action: %s", res.Err.Message)
			}
		})
	}
	// Bad arguments are reported as such, before randomness is refused.
	res := runWeb(t, pool, runtime.KindQuery, `try { await crypto.subtle.generateKey({ name: "AES-GCM", length: 100 }, false, ["encrypt"]) } catch (e) { return e.name }`)
	if res.Err != nil || string(res.Value) != `"OperationError"` {
		t.Fatalf("bad length in a query: %s %+v", res.Value, res.Err)
	}
}
