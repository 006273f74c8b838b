var rr = Object.defineProperty;
var n = (t, e) => rr(t, "name", { value: e, configurable: !0 });

// node_modules/@oslojs/encoding/dist/hex.js
function be(t) {
  let e = "";
  for (let r = 0; r < t.length; r++)
    e += pt[t[r] >> 4], e += pt[t[r] & 15];
  return e;
}
n(be, "encodeHexLowerCase");
function Je(t) {
  if (t.length % 2 !== 0)
    throw new Error("Invalid hex string");
  let e = new Uint8Array(t.length / 2);
  for (let r = 0; r < t.length; r += 2) {
    if (!(t[r] in xe))
      throw new Error("Invalid character");
    if (!(t[r + 1] in xe))
      throw new Error("Invalid character");
    e[r / 2] |= xe[t[r]] << 4, e[r / 2] |= xe[t[r + 1]];
  }
  return e;
}
n(Je, "decodeHex");
var pt = "0123456789abcdef", xe = {
  0: 0,
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  6: 6,
  7: 7,
  8: 8,
  9: 9,
  a: 10,
  A: 10,
  b: 11,
  B: 11,
  c: 12,
  C: 12,
  d: 13,
  D: 13,
  e: 14,
  E: 14,
  f: 15,
  F: 15
};

// node_modules/@oslojs/encoding/dist/base32.js
var dt;
(function(t) {
  t[t.Include = 0] = "Include", t[t.None = 1] = "None";
})(dt || (dt = {}));
var ht;
(function(t) {
  t[t.Required = 0] = "Required", t[t.Ignore = 1] = "Ignore";
})(ht || (ht = {}));

// node_modules/@oslojs/encoding/dist/base64.js
var mt;
(function(t) {
  t[t.Include = 0] = "Include", t[t.None = 1] = "None";
})(mt || (mt = {}));
var yt;
(function(t) {
  t[t.Required = 0] = "Required", t[t.Ignore = 1] = "Ignore";
})(yt || (yt = {}));

// node_modules/@oslojs/binary/dist/uint.js
var De = class {
  static {
    n(this, "BigEndian");
  }
  uint8(e, r) {
    if (e.byteLength < r + 1)
      throw new TypeError("Insufficient bytes");
    return e[r];
  }
  uint16(e, r) {
    if (e.byteLength < r + 2)
      throw new TypeError("Insufficient bytes");
    return e[r] << 8 | e[r + 1];
  }
  uint32(e, r) {
    if (e.byteLength < r + 4)
      throw new TypeError("Insufficient bytes");
    let o = 0;
    for (let s = 0; s < 4; s++)
      o |= e[r + s] << 24 - s * 8;
    return o;
  }
  uint64(e, r) {
    if (e.byteLength < r + 8)
      throw new TypeError("Insufficient bytes");
    let o = 0n;
    for (let s = 0; s < 8; s++)
      o |= BigInt(e[r + s]) << BigInt(56 - s * 8);
    return o;
  }
  putUint8(e, r, o) {
    if (e.length < o + 1)
      throw new TypeError("Not enough space");
    if (r < 0 || r > 255)
      throw new TypeError("Invalid uint8 value");
    e[o] = r;
  }
  putUint16(e, r, o) {
    if (e.length < o + 2)
      throw new TypeError("Not enough space");
    if (r < 0 || r > 65535)
      throw new TypeError("Invalid uint16 value");
    e[o] = r >> 8, e[o + 1] = r & 255;
  }
  putUint32(e, r, o) {
    if (e.length < o + 4)
      throw new TypeError("Not enough space");
    if (r < 0 || r > 4294967295)
      throw new TypeError("Invalid uint32 value");
    for (let s = 0; s < 4; s++)
      e[o + s] = r >> (3 - s) * 8 & 255;
  }
  putUint64(e, r, o) {
    if (e.length < o + 8)
      throw new TypeError("Not enough space");
    if (r < 0 || r > 18446744073709551615n)
      throw new TypeError("Invalid uint64 value");
    for (let s = 0; s < 8; s++)
      e[o + s] = Number(r >> BigInt((7 - s) * 8) & 0xffn);
  }
}, ze = class {
  static {
    n(this, "LittleEndian");
  }
  uint8(e, r) {
    if (e.byteLength < r + 1)
      throw new TypeError("Insufficient bytes");
    return e[r];
  }
  uint16(e, r) {
    if (e.byteLength < r + 2)
      throw new TypeError("Insufficient bytes");
    return e[r] | e[r + 1] << 8;
  }
  uint32(e, r) {
    if (e.byteLength < r + 4)
      throw new TypeError("Insufficient bytes");
    let o = 0;
    for (let s = 0; s < 4; s++)
      o |= e[r + s] << s * 8;
    return o;
  }
  uint64(e, r) {
    if (e.byteLength < r + 8)
      throw new TypeError("Insufficient bytes");
    let o = 0n;
    for (let s = 0; s < 8; s++)
      o |= BigInt(e[r + s]) << BigInt(s * 8);
    return o;
  }
  putUint8(e, r, o) {
    if (e.length < 1 + o)
      throw new TypeError("Insufficient space");
    if (r < 0 || r > 255)
      throw new TypeError("Invalid uint8 value");
    e[o] = r;
  }
  putUint16(e, r, o) {
    if (e.length < 2 + o)
      throw new TypeError("Insufficient space");
    if (r < 0 || r > 65535)
      throw new TypeError("Invalid uint16 value");
    e[o + 1] = r >> 8, e[o] = r & 255;
  }
  putUint32(e, r, o) {
    if (e.length < 4 + o)
      throw new TypeError("Insufficient space");
    if (r < 0 || r > 4294967295)
      throw new TypeError("Invalid uint32 value");
    for (let s = 0; s < 4; s++)
      e[o + s] = r >> s * 8 & 255;
  }
  putUint64(e, r, o) {
    if (e.length < 8 + o)
      throw new TypeError("Insufficient space");
    if (r < 0 || r > 18446744073709551615n)
      throw new TypeError("Invalid uint64 value");
    for (let s = 0; s < 8; s++)
      e[o + s] = Number(r >> BigInt(s * 8) & 0xffn);
  }
}, or = new De(), sr = new ze();

// node_modules/@oslojs/crypto/dist/subtle/index.js
function wt(t, e) {
  if (t.length !== e.length)
    return !1;
  let r = 0;
  for (let o = 0; o < t.length; o++)
    r |= t[o] ^ e[o];
  return r === 0;
}
n(wt, "constantTimeEqual");

// node_modules/lucia/dist/scrypt/index.js
async function bt(t, e, r) {
  let { N: o, r: s, p: i } = r, a = r.dkLen ?? 32, u = 1024 ** 3 + 1024, l = 128 * s, y = l / 4;
  if (o <= 1 || (o & o - 1) !== 0 || o >= 2 ** (l / 8) || o > 2 ** 32)
    throw new Error("Scrypt: N must be larger than 1, a power of 2, less than 2^(128 * r / 8) and less than 2^32");
  if (i < 0 || i > (2 ** 32 - 1) * 32 / l)
    throw new Error("Scrypt: p must be a positive integer less than or equal to ((2^32 - 1) * 32) / (128 * r)");
  if (a < 0 || a > (2 ** 32 - 1) * 32)
    throw new Error("Scrypt: dkLen should be positive integer less than or equal to (2^32 - 1) * 32");
  let B = l * (o + i);
  if (B > u)
    throw new Error(`Scrypt: parameters too large, ${B} (128 * r * (N + p)) > ${u} (maxmem)`);
  let $ = await xt(t, e, { c: 1, dkLen: l * i }), O = Ge($), N = Ge(new Uint8Array(l * o)), se = Ge(new Uint8Array(l));
  for (let ie = 0; ie < i; ie++) {
    let P = y * ie;
    for (let E = 0; E < y; E++)
      N[E] = O[P + E];
    for (let E = 0, R = 0; E < o - 1; E++)
      He(N, R, N, R += y, s), await new Promise((I) => I());
    He(N, (o - 1) * y, O, P, s);
    for (let E = 0; E < o; E++) {
      let R = O[P + y - 16] % o;
      for (let I = 0; I < y; I++)
        se[I] = O[P + I] ^ N[R * y + I];
      He(se, 0, O, P, s), await new Promise((I) => I());
    }
  }
  let ge = await xt(t, $, { c: 1, dkLen: a });
  return $.fill(0), N.fill(0), se.fill(0), ge;
}
n(bt, "scrypt");
function p(t, e) {
  return t << e | t >>> 32 - e;
}
n(p, "rotl");
function gt(t, e, r, o, s, i) {
  let a = t[e++] ^ r[o++], u = t[e++] ^ r[o++], l = t[e++] ^ r[o++], y = t[e++] ^ r[o++], B = t[e++] ^ r[o++], $ = t[e++] ^ r[o++], O = t[e++] ^ r[o++], N = t[e++] ^ r[o++], se = t[e++] ^ r[o++], ge = t[e++] ^ r[o++], ie = t[e++] ^ r[o++], P = t[e++] ^ r[o++], E = t[e++] ^ r[o++], R = t[e++] ^ r[o++], I = t[e++] ^ r[o++], lt = t[e++] ^ r[o++], F = a, U = u, k = l, j = y, q = B, M = $, L = O, V = N, J = se, D = ge, z = ie, H = P, G = E, Q = R, W = I, K = lt;
  for (let ft = 0; ft < 8; ft += 2)
    q ^= p(F + G | 0, 7), J ^= p(q + F | 0, 9), G ^= p(J + q | 0, 13), F ^= p(G + J | 0, 18), D ^= p(M + U | 0, 7), Q ^= p(D + M | 0, 9), U ^= p(Q + D | 0, 13), M ^= p(U + Q | 0, 18), W ^= p(z + L | 0, 7), k ^= p(W + z | 0, 9), L ^= p(k + W | 0, 13), z ^= p(L + k | 0, 18), j ^= p(K + H | 0, 7), V ^= p(j + K | 0, 9), H ^= p(V + j | 0, 13), K ^= p(H + V | 0, 18), U ^= p(F + j | 0, 7), k ^= p(U + F | 0, 9), j ^= p(k + U | 0, 13), F ^= p(j + k | 0, 18), L ^= p(M + q | 0, 7), V ^= p(L + M | 0, 9), q ^= p(V + L | 0, 13), M ^= p(q + V | 0, 18), H ^= p(z + D | 0, 7), J ^= p(H + z | 0, 9), D ^= p(J + H | 0, 13), z ^= p(D + J | 0, 18), G ^= p(K + W | 0, 7), Q ^= p(G + K | 0, 9), W ^= p(Q + G | 0, 13), K ^= p(W + Q | 0, 18);
  s[i++] = a + F | 0, s[i++] = u + U | 0, s[i++] = l + k | 0, s[i++] = y + j | 0, s[i++] = B + q | 0, s[i++] = $ + M | 0, s[i++] = O + L | 0, s[i++] = N + V | 0, s[i++] = se + J | 0, s[i++] = ge + D | 0, s[i++] = ie + z | 0, s[i++] = P + H | 0, s[i++] = E + G | 0, s[i++] = R + Q | 0, s[i++] = I + W | 0, s[i++] = lt + K | 0;
}
n(gt, "XorAndSalsa");
async function xt(t, e, r) {
  let o = await crypto.subtle.importKey("raw", t, "PBKDF2", !1, ["deriveBits"]), s = await crypto.subtle.deriveBits({
    name: "PBKDF2",
    hash: "SHA-256",
    salt: e,
    iterations: r.c
  }, o, r.dkLen * 8);
  return new Uint8Array(s);
}
n(xt, "pbkdf2");
function He(t, e, r, o, s) {
  let i = o + 0, a = o + 16 * s;
  for (let u = 0; u < 16; u++)
    r[a + u] = t[e + (2 * s - 1) * 16 + u];
  for (let u = 0; u < s; u++, i += 16, e += 16)
    gt(r, a, t, e, r, i), u > 0 && (a += 16), gt(r, i, t, e += 16, r, a);
}
n(He, "BlockMix");
function Ge(t) {
  return new Uint32Array(t.buffer, t.byteOffset, Math.floor(t.byteLength / 4));
}
n(Ge, "u32");

// node_modules/lucia/dist/crypto.js
async function vt(t, e, r = 16) {
  let o = new TextEncoder().encode(t), s = new TextEncoder().encode(e), i = await bt(o, s, {
    N: 16384,
    r,
    p: 1,
    dkLen: 64
  });
  return new Uint8Array(i);
}
n(vt, "generateScryptKey");
var ae = class {
  static {
    n(this, "Scrypt");
  }
  async hash(e) {
    let r = be(crypto.getRandomValues(new Uint8Array(16))), o = await vt(e.normalize("NFKC"), r);
    return `${r}:${be(o)}`;
  }
  async verify(e, r) {
    let o = e.split(":");
    if (o.length !== 2)
      return !1;
    let [s, i] = o, a = await vt(r.normalize("NFKC"), s);
    return wt(a, Je(i));
  }
};

// node_modules/convex/dist/esm/values/base64.js
var _ = [], A = [], ur = Uint8Array, Qe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
for (X = 0, Et = Qe.length; X < Et; ++X)
  _[X] = Qe[X], A[Qe.charCodeAt(X)] = X;
var X, Et;
A[45] = 62;
A[95] = 63;
function lr(t) {
  var e = t.length;
  if (e % 4 > 0)
    throw new Error("Invalid string. Length must be a multiple of 4");
  var r = t.indexOf("=");
  r === -1 && (r = e);
  var o = r === e ? 0 : 4 - r % 4;
  return [r, o];
}
n(lr, "getLens");
function fr(t, e, r) {
  return (e + r) * 3 / 4 - r;
}
n(fr, "_byteLength");
function Y(t) {
  var e, r = lr(t), o = r[0], s = r[1], i = new ur(fr(t, o, s)), a = 0, u = s > 0 ? o - 4 : o, l;
  for (l = 0; l < u; l += 4)
    e = A[t.charCodeAt(l)] << 18 | A[t.charCodeAt(l + 1)] << 12 | A[t.charCodeAt(l + 2)] << 6 | A[t.charCodeAt(l + 3)], i[a++] = e >> 16 & 255, i[a++] = e >> 8 & 255, i[a++] = e & 255;
  return s === 2 && (e = A[t.charCodeAt(l)] << 2 | A[t.charCodeAt(l + 1)] >> 4, i[a++] = e & 255), s === 1 && (e = A[t.charCodeAt(l)] << 10 | A[t.charCodeAt(l + 1)] << 4 | A[t.charCodeAt(l + 2)] >> 2, i[a++] = e >> 8 & 255, i[a++] = e & 255), i;
}
n(Y, "toByteArray");
function pr(t) {
  return _[t >> 18 & 63] + _[t >> 12 & 63] + _[t >> 6 & 63] + _[t & 63];
}
n(pr, "tripletToBase64");
function dr(t, e, r) {
  for (var o, s = [], i = e; i < r; i += 3)
    o = (t[i] << 16 & 16711680) + (t[i + 1] << 8 & 65280) + (t[i + 2] & 255), s.push(pr(o));
  return s.join("");
}
n(dr, "encodeChunk");
function Z(t) {
  for (var e, r = t.length, o = r % 3, s = [], i = 16383, a = 0, u = r - o; a < u; a += i)
    s.push(
      dr(
        t,
        a,
        a + i > u ? u : a + i
      )
    );
  return o === 1 ? (e = t[r - 1], s.push(_[e >> 2] + _[e << 4 & 63] + "==")) : o === 2 && (e = (t[r - 2] << 8) + t[r - 1], s.push(
    _[e >> 10] + _[e >> 4 & 63] + _[e << 2 & 63] + "="
  )), s.join("");
}
n(Z, "fromByteArray");

// node_modules/convex/dist/esm/common/index.js
function ee(t) {
  if (t === void 0)
    return {};
  if (!ve(t))
    throw new Error(
      `The arguments to a Convex function must be an object. Received: ${t}`
    );
  return t;
}
n(ee, "parseArgs");
function ve(t) {
  let e = typeof t == "object", r = Object.getPrototypeOf(t), o = r === null || r === Object.prototype || // Objects generated from other contexts (e.g. across Node.js `vm` modules) will not satisfy the previous
  // conditions but are still simple objects.
  r?.constructor?.name === "Object";
  return e && o;
}
n(ve, "isSimpleObject");

// node_modules/convex/dist/esm/values/value.js
var Tt = !0, ce = BigInt("-9223372036854775808"), Ee = BigInt("9223372036854775807"), Xe = BigInt("0"), hr = BigInt("8"), mr = BigInt("256"), We = "This commit timestamp is unresolved: its value is assigned when the mutation commits. Read the document after the mutation completes to get its value.", re = class {
  static {
    n(this, "CommitTsPlaceholder");
  }
  [Symbol.toPrimitive](e) {
    if (e === "string")
      return this.toString();
    throw new Error(We);
  }
  valueOf() {
    throw new Error(We);
  }
  toJSON() {
    throw new Error(We);
  }
  toString() {
    return "[unresolved commit timestamp]";
  }
}, Ze = new re();
function Ct(t) {
  return Number.isNaN(t) || !Number.isFinite(t) || Object.is(t, -0);
}
n(Ct, "isSpecial");
function yr(t) {
  t < Xe && (t -= ce + ce);
  let e = t.toString(16);
  e.length % 2 === 1 && (e = "0" + e);
  let r = new Uint8Array(new ArrayBuffer(8)), o = 0;
  for (let s of e.match(/.{2}/g).reverse())
    r.set([parseInt(s, 16)], o++), t >>= hr;
  return Z(r);
}
n(yr, "slowBigIntToBase64");
function wr(t) {
  let e = Y(t);
  if (e.byteLength !== 8)
    throw new Error(
      `Received ${e.byteLength} bytes, expected 8 for $integer`
    );
  let r = Xe, o = Xe;
  for (let s of e)
    r += BigInt(s) * mr ** o, o++;
  return r > Ee && (r += ce + ce), r;
}
n(wr, "slowBase64ToBigInt");
function gr(t) {
  if (t < ce || Ee < t)
    throw new Error(
      `BigInt ${t} does not fit into a 64-bit signed integer.`
    );
  let e = new ArrayBuffer(8);
  return new DataView(e).setBigInt64(0, t, !0), Z(new Uint8Array(e));
}
n(gr, "modernBigIntToBase64");
function xr(t) {
  let e = Y(t);
  if (e.byteLength !== 8)
    throw new Error(
      `Received ${e.byteLength} bytes, expected 8 for $integer`
    );
  return new DataView(e.buffer).getBigInt64(0, !0);
}
n(xr, "modernBase64ToBigInt");
var br = DataView.prototype.setBigInt64 ? gr : yr, vr = DataView.prototype.getBigInt64 ? xr : wr, At = 1024;
function Ye(t) {
  if (t.length > At)
    throw new Error(
      `Field name ${t} exceeds maximum field name length ${At}.`
    );
  if (t.startsWith("$"))
    throw new Error(`Field name ${t} starts with a '$', which is reserved.`);
  for (let e = 0; e < t.length; e += 1) {
    let r = t.charCodeAt(e);
    if (r < 32 || r >= 127)
      throw new Error(
        `Field name ${t} has invalid character '${t[e]}': Field names can only contain non-control ASCII characters`
      );
  }
}
n(Ye, "validateObjectField");
function w(t) {
  if (t === null || typeof t == "boolean" || typeof t == "number" || typeof t == "string")
    return t;
  if (Array.isArray(t))
    return t.map((o) => w(o));
  if (typeof t != "object")
    throw new Error(`Unexpected type of ${t}`);
  let e = Object.entries(t);
  if (e.length === 1) {
    let o = e[0][0];
    if (o === "$bytes") {
      if (typeof t.$bytes != "string")
        throw new Error(`Malformed $bytes field on ${t}`);
      return Y(t.$bytes).buffer;
    }
    if (o === "$integer") {
      if (typeof t.$integer != "string")
        throw new Error(`Malformed $integer field on ${t}`);
      return vr(t.$integer);
    }
    if (o === "$float") {
      if (typeof t.$float != "string")
        throw new Error(`Malformed $float field on ${t}`);
      let s = Y(t.$float);
      if (s.byteLength !== 8)
        throw new Error(
          `Received ${s.byteLength} bytes, expected 8 for $float`
        );
      let a = new DataView(s.buffer).getFloat64(0, Tt);
      if (!Ct(a))
        throw new Error(`Float ${a} should be encoded as a number`);
      return a;
    }
    if (o === "$commitTs") {
      if (t.$commitTs !== null)
        throw new Error(`Malformed $commitTs field on ${t}`);
      return Ze;
    }
    if (o === "$set")
      throw new Error(
        "Received a Set which is no longer supported as a Convex type."
      );
    if (o === "$map")
      throw new Error(
        "Received a Map which is no longer supported as a Convex type."
      );
  }
  let r = {};
  for (let [o, s] of Object.entries(t))
    Ye(o), r[o] = w(s);
  return r;
}
n(w, "jsonToConvex");
var St = 16384;
function te(t) {
  let e = JSON.stringify(t, (r, o) => o === void 0 ? "undefined" : typeof o == "function" ? "[Function]" : typeof o == "symbol" ? String(o) : typeof o == "bigint" ? `${o.toString()}n` : o);
  if (e.length > St) {
    let r = "[...truncated]", o = St - r.length, s = e.codePointAt(o - 1);
    return s !== void 0 && s > 65535 && (o -= 1), e.substring(0, o) + r;
  }
  return e;
}
n(te, "stringifyValueForError");
function le(t, e, r, o) {
  if (t === void 0) {
    let a = r && ` (present at path ${r} in original object ${te(
      e
    )})`;
    throw new Error(
      `undefined is not a valid Convex value${a}. To learn about Convex's supported types, see https://docs.convex.dev/using/types.`
    );
  }
  if (t === null)
    return t;
  if (typeof t == "bigint") {
    if (t < ce || Ee < t)
      throw new Error(
        `BigInt ${t} does not fit into a 64-bit signed integer.`
      );
    return { $integer: br(t) };
  }
  if (typeof t == "number")
    if (Ct(t)) {
      let a = new ArrayBuffer(8);
      return new DataView(a).setFloat64(0, t, Tt), { $float: Z(new Uint8Array(a)) };
    } else
      return t;
  if (typeof t == "boolean" || typeof t == "string")
    return t;
  if (t instanceof ArrayBuffer)
    return { $bytes: Z(new Uint8Array(t)) };
  if (t instanceof re)
    return { $commitTs: null };
  if (Array.isArray(t))
    return t.map(
      (a, u) => le(a, e, r + `[${u}]`, !1)
    );
  if (t instanceof Set)
    throw new Error(
      Ke(r, "Set", [...t], e)
    );
  if (t instanceof Map)
    throw new Error(
      Ke(r, "Map", [...t], e)
    );
  if (!ve(t)) {
    let a = t?.constructor?.name, u = a ? `${a} ` : "";
    throw new Error(
      Ke(r, u, t, e)
    );
  }
  let s = {}, i = Object.entries(t);
  i.sort(([a, u], [l, y]) => a === l ? 0 : a < l ? -1 : 1);
  for (let [a, u] of i)
    u !== void 0 ? (Ye(a), s[a] = le(u, e, r + `.${a}`, !1)) : o && (Ye(a), s[a] = Ot(
      u,
      e,
      r + `.${a}`
    ));
  return s;
}
n(le, "convexToJsonInternal");
function Ke(t, e, r, o) {
  return t ? `${e}${te(
    r
  )} is not a supported Convex type (present at path ${t} in original object ${te(
    o
  )}). To learn about Convex's supported types, see https://docs.convex.dev/using/types.` : `${e}${te(
    r
  )} is not a supported Convex type.`;
}
n(Ke, "errorMessageForUnsupportedType");
function Ot(t, e, r) {
  if (t === void 0)
    return { $undefined: null };
  if (e === void 0)
    throw new Error(
      `Programming error. Current value is ${te(
        t
      )} but original value is undefined`
    );
  return le(t, e, r, !1);
}
n(Ot, "convexOrUndefinedToJsonInternal");
function x(t) {
  return le(t, t, "", !1);
}
n(x, "convexToJson");
function S(t) {
  return Ot(t, t, "");
}
n(S, "convexOrUndefinedToJson");
function _t(t) {
  return le(t, t, "", !0);
}
n(_t, "patchValueToJson");

// node_modules/convex/dist/esm/values/validators.js
var Er = Object.defineProperty, Ir = /* @__PURE__ */ n((t, e, r) => e in t ? Er(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), m = /* @__PURE__ */ n((t, e, r) => Ir(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), Ar = "https://docs.convex.dev/error#undefined-validator";
function fe(t, e) {
  let r = e !== void 0 ? ` for field "${e}"` : "";
  throw new Error(
    `A validator is undefined${r} in ${t}. This is often caused by circular imports. See ${Ar} for details.`
  );
}
n(fe, "throwUndefinedValidatorError");
var v = class {
  static {
    n(this, "BaseValidator");
  }
  constructor({ isOptional: e }) {
    m(this, "type"), m(this, "fieldPaths"), m(this, "isOptional"), m(this, "isConvexValidator"), this.isOptional = e, this.isConvexValidator = !0;
  }
}, Ie = class t extends v {
  static {
    n(this, "VId");
  }
  /**
   * Usually you'd use `v.id(tableName)` instead.
   */
  constructor({
    isOptional: e,
    tableName: r
  }) {
    if (super({ isOptional: e }), m(this, "tableName"), m(this, "kind", "id"), typeof r != "string")
      throw new Error("v.id(tableName) requires a string");
    this.tableName = r;
  }
  /** @internal */
  get json() {
    return { type: "id", tableName: this.tableName };
  }
  /** Allow this field to be validated as absent. */
  optional() {
    return new t({
      isOptional: "optional",
      tableName: this.tableName
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, pe = class t extends v {
  static {
    n(this, "VFloat64");
  }
  constructor() {
    super(...arguments), m(this, "kind", "float64");
  }
  /** @internal */
  get json() {
    return { type: "number" };
  }
  /** Allow this field to be validated as absent. */
  optional() {
    return new t({
      isOptional: "optional"
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, de = class t extends v {
  static {
    n(this, "VInt64");
  }
  constructor() {
    super(...arguments), m(this, "kind", "int64");
  }
  /** @internal */
  get json() {
    return { type: "bigint" };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({ isOptional: "optional" });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, Ae = class t extends v {
  static {
    n(this, "VCommitTs");
  }
  constructor() {
    super(...arguments), m(this, "kind", "commitTs");
  }
  /** @internal */
  get json() {
    return { type: this.kind };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({
      isOptional: "optional"
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, Se = class t extends v {
  static {
    n(this, "VBoolean");
  }
  constructor() {
    super(...arguments), m(this, "kind", "boolean");
  }
  /** @internal */
  get json() {
    return { type: this.kind };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({
      isOptional: "optional"
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, Te = class t extends v {
  static {
    n(this, "VBytes");
  }
  constructor() {
    super(...arguments), m(this, "kind", "bytes");
  }
  /** @internal */
  get json() {
    return { type: this.kind };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({ isOptional: "optional" });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, Ce = class t extends v {
  static {
    n(this, "VString");
  }
  constructor() {
    super(...arguments), m(this, "kind", "string");
  }
  /** @internal */
  get json() {
    return { type: this.kind };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({
      isOptional: "optional"
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, Oe = class t extends v {
  static {
    n(this, "VNull");
  }
  constructor() {
    super(...arguments), m(this, "kind", "null");
  }
  /** @internal */
  get json() {
    return { type: this.kind };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({ isOptional: "optional" });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, _e = class t extends v {
  static {
    n(this, "VAny");
  }
  constructor() {
    super(...arguments), m(this, "kind", "any");
  }
  /** @internal */
  get json() {
    return {
      type: this.kind
    };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({
      isOptional: "optional"
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, Be = class t extends v {
  static {
    n(this, "VObject");
  }
  /**
   * Usually you'd use `v.object({ ... })` instead.
   */
  constructor({
    isOptional: e,
    fields: r
  }) {
    super({ isOptional: e }), m(this, "fields"), m(this, "kind", "object"), globalThis.Object.entries(r).forEach(([o, s]) => {
      if (s === void 0 && fe("v.object()", o), !s.isConvexValidator)
        throw new Error("v.object() entries must be validators");
    }), this.fields = r;
  }
  /** @internal */
  get json() {
    return {
      type: this.kind,
      value: globalThis.Object.fromEntries(
        globalThis.Object.entries(this.fields).map(([e, r]) => [
          e,
          {
            fieldType: r.json,
            optional: r.isOptional === "optional"
          }
        ])
      )
    };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({
      isOptional: "optional",
      fields: this.fields
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
  /**
   * Create a new VObject with the specified fields omitted.
   * @param fields The field names to omit from this VObject.
   */
  omit(...e) {
    let r = { ...this.fields };
    for (let o of e)
      delete r[o];
    return new t({
      isOptional: this.isOptional,
      fields: r
    });
  }
  /**
   * Create a new VObject with only the specified fields.
   * @param fields The field names to pick from this VObject.
   */
  pick(...e) {
    let r = {};
    for (let o of e)
      r[o] = this.fields[o];
    return new t({
      isOptional: this.isOptional,
      fields: r
    });
  }
  /**
   * Create a new VObject with all fields marked as optional.
   */
  partial() {
    let e = {};
    for (let [r, o] of globalThis.Object.entries(this.fields))
      e[r] = o.asOptional();
    return new t({
      isOptional: this.isOptional,
      fields: e
    });
  }
  /**
   * Create a new VObject with additional fields merged in.
   * @param fields An object with additional validators to merge into this VObject.
   */
  extend(e) {
    return new t({
      isOptional: this.isOptional,
      fields: { ...this.fields, ...e }
    });
  }
}, Ne = class t extends v {
  static {
    n(this, "VLiteral");
  }
  /**
   * Usually you'd use `v.literal(value)` instead.
   */
  constructor({ isOptional: e, value: r }) {
    if (super({ isOptional: e }), m(this, "value"), m(this, "kind", "literal"), typeof r != "string" && typeof r != "boolean" && typeof r != "number" && typeof r != "bigint")
      throw new Error("v.literal(value) must be a string, number, or boolean");
    this.value = r;
  }
  /** @internal */
  get json() {
    return {
      type: this.kind,
      value: x(this.value)
    };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({
      isOptional: "optional",
      value: this.value
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, $e = class t extends v {
  static {
    n(this, "VArray");
  }
  /**
   * Usually you'd use `v.array(element)` instead.
   */
  constructor({
    isOptional: e,
    element: r
  }) {
    super({ isOptional: e }), m(this, "element"), m(this, "kind", "array"), r === void 0 && fe("v.array()"), this.element = r;
  }
  /** @internal */
  get json() {
    return {
      type: this.kind,
      value: this.element.json
    };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({
      isOptional: "optional",
      element: this.element
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, Pe = class t extends v {
  static {
    n(this, "VRecord");
  }
  /**
   * Usually you'd use `v.record(key, value)` instead.
   */
  constructor({
    isOptional: e,
    key: r,
    value: o
  }) {
    if (super({ isOptional: e }), m(this, "key"), m(this, "value"), m(this, "kind", "record"), r === void 0 && fe("v.record()", "key"), o === void 0 && fe("v.record()", "value"), r.isOptional === "optional")
      throw new Error("Record validator cannot have optional keys");
    if (o.isOptional === "optional")
      throw new Error("Record validator cannot have optional values");
    if (!r.isConvexValidator || !o.isConvexValidator)
      throw new Error("Key and value of v.record() must be validators");
    this.key = r, this.value = o;
  }
  /** @internal */
  get json() {
    return {
      type: this.kind,
      // This cast is needed because TypeScript thinks the key type is too wide
      keys: this.key.json,
      values: {
        fieldType: this.value.json,
        optional: !1
      }
    };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({
      isOptional: "optional",
      key: this.key,
      value: this.value
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, Re = class t extends v {
  static {
    n(this, "VUnion");
  }
  /**
   * Usually you'd use `v.union(...members)` instead.
   */
  constructor({ isOptional: e, members: r }) {
    super({ isOptional: e }), m(this, "members"), m(this, "kind", "union"), r.forEach((o, s) => {
      if (o === void 0 && fe("v.union()", `member at index ${s}`), !o.isConvexValidator)
        throw new Error("All members of v.union() must be validators");
    }), this.members = r;
  }
  /** @internal */
  get json() {
    return {
      type: this.kind,
      value: this.members.map((e) => e.json)
    };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new t({
      isOptional: "optional",
      members: this.members
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
};

// node_modules/convex/dist/esm/values/validator.js
function he(t) {
  return t?.isConvexValidator === !0;
}
n(he, "isValidator");
function Fe(t) {
  return he(t) ? t : c.object(t);
}
n(Fe, "asObjectValidator");
var c = {
  /**
   * Validates that the value is a document ID for the given table.
   *
   * IDs are strings at runtime but are typed as `Id<"tableName">` in
   * TypeScript for type safety.
   *
   * @example
   * ```typescript
   * args: { userId: v.id("users") }
   * ```
   *
   * @param tableName The name of the table.
   */
  id: /* @__PURE__ */ n((t) => new Ie({
    isOptional: "required",
    tableName: t
  }), "id"),
  /**
   * Validates that the value is `null`.
   *
   * Use `returns: v.null()` for functions that don't return a meaningful value.
   * JavaScript `undefined` is not a valid Convex value, it is automatically
   * converted to `null`.
   */
  null: /* @__PURE__ */ n(() => new Oe({ isOptional: "required" }), "null"),
  /**
   * Validates that the value is a JavaScript `number` (Convex Float64).
   *
   * Supports all IEEE-754 double-precision floating point numbers including
   * NaN and Infinity.
   *
   * Alias for `v.float64()`.
   */
  number: /* @__PURE__ */ n(() => new pe({ isOptional: "required" }), "number"),
  /**
   * Validates that the value is a JavaScript `number` (Convex Float64).
   *
   * Supports all IEEE-754 double-precision floating point numbers.
   */
  float64: /* @__PURE__ */ n(() => new pe({ isOptional: "required" }), "float64"),
  /**
   * @deprecated Use `v.int64()` instead.
   */
  bigint: /* @__PURE__ */ n(() => new de({ isOptional: "required" }), "bigint"),
  /**
   * Validates that the value is a JavaScript `bigint` (Convex Int64).
   *
   * Supports BigInts between -2^63 and 2^63-1.
   *
   * @example
   * ```typescript
   * args: { timestamp: v.int64() }
   * // Usage: createDoc({ timestamp: 1234567890n })
   * ```
   */
  int64: /* @__PURE__ */ n(() => new de({ isOptional: "required" }), "int64"),
  /**
   * Validates that the value is a commit timestamp: an int64 (`bigint`)
   * assigned from the transaction's commit timestamp.
   *
   * An index on a field with this validator orders documents by commit order.
   * Accepts any int64 value; write `db.vars.commitTs` to have the field
   * resolve to the commit timestamp when the mutation commits.
   */
  commitTs: /* @__PURE__ */ n(() => new Ae({ isOptional: "required" }), "commitTs"),
  /**
   * Validates that the value is a `boolean`.
   */
  boolean: /* @__PURE__ */ n(() => new Se({ isOptional: "required" }), "boolean"),
  /**
   * Validates that the value is a `string`.
   *
   * Strings are stored as UTF-8 and their storage size is calculated as their
   * UTF-8 encoded size.
   */
  string: /* @__PURE__ */ n(() => new Ce({ isOptional: "required" }), "string"),
  /**
   * Validates that the value is an `ArrayBuffer` (Convex Bytes).
   *
   * Use for binary data.
   */
  bytes: /* @__PURE__ */ n(() => new Te({ isOptional: "required" }), "bytes"),
  /**
   * Validates that the value is exactly equal to the given literal.
   *
   * Useful for discriminated unions and enum-like patterns.
   *
   * @example
   * ```typescript
   * // Discriminated union pattern:
   * v.union(
   *   v.object({ kind: v.literal("error"), message: v.string() }),
   *   v.object({ kind: v.literal("success"), value: v.number() }),
   * )
   * ```
   *
   * @param literal The literal value to compare against.
   */
  literal: /* @__PURE__ */ n((t) => new Ne({ isOptional: "required", value: t }), "literal"),
  /**
   * Validates that the value is an `Array` where every element matches the
   * given validator.
   *
   * Arrays can have at most 8192 elements.
   *
   * @example
   * ```typescript
   * args: { tags: v.array(v.string()) }
   * args: { coordinates: v.array(v.number()) }
   * args: { items: v.array(v.object({ name: v.string(), qty: v.number() })) }
   * ```
   *
   * @param element The validator for the elements of the array.
   */
  array: /* @__PURE__ */ n((t) => new $e({ isOptional: "required", element: t }), "array"),
  /**
   * Validates that the value is an `Object` with the specified properties.
   *
   * Objects can have at most 1024 entries. Field names must be non-empty and
   * must not start with `"$"` or `"_"` (`_` is reserved for system fields
   * like `_id` and `_creationTime`; `$` is reserved for Convex internal use).
   *
   * @example
   * ```typescript
   * args: {
   *   user: v.object({
   *     name: v.string(),
   *     email: v.string(),
   *     age: v.optional(v.number()),
   *   })
   * }
   * ```
   *
   * @param fields An object mapping property names to their validators.
   */
  object: /* @__PURE__ */ n((t) => new Be({ isOptional: "required", fields: t }), "object"),
  /**
   * Validates that the value is a `Record` (object with dynamic keys).
   *
   * Records are objects at runtime but allow dynamic keys, unlike `v.object()`
   * which requires known property names. Keys must be ASCII characters only,
   * non-empty, and not start with `"$"` or `"_"`.
   *
   * @example
   * ```typescript
   * // Map of user IDs to scores:
   * args: { scores: v.record(v.id("users"), v.number()) }
   *
   * // Map of string keys to string values:
   * args: { metadata: v.record(v.string(), v.string()) }
   * ```
   *
   * @param keys The validator for the keys of the record.
   * @param values The validator for the values of the record.
   */
  record: /* @__PURE__ */ n((t, e) => new Pe({
    isOptional: "required",
    key: t,
    value: e
  }), "record"),
  /**
   * Validates that the value matches at least one of the given validators.
   *
   * @example
   * ```typescript
   * // Allow string or number:
   * args: { value: v.union(v.string(), v.number()) }
   *
   * // Discriminated union (recommended pattern):
   * v.union(
   *   v.object({ kind: v.literal("text"), body: v.string() }),
   *   v.object({ kind: v.literal("image"), url: v.string() }),
   * )
   *
   * // Nullable value:
   * returns: v.union(v.object({ ... }), v.null())
   * ```
   *
   * @param members The validators to match against.
   */
  union: /* @__PURE__ */ n((...t) => new Re({
    isOptional: "required",
    members: t
  }), "union"),
  /**
   * A validator that accepts any Convex value without validation.
   *
   * Prefer using specific validators when possible for better type safety
   * and runtime validation.
   */
  any: /* @__PURE__ */ n(() => new _e({ isOptional: "required" }), "any"),
  /**
   * Makes a property optional in an object validator.
   *
   * An optional property can be omitted entirely when creating a document or
   * calling a function. This is different from `v.nullable()` which requires
   * the property to be present but allows `null`.
   *
   * @example
   * ```typescript
   * v.object({
   *   name: v.string(),              // required
   *   nickname: v.optional(v.string()), // can be omitted
   * })
   *
   * // Valid: { name: "Alice" }
   * // Valid: { name: "Alice", nickname: "Ali" }
   * // Invalid: { name: "Alice", nickname: null }  - use v.nullable() for this
   * ```
   *
   * @param value The property value validator to make optional.
   */
  optional: /* @__PURE__ */ n((t) => t.asOptional(), "optional"),
  /**
   * Allows a value to be either the given type or `null`.
   *
   * This is shorthand for `v.union(value, v.null())`. Unlike `v.optional()`,
   * the property must still be present, but may be `null`.
   *
   * @example
   * ```typescript
   * v.object({
   *   name: v.string(),
   *   deletedAt: v.nullable(v.number()), // must be present, can be null
   * })
   *
   * // Valid: { name: "Alice", deletedAt: null }
   * // Valid: { name: "Alice", deletedAt: 1234567890 }
   * // Invalid: { name: "Alice" }  - deletedAt is required
   * ```
   */
  nullable: /* @__PURE__ */ n((t) => c.union(t, c.null()), "nullable")
};

// node_modules/convex/dist/esm/values/errors.js
var Sr = Object.defineProperty, Tr = /* @__PURE__ */ n((t, e, r) => e in t ? Sr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), et = /* @__PURE__ */ n((t, e, r) => Tr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), Bt, Nt, Cr = Symbol.for("ConvexError"), Ue = class extends (Nt = Error, Bt = Cr, Nt) {
  static {
    n(this, "ConvexError");
  }
  constructor(e) {
    super(typeof e == "string" ? e : te(e)), et(this, "name", "ConvexError"), et(this, "data"), et(this, Bt, !0), this.data = e;
  }
};

// node_modules/convex/dist/esm/values/compare_utf8.js
var $t = /* @__PURE__ */ n(() => Array.from({ length: 4 }, () => 0), "arr"), vs = $t(), Es = $t();

// node_modules/convex/dist/esm/index.js
var g = "1.48.0";

// node_modules/convex/dist/esm/server/impl/syscall.js
function ne(t, e) {
  if (typeof Convex > "u" || Convex.syscall === void 0)
    throw new Error(
      "The Convex database and auth objects are being used outside of a Convex backend. Did you mean to use `useQuery` or `useMutation` to call a Convex function?"
    );
  let r = Convex.syscall(t, JSON.stringify(e));
  return JSON.parse(r);
}
n(ne, "performSyscall");
async function f(t, e) {
  if (typeof Convex > "u" || Convex.asyncSyscall === void 0)
    throw new Error(
      "The Convex database and auth objects are being used outside of a Convex backend. Did you mean to use `useQuery` or `useMutation` to call a Convex function?"
    );
  let r;
  try {
    r = await Convex.asyncSyscall(t, JSON.stringify(e));
  } catch (o) {
    if (o.data !== void 0) {
      let s = new Ue(o.message);
      throw s.data = w(o.data), s;
    }
    throw new Error(o.message);
  }
  return JSON.parse(r);
}
n(f, "performAsyncSyscall");

// node_modules/convex/dist/esm/server/functionName.js
var me = Symbol.for("functionName");

// node_modules/convex/dist/esm/server/components/paths.js
var Pt = Symbol.for("toReferencePath");
function Or(t) {
  return t[Pt] ?? null;
}
n(Or, "extractReferencePath");
function _r(t) {
  return t.startsWith("function://");
}
n(_r, "isFunctionHandle");
function T(t) {
  let e;
  if (typeof t == "string")
    _r(t) ? e = { functionHandle: t } : e = { name: t };
  else if (t[me])
    e = { name: t[me] };
  else {
    let r = Or(t);
    if (!r)
      throw new Error(`${t} is not a functionReference`);
    e = { reference: r };
  }
  return e;
}
n(T, "getFunctionAddress");

// node_modules/convex/dist/esm/server/impl/validate.js
function d(t, e, r, o) {
  if (t === void 0)
    throw new TypeError(
      `Must provide arg ${e} \`${o}\` to \`${r}\``
    );
}
n(d, "validateArg");
function Rt(t, e, r, o) {
  if (!Number.isInteger(t) || t < 0)
    throw new TypeError(
      `Arg ${e} \`${o}\` to \`${r}\` must be a non-negative integer`
    );
}
n(Rt, "validateArgIsNonNegativeInteger");

// node_modules/convex/dist/esm/server/impl/authentication_impl.js
function Ft(t) {
  return {
    getUserIdentity: /* @__PURE__ */ n(async () => await f("1.0/getUserIdentity", {
      requestId: t
    }), "getUserIdentity")
  };
}
n(Ft, "setupAuth");
function Ut(t) {
  return {
    ...Ft(t),
    signJwt: /* @__PURE__ */ n(async (e) => await f("1.0/signJwt", {
      requestId: t,
      version: g,
      ...e
    }), "signJwt")
  };
}
n(Ut, "setupMutationAuth");

// node_modules/convex/dist/esm/server/filter_builder.js
var Br = Object.defineProperty, Nr = /* @__PURE__ */ n((t, e, r) => e in t ? Br(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), kt = /* @__PURE__ */ n((t, e, r) => Nr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), ke = class {
  static {
    n(this, "Expression");
  }
  /**
   * @internal
   */
  constructor() {
    kt(this, "_isExpression"), kt(this, "_value");
  }
};

// node_modules/convex/dist/esm/server/impl/filter_builder_impl.js
var $r = Object.defineProperty, Pr = /* @__PURE__ */ n((t, e, r) => e in t ? $r(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), Rr = /* @__PURE__ */ n((t, e, r) => Pr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), b = class extends ke {
  static {
    n(this, "ExpressionImpl");
  }
  constructor(e) {
    super(), Rr(this, "inner"), this.inner = e;
  }
  serialize() {
    return this.inner;
  }
};
function h(t) {
  return t instanceof b ? t.serialize() : { $literal: S(t) };
}
n(h, "serializeExpression");
var jt = {
  //  Comparisons  /////////////////////////////////////////////////////////////
  eq(t, e) {
    return new b({
      $eq: [h(t), h(e)]
    });
  },
  neq(t, e) {
    return new b({
      $neq: [h(t), h(e)]
    });
  },
  lt(t, e) {
    return new b({
      $lt: [h(t), h(e)]
    });
  },
  lte(t, e) {
    return new b({
      $lte: [h(t), h(e)]
    });
  },
  gt(t, e) {
    return new b({
      $gt: [h(t), h(e)]
    });
  },
  gte(t, e) {
    return new b({
      $gte: [h(t), h(e)]
    });
  },
  //  Arithmetic  //////////////////////////////////////////////////////////////
  add(t, e) {
    return new b({
      $add: [h(t), h(e)]
    });
  },
  sub(t, e) {
    return new b({
      $sub: [h(t), h(e)]
    });
  },
  mul(t, e) {
    return new b({
      $mul: [h(t), h(e)]
    });
  },
  div(t, e) {
    return new b({
      $div: [h(t), h(e)]
    });
  },
  mod(t, e) {
    return new b({
      $mod: [h(t), h(e)]
    });
  },
  neg(t) {
    return new b({ $neg: h(t) });
  },
  //  Logic  ///////////////////////////////////////////////////////////////////
  and(...t) {
    return new b({ $and: t.map(h) });
  },
  or(...t) {
    return new b({ $or: t.map(h) });
  },
  not(t) {
    return new b({ $not: h(t) });
  },
  //  Other  ///////////////////////////////////////////////////////////////////
  field(t) {
    return new b({ $field: t });
  }
};

// node_modules/convex/dist/esm/server/index_range_builder.js
var Fr = Object.defineProperty, Ur = /* @__PURE__ */ n((t, e, r) => e in t ? Fr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), kr = /* @__PURE__ */ n((t, e, r) => Ur(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), je = class {
  static {
    n(this, "IndexRange");
  }
  /**
   * @internal
   */
  constructor() {
    kr(this, "_isIndexRange");
  }
};

// node_modules/convex/dist/esm/server/impl/index_range_builder_impl.js
var jr = Object.defineProperty, qr = /* @__PURE__ */ n((t, e, r) => e in t ? jr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), qt = /* @__PURE__ */ n((t, e, r) => qr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), qe = class t extends je {
  static {
    n(this, "IndexRangeBuilderImpl");
  }
  constructor(e) {
    super(), qt(this, "rangeExpressions"), qt(this, "isConsumed"), this.rangeExpressions = e, this.isConsumed = !1;
  }
  static new() {
    return new t([]);
  }
  consume() {
    if (this.isConsumed)
      throw new Error(
        "IndexRangeBuilder has already been used! Chain your method calls like `q => q.eq(...).eq(...)`. See https://docs.convex.dev/using/indexes"
      );
    this.isConsumed = !0;
  }
  eq(e, r) {
    return this.consume(), new t(
      this.rangeExpressions.concat({
        type: "Eq",
        fieldPath: e,
        value: S(r)
      })
    );
  }
  gt(e, r) {
    return this.consume(), new t(
      this.rangeExpressions.concat({
        type: "Gt",
        fieldPath: e,
        value: S(r)
      })
    );
  }
  gte(e, r) {
    return this.consume(), new t(
      this.rangeExpressions.concat({
        type: "Gte",
        fieldPath: e,
        value: S(r)
      })
    );
  }
  lt(e, r) {
    return this.consume(), new t(
      this.rangeExpressions.concat({
        type: "Lt",
        fieldPath: e,
        value: S(r)
      })
    );
  }
  lte(e, r) {
    return this.consume(), new t(
      this.rangeExpressions.concat({
        type: "Lte",
        fieldPath: e,
        value: S(r)
      })
    );
  }
  export() {
    return this.consume(), this.rangeExpressions;
  }
};

// node_modules/convex/dist/esm/server/search_filter_builder.js
var Mr = Object.defineProperty, Lr = /* @__PURE__ */ n((t, e, r) => e in t ? Mr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), Vr = /* @__PURE__ */ n((t, e, r) => Lr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), Me = class {
  static {
    n(this, "SearchFilter");
  }
  /**
   * @internal
   */
  constructor() {
    Vr(this, "_isSearchFilter");
  }
};

// node_modules/convex/dist/esm/server/impl/search_filter_builder_impl.js
var Jr = Object.defineProperty, Dr = /* @__PURE__ */ n((t, e, r) => e in t ? Jr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), Mt = /* @__PURE__ */ n((t, e, r) => Dr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), Le = class t extends Me {
  static {
    n(this, "SearchFilterBuilderImpl");
  }
  constructor(e) {
    super(), Mt(this, "filters"), Mt(this, "isConsumed"), this.filters = e, this.isConsumed = !1;
  }
  static new() {
    return new t([]);
  }
  consume() {
    if (this.isConsumed)
      throw new Error(
        "SearchFilterBuilder has already been used! Chain your method calls like `q => q.search(...).eq(...)`."
      );
    this.isConsumed = !0;
  }
  search(e, r) {
    return d(e, 1, "search", "fieldName"), d(r, 2, "search", "query"), this.consume(), new t(
      this.filters.concat({
        type: "Search",
        fieldPath: e,
        value: r
      })
    );
  }
  eq(e, r) {
    return d(e, 1, "eq", "fieldName"), arguments.length !== 2 && d(r, 2, "search", "value"), this.consume(), new t(
      this.filters.concat({
        type: "Eq",
        fieldPath: e,
        value: S(r)
      })
    );
  }
  export() {
    return this.consume(), this.filters;
  }
};

// node_modules/convex/dist/esm/server/impl/query_impl.js
var zr = Object.defineProperty, Hr = /* @__PURE__ */ n((t, e, r) => e in t ? zr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), tt = /* @__PURE__ */ n((t, e, r) => Hr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), Lt = 256, ue = class {
  static {
    n(this, "QueryInitializerImpl");
  }
  constructor(e) {
    tt(this, "tableName"), this.tableName = e;
  }
  withIndex(e, r) {
    d(e, 1, "withIndex", "indexName");
    let o = qe.new();
    return r !== void 0 && (o = r(o)), new oe({
      source: {
        type: "IndexRange",
        indexName: this.tableName + "." + e,
        range: o.export(),
        order: null
      },
      operators: []
    });
  }
  withSearchIndex(e, r) {
    d(e, 1, "withSearchIndex", "indexName"), d(r, 2, "withSearchIndex", "searchFilter");
    let o = Le.new();
    return new oe({
      source: {
        type: "Search",
        indexName: this.tableName + "." + e,
        filters: r(o).export()
      },
      operators: []
    });
  }
  fullTableScan() {
    return new oe({
      source: {
        type: "FullTableScan",
        tableName: this.tableName,
        order: null
      },
      operators: []
    });
  }
  order(e) {
    return this.fullTableScan().order(e);
  }
  // This is internal API and should not be exposed to developers yet.
  async count() {
    let e = await f("1.0/count", {
      table: this.tableName
    });
    return w(e);
  }
  filter(e) {
    return this.fullTableScan().filter(e);
  }
  limit(e) {
    return this.fullTableScan().limit(e);
  }
  collect() {
    return this.fullTableScan().collect();
  }
  take(e) {
    return this.fullTableScan().take(e);
  }
  paginate(e) {
    return this.fullTableScan().paginate(e);
  }
  first() {
    return this.fullTableScan().first();
  }
  unique() {
    return this.fullTableScan().unique();
  }
  [Symbol.asyncIterator]() {
    return this.fullTableScan()[Symbol.asyncIterator]();
  }
};
function Vt(t) {
  throw new Error(
    t === "consumed" ? "This query is closed and can't emit any more values." : "This query has been chained with another operator and can't be reused."
  );
}
n(Vt, "throwClosedError");
var oe = class t {
  static {
    n(this, "QueryImpl");
  }
  constructor(e) {
    tt(this, "state"), tt(this, "tableNameForErrorMessages"), this.state = { type: "preparing", query: e }, e.source.type === "FullTableScan" ? this.tableNameForErrorMessages = e.source.tableName : this.tableNameForErrorMessages = e.source.indexName.split(".")[0];
  }
  takeQuery() {
    if (this.state.type !== "preparing")
      throw new Error(
        "A query can only be chained once and can't be chained after iteration begins."
      );
    let e = this.state.query;
    return this.state = { type: "closed" }, e;
  }
  startQuery() {
    if (this.state.type === "executing")
      throw new Error("Iteration can only begin on a query once.");
    (this.state.type === "closed" || this.state.type === "consumed") && Vt(this.state.type);
    let e = this.state.query, { queryId: r } = ne("1.0/queryStream", { query: e, version: g });
    return this.state = { type: "executing", queryId: r }, r;
  }
  closeQuery() {
    if (this.state.type === "executing") {
      let e = this.state.queryId;
      ne("1.0/queryCleanup", { queryId: e });
    }
    this.state = { type: "consumed" };
  }
  order(e) {
    d(e, 1, "order", "order");
    let r = this.takeQuery();
    if (r.source.type === "Search")
      throw new Error(
        "Search queries must always be in relevance order. Can not set order manually."
      );
    if (r.source.order !== null)
      throw new Error("Queries may only specify order at most once");
    return r.source.order = e, new t(r);
  }
  filter(e) {
    d(e, 1, "filter", "predicate");
    let r = this.takeQuery();
    if (r.operators.length >= Lt)
      throw new Error(
        `Can't construct query with more than ${Lt} operators`
      );
    return r.operators.push({
      filter: h(e(jt))
    }), new t(r);
  }
  limit(e) {
    d(e, 1, "limit", "n");
    let r = this.takeQuery();
    return r.operators.push({ limit: e }), new t(r);
  }
  [Symbol.asyncIterator]() {
    return this.startQuery(), this;
  }
  async next() {
    (this.state.type === "closed" || this.state.type === "consumed") && Vt(this.state.type);
    let e = this.state.type === "preparing" ? this.startQuery() : this.state.queryId, { value: r, done: o } = await f("1.0/queryStreamNext", {
      queryId: e
    });
    return o && this.closeQuery(), { value: w(r), done: o };
  }
  return() {
    return this.closeQuery(), Promise.resolve({ done: !0, value: void 0 });
  }
  async paginate(e) {
    if (d(e, 1, "paginate", "options"), typeof e?.numItems != "number" || e.numItems < 0)
      throw new Error(
        `\`options.numItems\` must be a positive number. Received \`${e?.numItems}\`.`
      );
    let r = this.takeQuery(), o = e.numItems, s = e.cursor, i = e?.endCursor ?? null, a = e.maximumRowsRead ?? null, { page: u, isDone: l, continueCursor: y, splitCursor: B, pageStatus: $ } = await f("1.0/queryPage", {
      query: r,
      cursor: s,
      endCursor: i,
      pageSize: o,
      maximumRowsRead: a,
      maximumBytesRead: e.maximumBytesRead,
      version: g
    });
    return {
      page: u.map((O) => w(O)),
      isDone: l,
      continueCursor: y,
      splitCursor: B,
      pageStatus: $
    };
  }
  async collect() {
    let e = [];
    for await (let r of this)
      e.push(r);
    return e;
  }
  async take(e) {
    return d(e, 1, "take", "n"), Rt(e, 1, "take", "n"), this.limit(e).collect();
  }
  async first() {
    let e = await this.take(1);
    return e.length === 0 ? null : e[0];
  }
  async unique() {
    let e = await this.take(2);
    if (e.length === 0)
      return null;
    if (e.length === 2)
      throw new Error(`unique() query returned more than one result from table ${this.tableNameForErrorMessages}:
 [${e[0]._id}, ${e[1]._id}, ...]`);
    return e[0];
  }
};

// node_modules/convex/dist/esm/server/impl/database_impl.js
async function rt(t, e, r) {
  if (d(e, 1, "get", "id"), typeof e != "string")
    throw new Error(
      `Invalid argument \`id\` for \`db.get\`, expected string but got '${typeof e}': ${e}`
    );
  let o = {
    id: x(e),
    isSystem: r,
    version: g,
    table: t
  }, s = await f("1.0/get", o);
  return w(s);
}
n(rt, "get");
function Jt() {
  let t = /* @__PURE__ */ n((s = !1) => ({
    get: /* @__PURE__ */ n(async (i, a) => a !== void 0 ? await rt(i, a, s) : await rt(void 0, i, s), "get"),
    query: /* @__PURE__ */ n((i) => new ye(i, s).query(), "query"),
    normalizeId: /* @__PURE__ */ n((i, a) => {
      d(i, 1, "normalizeId", "tableName"), d(a, 2, "normalizeId", "id");
      let u = i.startsWith("_");
      if (u !== s)
        throw new Error(
          `${u ? "System" : "User"} tables can only be accessed from db.${s ? "" : "system."}normalizeId().`
        );
      let l = ne("1.0/db/normalizeId", {
        table: i,
        idString: a
      });
      return w(l).id;
    }, "normalizeId"),
    // We set the system reader on the next line
    system: null,
    table: /* @__PURE__ */ n((i) => new ye(i, s), "table")
  }), "reader"), { system: e, ...r } = t(!0), o = t();
  return o.system = r, o;
}
n(Jt, "setupReader");
async function Dt(t, e) {
  if (t.startsWith("_"))
    throw new Error("System tables (prefixed with `_`) are read-only.");
  d(t, 1, "insert", "table"), d(e, 2, "insert", "value");
  let r = await f("1.0/insert", {
    table: t,
    value: x(e)
  });
  return w(r)._id;
}
n(Dt, "insert");
async function nt(t, e, r) {
  d(e, 1, "patch", "id"), d(r, 2, "patch", "value"), await f("1.0/shallowMerge", {
    id: x(e),
    value: _t(r),
    table: t
  });
}
n(nt, "patch");
async function ot(t, e, r) {
  d(e, 1, "replace", "id"), d(r, 2, "replace", "value"), await f("1.0/replace", {
    id: x(e),
    value: x(r),
    table: t
  });
}
n(ot, "replace");
async function st(t, e) {
  d(e, 1, "delete", "id"), await f("1.0/remove", {
    id: x(e),
    table: t
  });
}
n(st, "delete_");
function zt() {
  let t = Jt();
  return {
    get: t.get,
    query: t.query,
    normalizeId: t.normalizeId,
    system: t.system,
    insert: /* @__PURE__ */ n(async (e, r) => await Dt(e, r), "insert"),
    patch: /* @__PURE__ */ n(async (e, r, o) => o !== void 0 ? await nt(e, r, o) : await nt(void 0, e, r), "patch"),
    replace: /* @__PURE__ */ n(async (e, r, o) => o !== void 0 ? await ot(e, r, o) : await ot(void 0, e, r), "replace"),
    delete: /* @__PURE__ */ n(async (e, r) => r !== void 0 ? await st(e, r) : await st(void 0, e), "delete"),
    table: /* @__PURE__ */ n((e) => new it(e, !1), "table"),
    vars: {
      commitTs: Ze
    }
  };
}
n(zt, "setupWriter");
var ye = class {
  static {
    n(this, "TableReader");
  }
  constructor(e, r) {
    this.tableName = e, this.isSystem = r;
  }
  async get(e) {
    return rt(this.tableName, e, this.isSystem);
  }
  query() {
    let e = this.tableName.startsWith("_");
    if (e !== this.isSystem)
      throw new Error(
        `${e ? "System" : "User"} tables can only be accessed from db.${this.isSystem ? "" : "system."}query().`
      );
    return new ue(this.tableName);
  }
}, it = class extends ye {
  static {
    n(this, "TableWriter");
  }
  async insert(e) {
    return Dt(this.tableName, e);
  }
  async patch(e, r) {
    return nt(this.tableName, e, r);
  }
  async replace(e, r) {
    return ot(this.tableName, e, r);
  }
  async delete(e) {
    return st(this.tableName, e);
  }
};

// node_modules/convex/dist/esm/server/impl/scheduler_impl.js
function Ht() {
  return {
    runAfter: /* @__PURE__ */ n(async (t, e, r) => {
      let o = Gr(t, e, r);
      return await f("1.0/schedule", o);
    }, "runAfter"),
    runAt: /* @__PURE__ */ n(async (t, e, r) => {
      let o = Qr(
        t,
        e,
        r
      );
      return await f("1.0/schedule", o);
    }, "runAt"),
    cancel: /* @__PURE__ */ n(async (t) => {
      d(t, 1, "cancel", "id");
      let e = { id: x(t) };
      await f("1.0/cancel_job", e);
    }, "cancel")
  };
}
n(Ht, "setupMutationScheduler");
function Gr(t, e, r) {
  if (typeof t != "number")
    throw new Error("`delayMs` must be a number");
  if (!isFinite(t))
    throw new Error("`delayMs` must be a finite number");
  if (t < 0)
    throw new Error("`delayMs` must be non-negative");
  let o = ee(r), s = T(e), i = (Date.now() + t) / 1e3;
  return {
    ...s,
    ts: i,
    args: x(o),
    version: g
  };
}
n(Gr, "runAfterSyscallArgs");
function Qr(t, e, r) {
  let o;
  if (t instanceof Date)
    o = t.valueOf() / 1e3;
  else if (typeof t == "number")
    o = t / 1e3;
  else
    throw new Error("The invoke time must a Date or a timestamp");
  let s = T(e), i = ee(r);
  return {
    ...s,
    ts: o,
    args: x(i),
    version: g
  };
}
n(Qr, "runAtSyscallArgs");

// node_modules/convex/dist/esm/server/impl/storage_impl.js
function Gt(t) {
  return {
    getUrl: /* @__PURE__ */ n(async (e) => (d(e, 1, "getUrl", "storageId"), await f("1.0/storageGetUrl", {
      requestId: t,
      version: g,
      storageId: e
    })), "getUrl"),
    getMetadata: /* @__PURE__ */ n(async (e) => await f("1.0/storageGetMetadata", {
      requestId: t,
      version: g,
      storageId: e
    }), "getMetadata")
  };
}
n(Gt, "setupStorageReader");
function Qt(t) {
  let e = Gt(t);
  return {
    generateUploadUrl: /* @__PURE__ */ n(async () => await f("1.0/storageGenerateUploadUrl", {
      requestId: t,
      version: g
    }), "generateUploadUrl"),
    delete: /* @__PURE__ */ n(async (r) => {
      await f("1.0/storageDelete", {
        requestId: t,
        version: g,
        storageId: r
      });
    }, "delete"),
    store: /* @__PURE__ */ n(async (r, o) => {
      if (!(r instanceof Blob))
        throw new Error(
          "store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input."
        );
      let s = new Uint8Array(await r.arrayBuffer());
      return await f("1.0/storageStore", {
        requestId: t,
        version: g,
        blob: Z(s),
        contentType: r.type,
        sha256: o?.sha256
      });
    }, "store"),
    get: /* @__PURE__ */ n(async (r) => {
      let o = await f("1.0/storageGet", {
        requestId: t,
        version: g,
        storageId: r
      });
      return o === null ? null : new Blob([Y(o.blob)], {
        type: o.contentType ?? ""
      });
    }, "get"),
    getUrl: e.getUrl,
    getMetadata: e.getMetadata
  };
}
n(Qt, "setupStorageWriter");

// node_modules/convex/dist/esm/server/impl/meta_impl.js
async function Kr() {
  let t;
  try {
    t = await f("1.0/getTransactionMetrics", {});
  } catch (e) {
    throw e.message?.includes("Unknown async operation") ? new Error(
      "getTransactionMetrics() can only be called from a query or mutation. It is not available in actions or outside of a Convex function."
    ) : e;
  }
  return w(t);
}
n(Kr, "getTransactionMetrics");
async function Xr() {
  let { name: t, componentPath: e } = await f(
    "1.0/getFunctionMetadata",
    {}
  );
  return {
    name: t,
    componentPath: e
  };
}
n(Xr, "getFunctionMetadata");
async function Yr() {
  let t = await f(
    "1.0/getDeploymentMetadata",
    {}
  ), e = w(t);
  return {
    name: e.name,
    region: e.region ?? null,
    class: e.class
  };
}
n(Yr, "getDeploymentMetadata");
function Zr() {
  let t = ne("1.0/getSnapshotTs", {});
  return w(t);
}
n(Zr, "getSnapshotTs");
async function en() {
  let { ip: t, userAgent: e, requestId: r, scheduledFunctionId: o, authToken: s } = await f("1.0/getRequestMetadata", {});
  return { ip: t, userAgent: e, requestId: r, scheduledFunctionId: o, authToken: s };
}
n(en, "getRequestMetadata");
function Wt(t) {
  return {
    getFunctionMetadata: /* @__PURE__ */ n(async () => ({
      ...await Xr(),
      type: "mutation",
      visibility: t
    }), "getFunctionMetadata"),
    getTransactionMetrics: Kr,
    getDeploymentMetadata: Yr,
    getRequestMetadata: en,
    getSnapshotTs: Zr
  };
}
n(Wt, "setupMutationMeta");

// node_modules/convex/dist/esm/server/impl/registration_impl.js
async function tn(t, e, r) {
  let s = w(JSON.parse(e)), i = {
    db: zt(),
    auth: Ut(""),
    storage: Qt(""),
    scheduler: Ht(),
    meta: Wt(r),
    runQuery: /* @__PURE__ */ n((u, l, y) => y?.useStaleSnapshot ? at("snapshotQuery", u, l, y?.transactionLimits) : at("query", u, l, y?.transactionLimits), "runQuery"),
    runMutation: /* @__PURE__ */ n((u, l, y) => at("mutation", u, l, y?.transactionLimits), "runMutation")
  }, a = await nn(t, i, s);
  return rn(a), JSON.stringify(x(a === void 0 ? null : a));
}
n(tn, "invokeMutation");
function rn(t) {
  if (t instanceof ue || t instanceof oe)
    throw new Error(
      "Return value is a Query. Results must be retrieved with `.collect()`, `.take(n), `.unique()`, or `.first()`."
    );
}
n(rn, "validateReturnValue");
async function nn(t, e, r) {
  let o;
  try {
    o = await Promise.resolve(t(e, ...r));
  } catch (s) {
    throw sn(s);
  }
  return o;
}
n(nn, "invokeFunction");
function on(t, e) {
  return (r, o) => (globalThis.console.warn(
    `Convex functions should not directly call other Convex functions. Consider calling a helper function instead. e.g. \`export const foo = ${t}(...); await foo(ctx);\` is not supported. See https://docs.convex.dev/production/best-practices/#use-helper-functions-to-write-shared-code`
  ), e(r, o));
}
n(on, "dontCallDirectly");
function sn(t) {
  if (typeof t == "object" && t !== null && Symbol.for("ConvexError") in t) {
    let e = t;
    return e.data = JSON.stringify(
      x(e.data === void 0 ? null : e.data)
    ), e.ConvexErrorSymbol = Symbol.for("ConvexError"), e;
  } else
    return t;
}
n(sn, "serializeConvexErrorData");
function an() {
  if (typeof window > "u" || window.__convexAllowFunctionsInBrowser)
    return;
  (Object.getOwnPropertyDescriptor(globalThis, "window")?.get?.toString().includes("[native code]") ?? !1) && console.error(
    "Convex functions should not be imported in the browser. This will throw an error in future versions of `convex`. If this is a false negative, please report it to Convex support."
  );
}
n(an, "assertNotBrowser");
function Kt(t, e) {
  if (e === void 0)
    throw new Error(
      `A validator is undefined for field "${t}". This is often caused by circular imports. See https://docs.convex.dev/error#undefined-validator for details.`
    );
  return e;
}
n(Kt, "strictReplacer");
function cn(t) {
  return () => {
    let e = c.any();
    return typeof t == "object" && t.args !== void 0 && (e = Fe(t.args)), JSON.stringify(e.json, Kt);
  };
}
n(cn, "exportArgs");
function un(t) {
  return () => {
    let e;
    return typeof t == "object" && t.returns !== void 0 && (e = Fe(t.returns)), JSON.stringify(e ? e.json : null, Kt);
  };
}
n(un, "exportReturns");
var we = /* @__PURE__ */ n(((t) => {
  let e = typeof t == "function" ? t : t.handler, r = on("mutation", e);
  return an(), r.isMutation = !0, r.isPublic = !0, r.invokeMutation = (o) => tn(e, o, "public"), r.exportArgs = cn(t), r.exportReturns = un(t), r._handler = e, r;
}), "mutationGeneric");
async function at(t, e, r, o) {
  let s = ee(r), i = {
    udfType: t,
    args: x(s),
    ...T(e)
  };
  o && (i.transactionLimits = o);
  let a = await f("1.0/runUdf", i);
  return w(a);
}
n(at, "runUdf");

// node_modules/convex/dist/esm/server/pagination.js
var Da = c.object({
  numItems: c.number(),
  cursor: c.union(c.string(), c.null()),
  endCursor: c.optional(c.union(c.string(), c.null())),
  id: c.optional(c.number()),
  maximumRowsRead: c.optional(c.number()),
  maximumBytesRead: c.optional(c.number())
});

// node_modules/convex/dist/esm/server/api.js
function Xt(t = []) {
  let e = {
    get(r, o) {
      if (typeof o == "string") {
        let s = [...t, o];
        return Xt(s);
      } else if (o === me) {
        if (t.length < 2) {
          let a = ["api", ...t].join(".");
          throw new Error(
            `API path is expected to be of the form \`api.moduleName.functionName\`. Found: \`${a}\``
          );
        }
        let s = t.slice(0, -1).join("/"), i = t[t.length - 1];
        return i === "default" ? s : s + ":" + i;
      } else return o === Symbol.toStringTag ? "FunctionReference" : void 0;
    }
  };
  return new Proxy({}, e);
}
n(Xt, "createApi");
var ln = Xt();

// node_modules/convex/dist/esm/server/logVars.js
var pn = Symbol("var.requestId"), dn = Symbol("var.ip"), hn = Symbol("var.userAgent"), mn = Symbol("var.now"), yn = Symbol("var.convexActor"), wn = {
  [pn]: "requestId",
  [dn]: "ip",
  [hn]: "userAgent",
  [mn]: "now",
  [yn]: "convexActor"
};

// node_modules/convex/dist/esm/server/schema.js
var gn = Object.defineProperty, xn = /* @__PURE__ */ n((t, e, r) => e in t ? gn(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), C = /* @__PURE__ */ n((t, e, r) => xn(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), Ve = class {
  static {
    n(this, "TableDefinition");
  }
  /**
   * @internal
   */
  constructor(e) {
    C(this, "indexes"), C(this, "stagedDbIndexes"), C(this, "searchIndexes"), C(this, "stagedSearchIndexes"), C(this, "vectorIndexes"), C(this, "stagedVectorIndexes"), C(this, "validator"), C(this, "stagedValidator"), this.indexes = [], this.stagedDbIndexes = [], this.searchIndexes = [], this.stagedSearchIndexes = [], this.vectorIndexes = [], this.stagedVectorIndexes = [], this.validator = e;
  }
  /**
   * This API is experimental: it may change or disappear.
   *
   * Returns indexes defined on this table.
   * Intended for the advanced use cases of dynamically deciding which index to use for a query.
   */
  " indexes"() {
    return this.indexes;
  }
  index(e, r) {
    return Array.isArray(r) ? this.indexes.push({
      indexDescriptor: e,
      fields: r
    }) : r.staged ? this.stagedDbIndexes.push({
      indexDescriptor: e,
      fields: r.fields
    }) : this.indexes.push({
      indexDescriptor: e,
      fields: r.fields
    }), this;
  }
  searchIndex(e, r) {
    return r.staged ? this.stagedSearchIndexes.push({
      indexDescriptor: e,
      searchField: r.searchField,
      filterFields: r.filterFields || []
    }) : this.searchIndexes.push({
      indexDescriptor: e,
      searchField: r.searchField,
      filterFields: r.filterFields || []
    }), this;
  }
  vectorIndex(e, r) {
    return r.staged ? this.stagedVectorIndexes.push({
      indexDescriptor: e,
      vectorField: r.vectorField,
      dimensions: r.dimensions,
      filterFields: r.filterFields || []
    }) : this.vectorIndexes.push({
      indexDescriptor: e,
      vectorField: r.vectorField,
      dimensions: r.dimensions,
      filterFields: r.filterFields || []
    }), this;
  }
  /**
   * Stage changes to this table's document validator.
   *
   * Convex validates the staged validator against the table's existing
   * documents in the background, while the validator passed to
   * {@link defineTable} remains the one enforced on writes. Once
   * the background validation succeeds, apply the staged changes
   * and remove `.staged()`.
   *
   * For an object validator, pass only the fields to add or replace. Fields
   * omitted from the changes keep their enforced validators.
   * Set a field to `undefined` to remove it from the staged validator.
   * For nested objects, you must specify the full object validator.
   *
   * ```ts
   * defineTable({
   *   apple: v.string(),
   *   banana: v.number(),
   *   legacy: v.optional(v.string()),
   * }).staged({
   *   banana: v.union(v.string(), v.number()),
   *   legacy: undefined,
   * })
   * ```
   *
   * See [Staged validators](https://docs.convex.dev/database/schemas#staged-validators).
   *
   * @param documentSchema - Field changes for a table defined as an object or
   * `v.any()`, or a full schema validator specifying the proposed next document
   * type. Use a full schema validator for a table defined as a union.
   * @returns A {@link TableDefinition} with the staged validator attached.
   */
  staged(e) {
    if (this.stagedValidator !== void 0)
      throw new Error("Table cannot have more than one staged validator.");
    if (he(e))
      this.stagedValidator = e;
    else {
      if (this.validator.kind !== "object" && this.validator.kind !== "any")
        throw new Error(
          "Specifying top-level field changes is only supported for simple table definitions. For a table defined with a union or record validator, you must stage a fully defined object or union validator."
        );
      let r = this.validator.kind === "object" ? this.validator.fields : {}, o = Object.fromEntries(
        Object.entries({ ...r, ...e }).filter(
          (s) => s[1] !== void 0
        )
      );
      this.stagedValidator = c.object(o);
    }
    return this.self();
  }
  /**
   * Work around for https://github.com/microsoft/TypeScript/issues/57035
   */
  self() {
    return this;
  }
  /**
   * Export the contents of this definition.
   *
   * This is called internally by the Convex framework.
   * @internal
   */
  export() {
    let e = this.validator.json;
    if (typeof e != "object")
      throw new Error(
        "Invalid validator: please make sure that the parameter of `defineTable` is valid (see https://docs.convex.dev/database/schemas)"
      );
    let r;
    if (this.stagedValidator !== void 0 && (r = this.stagedValidator.json, typeof r != "object"))
      throw new Error(
        "Invalid staged validator: please make sure that the parameter of `.staged()` is valid (see https://docs.convex.dev/database/schemas)"
      );
    return {
      indexes: this.indexes,
      stagedDbIndexes: this.stagedDbIndexes,
      searchIndexes: this.searchIndexes,
      stagedSearchIndexes: this.stagedSearchIndexes,
      vectorIndexes: this.vectorIndexes,
      stagedVectorIndexes: this.stagedVectorIndexes,
      documentType: e,
      stagedDocumentType: r
    };
  }
};
function ct(t) {
  return he(t) ? new Ve(t) : new Ve(c.object(t));
}
n(ct, "defineTable");
function Zt(t, e) {
  switch (e.kind) {
    case "object":
      return e.extend({
        _id: c.id(t),
        _creationTime: c.number()
      });
    case "union":
      return c.union(
        ...e.members.map(
          (r) => Zt(t, r)
        )
      );
    // `v.any()` already permits the system fields.
    case "any":
      return e;
    default:
      throw new Error(
        `Invalid validator for table "${t}": a table's documents must be objects, or a union of objects (see https://docs.convex.dev/database/schemas)`
      );
  }
}
n(Zt, "addSystemFields");
function er(t, e) {
  return Zt(t, e.validator);
}
n(er, "docValidator");
function Yt(t, e) {
  let r = t.tables[e];
  if (r === void 0)
    throw new Error(
      `Table "${e}" is not in this schema. Tables in this schema: ${Object.keys(
        t.tables
      ).join(", ")}`
    );
  return r;
}
n(Yt, "tableInSchema");
var ut = class {
  static {
    n(this, "SchemaDefinition");
  }
  /**
   * @internal
   */
  constructor(e, r) {
    C(this, "tables"), C(this, "strictTableNameTypes"), C(this, "schemaValidation"), this.tables = e, this.schemaValidation = r?.schemaValidation === void 0 ? !0 : r.schemaValidation;
  }
  /**
   * The validator for whole documents of a table in this schema: the table's
   * own validator with the `_id` and `_creationTime` system fields added.
   *
   * @example
   * ```ts
   * export const get = query({
   *   args: { id: schema.id("messages") },
   *   returns: v.union(schema.doc("messages"), v.null()),
   *   handler: (ctx, args) => ctx.db.get(args.id),
   * });
   * ```
   *
   * @param tableName - The name of a table in this schema.
   * @returns A validator matching documents of that table.
   */
  doc(e) {
    return er(e, Yt(this, e));
  }
  /**
   * The validator for IDs of a table in this schema.
   *
   * Same as `v.id(tableName)`, but only accepts tables in this schema.
   *
   * @param tableName - The name of a table in this schema.
   * @returns A validator matching IDs of that table.
   */
  id(e) {
    return Yt(this, e), c.id(e);
  }
  /**
   * Export the contents of this definition.
   *
   * This is called internally by the Convex framework.
   * @internal
   */
  export() {
    return JSON.stringify({
      tables: Object.entries(this.tables).map(([e, r]) => {
        let {
          indexes: o,
          stagedDbIndexes: s,
          searchIndexes: i,
          stagedSearchIndexes: a,
          vectorIndexes: u,
          stagedVectorIndexes: l,
          documentType: y,
          stagedDocumentType: B
        } = r.export();
        return {
          tableName: e,
          indexes: o,
          stagedDbIndexes: s,
          searchIndexes: i,
          stagedSearchIndexes: a,
          vectorIndexes: u,
          stagedVectorIndexes: l,
          documentType: y,
          stagedDocumentType: B
        };
      }),
      schemaValidation: this.schemaValidation
    });
  }
};
function tr(t, e) {
  return new ut(t, e);
}
n(tr, "defineSchema");
var Tc = tr({
  _scheduled_functions: ct({
    name: c.string(),
    args: c.array(c.any()),
    scheduledTime: c.float64(),
    completedTime: c.optional(c.float64()),
    state: c.union(
      c.object({ kind: c.literal("pending") }),
      c.object({ kind: c.literal("inProgress") }),
      c.object({ kind: c.literal("success") }),
      c.object({ kind: c.literal("failed"), error: c.string() }),
      c.object({ kind: c.literal("canceled") })
    )
  }),
  _storage: ct({
    sha256: c.string(),
    size: c.float64(),
    contentType: c.optional(c.string())
  })
});

// convex/passwords.ts
var uu = we({
  args: { password: c.string() },
  handler: /* @__PURE__ */ n(async (t, { password: e }) => await new ae().hash(e), "handler")
}), lu = we({
  args: { hash: c.string(), password: c.string() },
  handler: /* @__PURE__ */ n(async (t, { hash: e, password: r }) => await new ae().verify(e, r), "handler")
});
export {
  uu as hash,
  lu as verify
};
//# sourceMappingURL=passwords.js.map
