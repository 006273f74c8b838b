// ---- crypto.subtle: the operations, SubtleCrypto and the crypto global ----
const sigHash = (alg, key) => {
  const hash = alg.name === "ECDSA" ? alg.hash?.name : key.algorithm.hash.name;
  if (!hash) throw new TypeError("ECDSA needs a hash");
  return hash;
};
const hmacOf = (key, data) => b64ToBytes(cryptoCall("hmac", { hash: key.algorithm.hash.name, key: bytesToB64(key[kKey].raw), data: b64Of(data) }));
const sign = (algorithm, key, data) => {
  const alg = normAlg(algorithm, "sign");
  requireUsage(key, "sign", alg);
  const k = key[kKey];
  if (alg.name === "HMAC") return hmacOf(key, data).buffer;
  if (alg.name === "Ed25519") return bufOf(cryptoCall("sign", { alg: alg.name, key: k.der, data: b64Of(data) }));
  const req = { alg: alg.name, hash: sigHash(alg, key), key: k.der, data: b64Of(data), saltLength: Number(alg.saltLength ?? 0), deterministic };
  if (alg.name === "RSA-PSS" && deterministic) req.rand = bytesToB64(randomBytes(Math.max(64, req.saltLength)));
  return bufOf(cryptoCall("sign", req));
};
const verify = (algorithm, key, signature, data) => {
  const alg = normAlg(algorithm, "verify");
  requireUsage(key, "verify", alg);
  const k = key[kKey];
  if (alg.name === "HMAC") {
    const want = hmacOf(key, data);
    const got = toU8(signature);
    if (got.length !== want.length) return false;
    let diff = 0;
    for (let i = 0; i < got.length; i++) diff |= got[i] ^ want[i];
    return diff === 0;
  }
  const req = { alg: alg.name, key: k.der, data: b64Of(data), sig: b64Of(signature) };
  if (alg.name !== "Ed25519") Object.assign(req, { hash: sigHash(alg, key), saltLength: Number(alg.saltLength ?? 0) });
  return cryptoCall("verify", req);
};

// cipherRequest is the Go request of encrypt or decrypt (op) with alg.
const cipherRequest = (op, alg, key) => {
  const k = key[kKey];
  switch (alg.name) {
    case "AES-GCM": {
      const req = { key: bytesToB64(k.raw), iv: needParam(alg, "iv"), tagLength: Number(alg.tagLength ?? 128) };
      if (alg.additionalData !== undefined) req.additionalData = b64Of(alg.additionalData);
      return req;
    }
    case "AES-CBC": return { key: bytesToB64(k.raw), iv: needParam(alg, "iv") };
    case "AES-CTR": {
      if (alg.length === undefined) throw new TypeError("AES-CTR needs the length parameter");
      return { key: bytesToB64(k.raw), counter: needParam(alg, "counter"), length: Number(alg.length) };
    }
    case "AES-KW": return { key: bytesToB64(k.raw) };
  }
  const req = { key: k.der, hash: key.algorithm.hash.name };
  if (alg.label !== undefined) req.label = b64Of(alg.label);
  if (op === "encrypt" && deterministic) req.rand = bytesToB64(randomBytes(64));
  return req;
};
// runCipher encrypts or decrypts bytes with a key whose usage is checked.
const runCipher = (op, alg, key, data) => {
  const req = cipherRequest(op, alg, key);
  req.alg = alg.name;
  req.data = b64Of(data);
  return bufOf(cryptoCall(op, req));
};
const cipherOp = (op) => (algorithm, key, data) => {
  const alg = normAlg(algorithm, op);
  const bytes = copyBytes(data);
  requireUsage(key, op, alg);
  return runCipher(op, alg, key, bytes);
};

// deriveRequest is the Go request of deriveBits with alg and key.
const deriveRequest = (alg, key) => {
  const k = key[kKey];
  switch (alg.name) {
    case "HKDF":
    case "PBKDF2": {
      if (!alg.hash) throw new TypeError(`${alg.name} needs the hash parameter`);
      const req = { key: bytesToB64(k.raw), hash: alg.hash.name, salt: needParam(alg, "salt") };
      if (alg.name === "HKDF") req.info = needParam(alg, "info");
      else if (alg.iterations === undefined) throw new TypeError("PBKDF2 needs the iterations parameter");
      else req.iterations = Number(alg.iterations);
      return req;
    }
  }
  const pub = alg.public;
  if (!(pub instanceof CryptoKey)) throw new TypeError(`${alg.name} needs a public CryptoKey`);
  if (pub.type !== "public") throw new DOMException(`The ${alg.name} public parameter is not a public key`, "InvalidAccessError");
  if (pub.algorithm.name !== alg.name) throw new DOMException(`The public key is not an ${alg.name} key`, "InvalidAccessError");
  if (k.type !== "private") throw new DOMException(`${alg.name} derives with a private key`, "InvalidAccessError");
  return { key: k.der, public: pub[kKey].der };
};
const runDerive = (alg, key, length) => {
  const req = deriveRequest(alg, key);
  req.alg = alg.name;
  req.length = length === null || length === undefined ? null : Number(length);
  return b64ToBytes(cryptoCall("deriveBits", req));
};
const deriveBits = (algorithm, baseKey, length = null) => {
  const alg = normAlg(algorithm, "deriveBits");
  requireUsage(baseKey, "deriveBits", alg);
  return runDerive(alg, baseKey, length).buffer;
};
// keyLengthOf is the bits a key of the algorithm needs, null for HKDF and PBKDF2.
const keyLengthOf = (alg) => {
  if (aesNames.includes(alg.name)) {
    if (alg.length !== 128 && alg.length !== 192 && alg.length !== 256) throw new DOMException(`${alg.name} key length must be 128, 192 or 256 bits`, "OperationError");
    return alg.length;
  }
  if (alg.name === "HMAC") {
    if (!alg.hash) throw new TypeError("HMAC keys need a hash");
    if (alg.length === undefined) return hmacBlockBits[alg.hash.name];
    if (!(alg.length > 0)) throw new DOMException("The HMAC key length must be positive", "OperationError");
    return alg.length;
  }
  return null;
};
const deriveKey = (algorithm, baseKey, derivedKeyType, extractable, usages) => {
  const alg = normAlg(algorithm, "deriveBits");
  const type = normAlg(derivedKeyType, "keyLength");
  const length = keyLengthOf(type);
  requireUsage(baseKey, "deriveKey", alg);
  return importKey("raw", runDerive(alg, baseKey, length), derivedKeyType, extractable, usages);
};

const wrapKey = (format, key, wrappingKey, wrapAlgorithm) => {
  const alg = normAlg(wrapAlgorithm, "wrapKey");
  requireUsage(wrappingKey, "wrapKey", alg);
  const exported = exportKey(format, key);
  let bytes = format === "jwk" ? utf8Encode(JSON.stringify(exported)) : new Uint8Array(exported);
  // AES-KW wraps whole 8-byte blocks: JSON allows trailing spaces.
  if (alg.name === "AES-KW" && format === "jwk" && bytes.length % 8 !== 0) bytes = utf8Encode(JSON.stringify(exported) + " ".repeat(8 - (bytes.length % 8)));
  return runCipher("encrypt", alg, wrappingKey, bytes);
};
const unwrapKey = (format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, extractable, usages) => {
  const alg = normAlg(unwrapAlgorithm, "unwrapKey");
  normAlg(unwrappedKeyAlgorithm, "importKey");
  const bytes = copyBytes(wrappedKey);
  requireUsage(unwrappingKey, "unwrapKey", alg);
  let keyData = new Uint8Array(runCipher("decrypt", alg, unwrappingKey, bytes));
  if (format === "jwk") {
    try {
      keyData = JSON.parse(utf8DecodeLoose(keyData));
    } catch {
      throw new DOMException("The unwrapped key is not a JWK", "DataError");
    }
  }
  return importKey(format, keyData, unwrappedKeyAlgorithm, extractable, usages);
};

const asPromise = (f) => function (...args) {
  try { return Promise.resolve(f(...args)); } catch (e) { return Promise.reject(e); }
};
class SubtleCrypto {
  constructor(key) { if (key !== kCreate) throw new TypeError("Illegal constructor"); }
}
const subtleOps = {
  digest: (algorithm, data) => bufOf(cryptoCall("digest", { hash: normAlg(algorithm, "digest").name, data: b64Of(data) })),
  importKey, exportKey, sign, verify, generateKey, encrypt: cipherOp("encrypt"), decrypt: cipherOp("decrypt"),
  deriveBits, deriveKey, wrapKey, unwrapKey,
};
for (const [name, f] of Object.entries(subtleOps)) SubtleCrypto.prototype[name] = asPromise(f);
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
