// ---- crypto.subtle: importKey, exportKey and generateKey ----
// Secret keys (HMAC, AES, HKDF, PBKDF2) keep their raw bytes; key pairs
// keep DER (SPKI or PKCS #8) that Go parses for each operation.
const secretKeyAlg = (alg, bytes) => {
  const name = alg.name;
  if (name === "HMAC") {
    if (!alg.hash) throw new TypeError("HMAC keys need a hash");
    return { name, hash: alg.hash, length: alg.length ?? bytes * 8 };
  }
  if (aesNames.includes(name)) {
    if (bytes !== 16 && bytes !== 24 && bytes !== 32) throw new DOMException(`${name} keys are 128, 192 or 256 bits, not ${bytes * 8}`, "DataError");
    return { name, length: bytes * 8 };
  }
  return { name };
};
// checkJwk applies a JWK's alg, ext and key_ops to an import.
const checkJwk = (j, keyAlg, extractable, usages) => {
  const want = jwkAlgOf(keyAlg);
  if (j.alg !== undefined && want !== undefined && j.alg !== want && !(want === "Ed25519" && j.alg === "EdDSA")) throw new DOMException(`The JWK alg ${j.alg} does not match ${want}`, "DataError");
  if (j.ext === false && extractable) throw new DOMException("The JWK is not extractable", "DataError");
  if (Array.isArray(j.key_ops)) {
    for (const u of usages) if (!j.key_ops.includes(u)) throw new DOMException(`The JWK key_ops do not allow '${u}'`, "DataError");
  }
};
const importSecret = (format, keyData, alg, extractable, usages) => {
  const name = alg.name;
  let raw;
  if (format === "raw") raw = copyBytes(keyData);
  else if (format === "jwk" && (name === "HMAC" || aesNames.includes(name))) {
    if (keyData.kty !== "oct") throw new DOMException(`JWK kty must be 'oct' for ${name}`, "DataError");
    raw = fromB64url(keyData.k ?? "");
    if (!raw) throw new DOMException("JWK member k is not base64url", "DataError");
  } else throw new DOMException(`${name} keys do not import from ${format}`, "NotSupportedError");
  if ((name === "HKDF" || name === "PBKDF2") && extractable) throw new DOMException(`${name} keys cannot be extractable`, "SyntaxError");
  const keyAlg = secretKeyAlg(alg, raw.length);
  const list = checkUsages(name, "secret", usages);
  if (format === "jwk") checkJwk(keyData, keyAlg, extractable, list);
  return makeKey("secret", extractable, keyAlg, list, { raw });
};
const pairKeyAlg = (alg, info) => {
  const kind = pairKinds[alg.name];
  if (kind === "EC") return { name: alg.name, namedCurve: info.namedCurve };
  if (kind === "OKP") return { name: alg.name };
  return { name: alg.name, modulusLength: info.modulusLength, publicExponent: new Uint8Array(b64ToBytes(info.publicExponent)), hash: alg.hash };
};
const pairRequest = (alg) => {
  const kind = pairKinds[alg.name];
  if (kind === "RSA" && !alg.hash) throw new TypeError(`${alg.name} keys need a hash`);
  if (kind === "EC" && alg.namedCurve === undefined) throw new TypeError(`${alg.name} keys need a namedCurve`);
  return { kind, curve: kind === "OKP" ? alg.name : String(alg.namedCurve ?? "") };
};
const importKey = (format, keyData, algorithm, extractable, usages) => {
  const alg = normAlg(algorithm, "importKey");
  if (!["raw", "spki", "pkcs8", "jwk"].includes(format)) throw new TypeError(`'${format}' is not a key format`);
  if (format === "jwk" && (keyData === null || typeof keyData !== "object")) throw new TypeError("A JWK must be an object");
  if (!pairKinds[alg.name]) return importSecret(format, keyData, alg, extractable, usages);
  const req = pairRequest(alg);
  req.format = format;
  if (format === "jwk") req.jwk = keyData;
  else req.data = b64Of(keyData);
  const info = cryptoCall("importKey", req);
  const keyAlg = pairKeyAlg(alg, info);
  const list = checkUsages(alg.name, info.type, usages);
  if (format === "jwk") checkJwk(keyData, keyAlg, extractable, list);
  return makeKey(info.type, extractable, keyAlg, list, { der: info.der });
};
const exportKey = (format, key) => {
  if (!(key instanceof CryptoKey)) throw new TypeError("key is not a CryptoKey");
  if (!["raw", "spki", "pkcs8", "jwk"].includes(format)) throw new TypeError(`'${format}' is not a key format`);
  if (!key.extractable) throw new DOMException("The key is not extractable", "InvalidAccessError");
  const k = key[kKey];
  const alg = key.algorithm;
  if (k.raw) {
    if (format === "raw") return k.raw.slice().buffer;
    if (format === "jwk") return { kty: "oct", k: b64url(k.raw), alg: jwkAlgOf(alg), key_ops: key.usages, ext: true };
    throw new DOMException(`${alg.name} keys do not export as ${format}`, "NotSupportedError");
  }
  const out = cryptoCall("exportKey", { format, private: k.type === "private", data: k.der });
  if (format !== "jwk") return bufOf(out);
  const j = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== ""));
  const a = jwkAlgOf(alg);
  if (a) j.alg = a;
  j.key_ops = key.usages;
  j.ext = true;
  return j;
};
// Keys need cryptographic randomness, which queries and mutations do not
// have (their randomness is seeded, to keep them deterministic): as in
// Convex, generateKey fails there once its arguments are checked.
const refuseKeyGeneration = () => {
  if (deterministic) throw new Error("Can't use cryptographic randomness in queries and mutations. Please consider using an action. See https://docs.convex.dev/functions/actions for more details.");
};
const generateSecret = (alg, extractable, usages) => {
  let bits = alg.length;
  if (alg.name === "HMAC") {
    if (!alg.hash) throw new TypeError("HMAC keys need a hash");
    bits = alg.length ?? hmacBlockBits[alg.hash.name];
    if (!(bits > 0)) throw new DOMException("The HMAC key length must be positive", "OperationError");
  } else if (bits !== 128 && bits !== 192 && bits !== 256) throw new DOMException(`${alg.name} key length must be 128, 192 or 256 bits`, "OperationError");
  const list = checkUsages(alg.name, "secret", usages);
  refuseKeyGeneration();
  const keyAlg = alg.name === "HMAC" ? { name: "HMAC", hash: alg.hash, length: bits } : { name: alg.name, length: bits };
  return makeKey("secret", extractable, keyAlg, list, { raw: randomBytes(Math.ceil(bits / 8)) });
};
const generateKey = (algorithm, extractable, usages) => {
  const alg = normAlg(algorithm, "generateKey");
  if (!pairKinds[alg.name]) return generateSecret(alg, extractable, usages);
  const list = [...usages];
  const allowed = keyUsagesOf(alg.name);
  for (const u of list) if (!allowed.includes(u)) throw new DOMException(`A ${alg.name} key cannot have the usage '${u}'`, "SyntaxError");
  const privUses = list.filter((u) => !publicUsages.includes(u));
  if (privUses.length === 0) throw new DOMException("Usages cannot be empty when creating a key", "SyntaxError");
  const req = pairRequest(alg);
  refuseKeyGeneration();
  if (req.kind === "RSA") {
    req.saltLength = Number(alg.modulusLength);
    req.data = b64Of(alg.publicExponent ?? new Uint8Array([1, 0, 1]));
  }
  const pair = cryptoCall("generateKey", req);
  return {
    publicKey: makeKey("public", true, pairKeyAlg(alg, pair.public), list.filter((u) => publicUsages.includes(u)), { der: pair.public.der }),
    privateKey: makeKey("private", extractable, pairKeyAlg(alg, pair.private), privUses, { der: pair.private.der }),
  };
};
