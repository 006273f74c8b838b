// ---- crypto: getRandomValues, randomUUID and crypto.subtle ----
// Randomness is seeded in queries and mutations and comes from the
// system's generator in actions. The subtle operations run in Go
// (__hull_web_crypto); this side validates algorithms and keeps CryptoKey
// objects.
const randomBytes = (n) => {
  if (!deterministic && hostRandom) {
    const hex = hostRandom(String(n));
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const r = Math.floor(seededRandom() * 4294967296);
    for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (r >>> (8 * j)) & 255;
  }
  return out;
};
const intArrays = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];
const getRandomValues = (arr) => {
  if (!intArrays.some((T) => arr instanceof T)) throw new DOMException("The data argument must be an integer-type TypedArray", "TypeMismatchError");
  if (arr.byteLength > 65536) throw new DOMException(`The ArrayBufferView's byte length (${arr.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, "QuotaExceededError");
  new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).set(randomBytes(arr.byteLength));
  return arr;
};
const randomUUID = () => {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  let h = "";
  for (const x of b) h += (x < 16 ? "0" : "") + x.toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

const algNames = ["HMAC", "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "AES-GCM", "AES-CBC", "ECDH", "Ed25519", "RSA-OAEP"];
const supported = new Set(["HMAC", "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA", "SHA-1", "SHA-256", "SHA-384", "SHA-512"]);
const normAlg = (alg) => {
  const a = typeof alg === "string" ? { name: alg } : { ...alg };
  const name = algNames.find((n) => n.toLowerCase() === String(a.name).toLowerCase());
  if (!name || !supported.has(name)) throw new DOMException(`Unrecognized or unsupported algorithm name: ${a.name} (hull supports ${[...supported].join(", ")})`, "NotSupportedError");
  a.name = name;
  if (a.hash !== undefined) a.hash = { name: normAlg(a.hash).name };
  return a;
};
const cryptoCall = (op, args) => {
  let out;
  try {
    out = hostCrypto(op, JSON.stringify(args));
  } catch (e) {
    const m = /^(\w+Error): (.*)$/s.exec(String(e?.message ?? e));
    throw m ? new DOMException(m[2], m[1]) : new DOMException(String(e?.message ?? e), "OperationError");
  }
  return JSON.parse(out);
};
const b64Of = (data) => bytesToB64(toU8(data));
const bufOf = (b64) => b64ToBytes(b64).buffer;

const kKey = Symbol("key");
class CryptoKey {
  constructor(key) {
    if (key !== kCreate) throw new TypeError("Illegal constructor");
  }
  get type() { return this[kKey].type; }
  get extractable() { return this[kKey].extractable; }
  get algorithm() { return this[kKey].algorithm; }
  get usages() { return this[kKey].usages.slice(); }
}
tag(CryptoKey);
const makeKey = (type, extractable, algorithm, usages, material) => {
  const k = new CryptoKey(kCreate);
  k[kKey] = { type, extractable: Boolean(extractable), algorithm, usages: [...usages], ...material };
  return k;
};
const hmacBlockBits = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
const jwkAlgs = {
  "HMAC": (h) => "HS" + h.slice(4), "RSASSA-PKCS1-v1_5": (h) => "RS" + h.slice(4), "RSA-PSS": (h) => "PS" + h.slice(4),
};
const requireUsage = (key, usage, alg) => {
  if (!(key instanceof CryptoKey)) throw new TypeError("key is not a CryptoKey");
  if (key.algorithm.name !== alg.name) throw new DOMException("The key's algorithm does not match the requested one", "InvalidAccessError");
  if (!key[kKey].usages.includes(usage)) throw new DOMException(`The key does not support the '${usage}' operation`, "InvalidAccessError");
};

const importKey = (format, keyData, algorithm, extractable, usages) => {
  const alg = normAlg(algorithm);
  if (alg.name.startsWith("SHA-")) throw new DOMException(`${alg.name} is not a key algorithm`, "NotSupportedError");
  if (alg.name === "HMAC") {
    let raw;
    if (format === "raw") raw = copyBytes(keyData);
    else if (format === "jwk") {
      if (keyData?.kty !== "oct") throw new DOMException("JWK kty must be 'oct' for HMAC", "DataError");
      raw = fromB64url(keyData.k);
      if (!raw) throw new DOMException("JWK member k is not base64url", "DataError");
    } else throw new DOMException(`HMAC keys do not import from ${format}`, "NotSupportedError");
    if (!alg.hash) throw new TypeError("HMAC importKey needs a hash");
    return makeKey("secret", extractable, { name: "HMAC", hash: alg.hash, length: alg.length ?? raw.length * 8 }, usages, { raw });
  }
  const kind = alg.name === "ECDSA" ? "EC" : "RSA";
  const req = { format, kind, curve: alg.namedCurve ?? "" };
  if (format === "jwk") req.jwk = keyData;
  else req.data = b64Of(keyData);
  const info = cryptoCall("importKey", req);
  const keyAlg = kind === "EC" ? { name: alg.name, namedCurve: info.namedCurve }
    : { name: alg.name, modulusLength: info.modulusLength, publicExponent: new Uint8Array(b64ToBytes(info.publicExponent)), hash: alg.hash };
  if (kind === "RSA" && !alg.hash) throw new TypeError(`${alg.name} importKey needs a hash`);
  return makeKey(info.type, extractable, keyAlg, usages, { der: info.der });
};
const exportKey = (format, key) => {
  if (!(key instanceof CryptoKey)) throw new TypeError("key is not a CryptoKey");
  if (!key.extractable) throw new DOMException("The key is not extractable", "InvalidAccessError");
  const k = key[kKey];
  const alg = key.algorithm;
  if (alg.name === "HMAC") {
    if (format === "raw") return k.raw.slice().buffer;
    if (format === "jwk") return { kty: "oct", k: b64url(k.raw), alg: jwkAlgs.HMAC(alg.hash.name), key_ops: key.usages, ext: true };
    throw new DOMException(`HMAC keys do not export as ${format}`, "NotSupportedError");
  }
  const out = cryptoCall("exportKey", { format, private: k.type === "private", data: k.der });
  if (format !== "jwk") return bufOf(out);
  const j = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== ""));
  if (jwkAlgs[alg.name]) j.alg = jwkAlgs[alg.name](alg.hash.name);
  j.key_ops = key.usages;
  j.ext = true;
  return j;
};
const sign = (algorithm, key, data) => {
  const alg = normAlg(algorithm);
  requireUsage(key, "sign", alg);
  const k = key[kKey];
  if (alg.name === "HMAC") return bufOf(cryptoCall("hmac", { hash: key.algorithm.hash.name, key: bytesToB64(k.raw), data: b64Of(data) }));
  const hash = alg.name === "ECDSA" ? alg.hash?.name : key.algorithm.hash.name;
  if (!hash) throw new TypeError("ECDSA needs a hash");
  const req = { alg: alg.name, hash, key: k.der, data: b64Of(data), saltLength: Number(alg.saltLength ?? 0), deterministic };
  if (alg.name === "RSA-PSS" && deterministic) req.rand = bytesToB64(randomBytes(Math.max(64, req.saltLength)));
  return bufOf(cryptoCall("sign", req));
};
const verify = (algorithm, key, signature, data) => {
  const alg = normAlg(algorithm);
  requireUsage(key, "verify", alg);
  const k = key[kKey];
  if (alg.name === "HMAC") {
    const want = b64ToBytes(cryptoCall("hmac", { hash: key.algorithm.hash.name, key: bytesToB64(k.raw), data: b64Of(data) }));
    const got = toU8(signature);
    if (got.length !== want.length) return false;
    let diff = 0;
    for (let i = 0; i < got.length; i++) diff |= got[i] ^ want[i];
    return diff === 0;
  }
  const hash = alg.name === "ECDSA" ? alg.hash?.name : key.algorithm.hash.name;
  if (!hash) throw new TypeError("ECDSA needs a hash");
  return cryptoCall("verify", { alg: alg.name, hash, key: k.der, data: b64Of(data), sig: b64Of(signature), saltLength: Number(alg.saltLength ?? 0) });
};
const generateKey = (algorithm, extractable, usages) => {
  const alg = normAlg(algorithm);
  if (alg.name === "ECDSA" || alg.name === "RSASSA-PKCS1-v1_5" || alg.name === "RSA-PSS") {
    const ec = alg.name === "ECDSA";
    if (!ec && !alg.hash) throw new TypeError(`${alg.name} generateKey needs a hash`);
    const req = ec ? { kind: "EC", curve: alg.namedCurve ?? "" }
      : { kind: "RSA", saltLength: Number(alg.modulusLength), data: b64Of(alg.publicExponent ?? new Uint8Array([1, 0, 1])) };
    const pair = cryptoCall("generateKey", req);
    const keyAlg = (info) => ec ? { name: alg.name, namedCurve: info.namedCurve }
      : { name: alg.name, modulusLength: info.modulusLength, publicExponent: new Uint8Array(b64ToBytes(info.publicExponent)), hash: alg.hash };
    const list = [...usages];
    return {
      publicKey: makeKey("public", true, keyAlg(pair.public), list.filter((u) => u === "verify"), { der: pair.public.der }),
      privateKey: makeKey("private", extractable, keyAlg(pair.private), list.filter((u) => u === "sign"), { der: pair.private.der }),
    };
  }
  if (alg.name !== "HMAC") throw new DOMException(`generateKey does not support ${alg.name} in hull`, "NotSupportedError");
  const bits = alg.length ?? hmacBlockBits[alg.hash.name];
  return makeKey("secret", extractable, { name: "HMAC", hash: alg.hash, length: bits }, usages, { raw: randomBytes(Math.ceil(bits / 8)) });
};
const asPromise = (f) => function (...args) {
  try { return Promise.resolve(f(...args)); } catch (e) { return Promise.reject(e); }
};
class SubtleCrypto {
  constructor(key) { if (key !== kCreate) throw new TypeError("Illegal constructor"); }
}
const subtleOps = {
  digest: (algorithm, data) => bufOf(cryptoCall("digest", { hash: normAlg(algorithm).name, data: b64Of(data) })),
  importKey, exportKey, sign, verify, generateKey,
};
for (const [name, f] of Object.entries(subtleOps)) SubtleCrypto.prototype[name] = asPromise(f);
for (const name of ["encrypt", "decrypt", "deriveBits", "deriveKey", "wrapKey", "unwrapKey"]) {
  SubtleCrypto.prototype[name] = () => Promise.reject(new DOMException(`crypto.subtle.${name} is not supported in hull`, "NotSupportedError"));
}
tag(SubtleCrypto);
class Crypto {
  #subtle = new SubtleCrypto(kCreate);
  constructor(key) { if (key !== kCreate) throw new TypeError("Illegal constructor"); }
  get subtle() { return this.#subtle; }
  getRandomValues(arr) { return getRandomValues(arr); }
  randomUUID() { return randomUUID(); }
}
tag(Crypto);
define("crypto", new Crypto(kCreate));
define("Crypto", Crypto);
define("CryptoKey", CryptoKey);
define("SubtleCrypto", SubtleCrypto);
