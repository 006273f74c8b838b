// Admin keys in Convex's legacy format, which hull mints and accepts: the
// Worker holds INSTANCE_SECRET (it hands it to the container), so it can
// mint a key for the admin endpoints it calls (GET /api/hull/next_due) and
// check the key an operator presents to /_hull/status, without any
// hull-side token of its own.
//
// A key reads "<instance name>|<hex payload>". The payload is the version
// byte 0x01, a 24-byte nonce and a NaCl secretbox (XSalsa20-Poly1305 keyed
// by the 32 secret bytes) of a small protobuf message: field 2 is the issue
// time in seconds, field 3 the member id (0 for a generic admin key).

const VERSION_BYTE = 0x01;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;

/** Decodes a 64-hex-character instance secret, or returns null. */
export function decodeSecret(secret: string): Uint8Array | null {
  const s = secret.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(s)) return null;
  return fromHex(s);
}

/** Mints a generic admin key for the instance, issued now. */
export function issueAdminKey(instanceName: string, secret: string): string {
  const nonce = new Uint8Array(NONCE_BYTES);
  crypto.getRandomValues(nonce);
  return issueAdminKeyAt(instanceName, secret, Math.floor(Date.now() / 1000), nonce);
}

/** Mints a key with a given issue time and nonce (deterministic, for tests). */
export function issueAdminKeyAt(instanceName: string, secret: string, issuedSeconds: number, nonce: Uint8Array): string {
  if (instanceName === "" || /[|:]/.test(instanceName)) {
    throw new Error(`instance name ${JSON.stringify(instanceName)} is empty or contains '|' or ':'`);
  }
  const key = decodeSecret(secret);
  if (!key) throw new Error("the instance secret is not 64 hex characters");
  if (nonce.length !== NONCE_BYTES) throw new Error("the nonce must be 24 bytes");
  const plain = concat(Uint8Array.of(0x10), uvarint(issuedSeconds), Uint8Array.of(0x18, 0x00));
  const sealed = secretboxSeal(plain, nonce, key);
  return `${instanceName}|${toHex(concat(Uint8Array.of(VERSION_BYTE), nonce, sealed))}`;
}

/** What checkAdminKey learned from a valid key. */
export interface KeyClaims {
  instanceName: string;
  issuedSeconds: number;
}

/**
 * Checks a presented key (optionally "prod:"/"dev:" prefixed) against the
 * instance: it must decrypt with the secret and name the instance. Returns
 * null for any key that is not valid; never throws on bad input.
 */
export function checkAdminKey(presented: string, instanceName: string, secret: string): KeyClaims | null {
  const key = decodeSecret(secret);
  if (!key) return null;
  let body = presented.trim();
  let name = "";
  const bar = body.indexOf("|");
  if (bar >= 0) {
    name = body.slice(0, bar);
    body = body.slice(bar + 1);
    const colon = name.lastIndexOf(":");
    if (colon >= 0) name = name.slice(colon + 1);
  }
  const colon = body.indexOf(":"); // an identity suffix the CLI may add
  if (colon >= 0) body = body.slice(0, colon);
  if (!/^[0-9a-fA-F]+$/.test(body) || body.length % 2 !== 0) return null;
  const payload = fromHex(body);
  if (payload.length < 1 + NONCE_BYTES + TAG_BYTES || payload[0] !== VERSION_BYTE) return null;
  const plain = secretboxOpen(payload.subarray(1 + NONCE_BYTES), payload.subarray(1, 1 + NONCE_BYTES), key);
  if (!plain) return null;
  const claims = readClaims(plain);
  if (!claims) return null;
  const keyName = name || claims.name;
  if (keyName !== instanceName || claims.issued === 0) return null;
  return { instanceName: keyName, issuedSeconds: claims.issued };
}

// --- the claims message ---

function uvarint(n: number): Uint8Array {
  const out: number[] = [];
  let v = BigInt(n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

function readClaims(b: Uint8Array): { name: string; issued: number } | null {
  let i = 0;
  let name = "";
  let issued = 0;
  const varint = (): number | null => {
    let v = 0n;
    for (let shift = 0n; i < b.length && shift < 64n; shift += 7n) {
      const c = b[i++]!;
      v |= BigInt(c & 0x7f) << shift;
      if ((c & 0x80) === 0) return Number(v);
    }
    return null;
  };
  while (i < b.length) {
    const tag = varint();
    if (tag === null) return null;
    const field = tag >>> 3;
    switch (tag & 7) {
      case 0: {
        const v = varint();
        if (v === null) return null;
        if (field === 2) issued = v;
        break;
      }
      case 2: {
        const len = varint();
        if (len === null || i + len > b.length) return null;
        if (field === 1) name = new TextDecoder().decode(b.subarray(i, i + len));
        i += len;
        break;
      }
      case 1:
        i += 8;
        break;
      case 5:
        i += 4;
        break;
      default:
        return null;
    }
  }
  return i === b.length ? { name, issued } : null;
}

// --- XSalsa20-Poly1305 (NaCl secretbox) ---

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

function words(b: Uint8Array, offset: number, n: number): number[] {
  const dv = new DataView(b.buffer, b.byteOffset + offset, n * 4);
  return Array.from({ length: n }, (_, i) => dv.getUint32(i * 4, true));
}

// salsaRounds applies the 20 Salsa20 rounds to x in place.
function salsaRounds(x: Uint32Array): void {
  const qr = (a: number, b: number, c: number, d: number) => {
    x[b]! ^= rotl(x[a]! + x[d]!, 7);
    x[c]! ^= rotl(x[b]! + x[a]!, 9);
    x[d]! ^= rotl(x[c]! + x[b]!, 13);
    x[a]! ^= rotl(x[d]! + x[c]!, 18);
  };
  for (let r = 0; r < 20; r += 2) {
    qr(0, 4, 8, 12);
    qr(5, 9, 13, 1);
    qr(10, 14, 2, 6);
    qr(15, 3, 7, 11);
    qr(0, 1, 2, 3);
    qr(5, 6, 7, 4);
    qr(10, 11, 8, 9);
    qr(15, 12, 13, 14);
  }
}

function rotl(v: number, n: number): number {
  v >>>= 0;
  return ((v << n) | (v >>> (32 - n))) >>> 0;
}

function salsaState(key: Uint8Array, input16: number[]): Uint32Array {
  const k = words(key, 0, 8);
  return Uint32Array.from([
    SIGMA[0]!, k[0]!, k[1]!, k[2]!, k[3]!, SIGMA[1]!, input16[0]!, input16[1]!,
    input16[2]!, input16[3]!, SIGMA[2]!, k[4]!, k[5]!, k[6]!, k[7]!, SIGMA[3]!,
  ]);
}

function hsalsa20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const x = salsaState(key, words(nonce16, 0, 4));
  salsaRounds(x);
  const out = new Uint8Array(32);
  const dv = new DataView(out.buffer);
  [0, 5, 10, 15, 6, 7, 8, 9].forEach((w, i) => dv.setUint32(i * 4, x[w]!, true));
  return out;
}

// xsalsa20Stream returns n bytes of the XSalsa20 keystream.
function xsalsa20Stream(key: Uint8Array, nonce: Uint8Array, n: number): Uint8Array {
  const subkey = hsalsa20(key, nonce.subarray(0, 16));
  const tail = words(nonce, 16, 2);
  const out = new Uint8Array(Math.ceil(n / 64) * 64);
  const dv = new DataView(out.buffer);
  for (let block = 0; block * 64 < n; block++) {
    const input = salsaState(subkey, [tail[0]!, tail[1]!, block >>> 0, Math.floor(block / 2 ** 32)]);
    const x = Uint32Array.from(input);
    salsaRounds(x);
    for (let i = 0; i < 16; i++) dv.setUint32(block * 64 + i * 4, (x[i]! + input[i]!) >>> 0, true);
  }
  return out.subarray(0, n);
}

function leBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

function poly1305(msg: Uint8Array, key: Uint8Array): Uint8Array {
  const p = (1n << 130n) - 5n;
  const r = leBig(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = leBig(key.subarray(16, 32));
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const chunk = msg.subarray(i, Math.min(i + 16, msg.length));
    acc = ((acc + leBig(chunk) + (1n << BigInt(8 * chunk.length))) * r) % p;
  }
  let tag = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(tag & 0xffn);
    tag >>= 8n;
  }
  return out;
}

function secretboxSeal(plain: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  const stream = xsalsa20Stream(key, nonce, 32 + plain.length);
  const cipher = plain.map((c, i) => c ^ stream[32 + i]!);
  return concat(poly1305(cipher, stream.subarray(0, 32)), cipher);
}

function secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (box.length < TAG_BYTES) return null;
  const cipher = box.subarray(TAG_BYTES);
  const stream = xsalsa20Stream(key, nonce, 32 + cipher.length);
  const want = poly1305(cipher, stream.subarray(0, 32));
  let diff = 0;
  for (let i = 0; i < TAG_BYTES; i++) diff |= want[i]! ^ box[i]!;
  if (diff !== 0) return null;
  return cipher.map((c, i) => c ^ stream[32 + i]!);
}

// --- bytes ---

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function toHex(b: Uint8Array): string {
  return Array.from(b, (c) => c.toString(16).padStart(2, "0")).join("");
}

function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
