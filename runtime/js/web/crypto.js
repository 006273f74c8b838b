// ---- crypto: getRandomValues, randomUUID and what crypto.subtle shares ----
// Randomness is seeded in queries and mutations and comes from the
// system's generator in actions. The subtle operations run in Go
// (__hull_web_crypto); the JS side validates algorithms, usages and
// parameters and keeps CryptoKey objects (cryptokeys.js, cryptoops.js).
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

// Algorithm names and the operations each is registered for.
const cryptoHashes = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"];
const sigAlgs = ["HMAC", "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA", "Ed25519"];
const cipherAlgs = ["RSA-OAEP", "AES-GCM", "AES-CBC", "AES-CTR"];
const deriveAlgs = ["ECDH", "X25519", "HKDF", "PBKDF2"];
const aesNames = ["AES-GCM", "AES-CBC", "AES-CTR", "AES-KW"];
const algNames = [...sigAlgs, ...cipherAlgs, "AES-KW", ...deriveAlgs, ...cryptoHashes];
const algOps = {
  digest: cryptoHashes, sign: sigAlgs, verify: sigAlgs, encrypt: cipherAlgs, decrypt: cipherAlgs, deriveBits: deriveAlgs,
  wrapKey: [...cipherAlgs, "AES-KW"], unwrapKey: [...cipherAlgs, "AES-KW"], keyLength: [...aesNames, "HMAC", "HKDF", "PBKDF2"],
  importKey: algNames.filter((n) => !n.startsWith("SHA-")), generateKey: algNames.filter((n) => !n.startsWith("SHA-") && n !== "HKDF" && n !== "PBKDF2"),
};
// pairKinds is the Go side's key family of each asymmetric algorithm.
const pairKinds = { "RSASSA-PKCS1-v1_5": "RSA", "RSA-PSS": "RSA", "RSA-OAEP": "RSA", ECDSA: "EC", ECDH: "EC", Ed25519: "OKP", X25519: "OKP" };
const normAlg = (alg, op) => {
  if (alg === null || (typeof alg !== "string" && typeof alg !== "object")) throw new TypeError("The algorithm must be a string or an object");
  const a = typeof alg === "string" ? { name: alg } : { ...alg };
  if (a.name === undefined) throw new TypeError("The algorithm needs a name");
  const name = algNames.find((n) => n.toLowerCase() === String(a.name).toLowerCase());
  if (!name || (op && !algOps[op].includes(name))) throw new DOMException(`Unrecognized or unsupported algorithm name: ${a.name}${name ? ` (for ${op})` : ""}`, "NotSupportedError");
  a.name = name;
  if (a.hash !== undefined) a.hash = { name: normAlg(a.hash, "digest").name };
  return a;
};
// needParam reads a required BufferSource member of an algorithm as base64.
const needParam = (alg, member) => {
  if (alg[member] === undefined) throw new TypeError(`${alg.name} needs the ${member} parameter`);
  return b64Of(alg[member]);
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
// keyUsagesOf is what keys of an algorithm may be used for; public keys
// only for the usages in publicUsages.
const keyUsagesOf = (name) => sigAlgs.includes(name) ? ["sign", "verify"] : name === "AES-KW" ? ["wrapKey", "unwrapKey"]
  : cipherAlgs.includes(name) ? ["encrypt", "decrypt", "wrapKey", "unwrapKey"] : ["deriveKey", "deriveBits"];
const publicUsages = ["verify", "encrypt", "wrapKey"];
const checkUsages = (name, type, usages) => {
  const list = [...usages];
  const allowed = keyUsagesOf(name);
  for (const u of list) {
    if (!allowed.includes(u) || (type === "public" && !publicUsages.includes(u))) throw new DOMException(`A ${name} ${type} key cannot have the usage '${u}'`, "SyntaxError");
  }
  if (list.length === 0 && type !== "public") throw new DOMException("Usages cannot be empty when creating a key", "SyntaxError");
  return list;
};
const requireUsage = (key, usage, alg) => {
  if (!(key instanceof CryptoKey)) throw new TypeError("key is not a CryptoKey");
  if (key.algorithm.name !== alg.name) throw new DOMException("The key's algorithm does not match the requested one", "InvalidAccessError");
  if (!key[kKey].usages.includes(usage)) throw new DOMException(`The key does not support the '${usage}' operation`, "InvalidAccessError");
};
const hmacBlockBits = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
// jwkAlgOf is the JWK "alg" of a key algorithm, if it has one.
const jwkAlgOf = (a) => {
  const h = a.hash?.name.slice(4);
  switch (a.name) {
    case "HMAC": return "HS" + h;
    case "RSASSA-PKCS1-v1_5": return "RS" + h;
    case "RSA-PSS": return "PS" + h;
    case "RSA-OAEP": return h === "1" ? "RSA-OAEP" : "RSA-OAEP-" + h;
    case "Ed25519": return "Ed25519";
  }
  return aesNames.includes(a.name) ? `A${a.length}${a.name.slice(4)}` : undefined;
};
