var st = Object.defineProperty;
var n = (t, e) => st(t, "name", { value: e, configurable: !0 });
var yn = (t, e) => {
  for (var r in e)
    st(t, r, { get: e[r], enumerable: !0 });
};

// ../../../test/e2e/node_modules/convex/dist/esm/values/base64.js
var T = [], E = [], Gt = Uint8Array, _e = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
for (_ = 0, it = _e.length; _ < it; ++_)
  T[_] = _e[_], E[_e.charCodeAt(_)] = _;
var _, it;
E[45] = 62;
E[95] = 63;
function Xt(t) {
  var e = t.length;
  if (e % 4 > 0)
    throw new Error("Invalid string. Length must be a multiple of 4");
  var r = t.indexOf("=");
  r === -1 && (r = e);
  var o = r === e ? 0 : 4 - r % 4;
  return [r, o];
}
n(Xt, "getLens");
function Yt(t, e, r) {
  return (e + r) * 3 / 4 - r;
}
n(Yt, "_byteLength");
function I(t) {
  var e, r = Xt(t), o = r[0], s = r[1], i = new Gt(Yt(t, o, s)), a = 0, u = s > 0 ? o - 4 : o, p;
  for (p = 0; p < u; p += 4)
    e = E[t.charCodeAt(p)] << 18 | E[t.charCodeAt(p + 1)] << 12 | E[t.charCodeAt(p + 2)] << 6 | E[t.charCodeAt(p + 3)], i[a++] = e >> 16 & 255, i[a++] = e >> 8 & 255, i[a++] = e & 255;
  return s === 2 && (e = E[t.charCodeAt(p)] << 2 | E[t.charCodeAt(p + 1)] >> 4, i[a++] = e & 255), s === 1 && (e = E[t.charCodeAt(p)] << 10 | E[t.charCodeAt(p + 1)] << 4 | E[t.charCodeAt(p + 2)] >> 2, i[a++] = e >> 8 & 255, i[a++] = e & 255), i;
}
n(I, "toByteArray");
function Kt(t) {
  return T[t >> 18 & 63] + T[t >> 12 & 63] + T[t >> 6 & 63] + T[t & 63];
}
n(Kt, "tripletToBase64");
function Zt(t, e, r) {
  for (var o, s = [], i = e; i < r; i += 3)
    o = (t[i] << 16 & 16711680) + (t[i + 1] << 8 & 65280) + (t[i + 2] & 255), s.push(Kt(o));
  return s.join("");
}
n(Zt, "encodeChunk");
function $(t) {
  for (var e, r = t.length, o = r % 3, s = [], i = 16383, a = 0, u = r - o; a < u; a += i)
    s.push(
      Zt(
        t,
        a,
        a + i > u ? u : a + i
      )
    );
  return o === 1 ? (e = t[r - 1], s.push(T[e >> 2] + T[e << 4 & 63] + "==")) : o === 2 && (e = (t[r - 2] << 8) + t[r - 1], s.push(
    T[e >> 10] + T[e >> 4 & 63] + T[e << 2 & 63] + "="
  )), s.join("");
}
n($, "fromByteArray");

// ../../../test/e2e/node_modules/convex/dist/esm/common/index.js
function O(t) {
  if (t === void 0)
    return {};
  if (!K(t))
    throw new Error(
      `The arguments to a Convex function must be an object. Received: ${t}`
    );
  return t;
}
n(O, "parseArgs");
function K(t) {
  let e = typeof t == "object", r = Object.getPrototypeOf(t), o = r === null || r === Object.prototype || // Objects generated from other contexts (e.g. across Node.js `vm` modules) will not satisfy the previous
  // conditions but are still simple objects.
  r?.constructor?.name === "Object";
  return e && o;
}
n(K, "isSimpleObject");

// ../../../test/e2e/node_modules/convex/dist/esm/values/value.js
var lt = !0, q = BigInt("-9223372036854775808"), Z = BigInt("9223372036854775807"), Ce = BigInt("0"), er = BigInt("8"), tr = BigInt("256"), Ie = "This commit timestamp is unresolved: its value is assigned when the mutation commits. Read the document after the mutation completes to get its value.", P = class {
  static {
    n(this, "CommitTsPlaceholder");
  }
  [Symbol.toPrimitive](e) {
    if (e === "string")
      return this.toString();
    throw new Error(Ie);
  }
  valueOf() {
    throw new Error(Ie);
  }
  toJSON() {
    throw new Error(Ie);
  }
  toString() {
    return "[unresolved commit timestamp]";
  }
}, Ne = new P();
function ft(t) {
  return Number.isNaN(t) || !Number.isFinite(t) || Object.is(t, -0);
}
n(ft, "isSpecial");
function rr(t) {
  t < Ce && (t -= q + q);
  let e = t.toString(16);
  e.length % 2 === 1 && (e = "0" + e);
  let r = new Uint8Array(new ArrayBuffer(8)), o = 0;
  for (let s of e.match(/.{2}/g).reverse())
    r.set([parseInt(s, 16)], o++), t >>= er;
  return $(r);
}
n(rr, "slowBigIntToBase64");
function nr(t) {
  let e = I(t);
  if (e.byteLength !== 8)
    throw new Error(
      `Received ${e.byteLength} bytes, expected 8 for $integer`
    );
  let r = Ce, o = Ce;
  for (let s of e)
    r += BigInt(s) * tr ** o, o++;
  return r > Z && (r += q + q), r;
}
n(nr, "slowBase64ToBigInt");
function or(t) {
  if (t < q || Z < t)
    throw new Error(
      `BigInt ${t} does not fit into a 64-bit signed integer.`
    );
  let e = new ArrayBuffer(8);
  return new DataView(e).setBigInt64(0, t, !0), $(new Uint8Array(e));
}
n(or, "modernBigIntToBase64");
function sr(t) {
  let e = I(t);
  if (e.byteLength !== 8)
    throw new Error(
      `Received ${e.byteLength} bytes, expected 8 for $integer`
    );
  return new DataView(e.buffer).getBigInt64(0, !0);
}
n(sr, "modernBase64ToBigInt");
var ir = DataView.prototype.setBigInt64 ? or : rr, ar = DataView.prototype.getBigInt64 ? sr : nr, ct = 1024;
function Pe(t) {
  if (t.length > ct)
    throw new Error(
      `Field name ${t} exceeds maximum field name length ${ct}.`
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
n(Pe, "validateObjectField");
function h(t) {
  if (t === null || typeof t == "boolean" || typeof t == "number" || typeof t == "string")
    return t;
  if (Array.isArray(t))
    return t.map((o) => h(o));
  if (typeof t != "object")
    throw new Error(`Unexpected type of ${t}`);
  let e = Object.entries(t);
  if (e.length === 1) {
    let o = e[0][0];
    if (o === "$bytes") {
      if (typeof t.$bytes != "string")
        throw new Error(`Malformed $bytes field on ${t}`);
      return I(t.$bytes).buffer;
    }
    if (o === "$integer") {
      if (typeof t.$integer != "string")
        throw new Error(`Malformed $integer field on ${t}`);
      return ar(t.$integer);
    }
    if (o === "$float") {
      if (typeof t.$float != "string")
        throw new Error(`Malformed $float field on ${t}`);
      let s = I(t.$float);
      if (s.byteLength !== 8)
        throw new Error(
          `Received ${s.byteLength} bytes, expected 8 for $float`
        );
      let a = new DataView(s.buffer).getFloat64(0, lt);
      if (!ft(a))
        throw new Error(`Float ${a} should be encoded as a number`);
      return a;
    }
    if (o === "$commitTs") {
      if (t.$commitTs !== null)
        throw new Error(`Malformed $commitTs field on ${t}`);
      return Ne;
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
    Pe(o), r[o] = h(s);
  return r;
}
n(h, "jsonToConvex");
var ut = 16384;
function C(t) {
  let e = JSON.stringify(t, (r, o) => o === void 0 ? "undefined" : typeof o == "function" ? "[Function]" : typeof o == "symbol" ? String(o) : typeof o == "bigint" ? `${o.toString()}n` : o);
  if (e.length > ut) {
    let r = "[...truncated]", o = ut - r.length, s = e.codePointAt(o - 1);
    return s !== void 0 && s > 65535 && (o -= 1), e.substring(0, o) + r;
  }
  return e;
}
n(C, "stringifyValueForError");
function L(t, e, r, o) {
  if (t === void 0) {
    let a = r && ` (present at path ${r} in original object ${C(
      e
    )})`;
    throw new Error(
      `undefined is not a valid Convex value${a}. To learn about Convex's supported types, see https://docs.convex.dev/using/types.`
    );
  }
  if (t === null)
    return t;
  if (typeof t == "bigint") {
    if (t < q || Z < t)
      throw new Error(
        `BigInt ${t} does not fit into a 64-bit signed integer.`
      );
    return { $integer: ir(t) };
  }
  if (typeof t == "number")
    if (ft(t)) {
      let a = new ArrayBuffer(8);
      return new DataView(a).setFloat64(0, t, lt), { $float: $(new Uint8Array(a)) };
    } else
      return t;
  if (typeof t == "boolean" || typeof t == "string")
    return t;
  if (t instanceof ArrayBuffer)
    return { $bytes: $(new Uint8Array(t)) };
  if (t instanceof P)
    return { $commitTs: null };
  if (Array.isArray(t))
    return t.map(
      (a, u) => L(a, e, r + `[${u}]`, !1)
    );
  if (t instanceof Set)
    throw new Error(
      $e(r, "Set", [...t], e)
    );
  if (t instanceof Map)
    throw new Error(
      $e(r, "Map", [...t], e)
    );
  if (!K(t)) {
    let a = t?.constructor?.name, u = a ? `${a} ` : "";
    throw new Error(
      $e(r, u, t, e)
    );
  }
  let s = {}, i = Object.entries(t);
  i.sort(([a, u], [p, x]) => a === p ? 0 : a < p ? -1 : 1);
  for (let [a, u] of i)
    u !== void 0 ? (Pe(a), s[a] = L(u, e, r + `.${a}`, !1)) : o && (Pe(a), s[a] = pt(
      u,
      e,
      r + `.${a}`
    ));
  return s;
}
n(L, "convexToJsonInternal");
function $e(t, e, r, o) {
  return t ? `${e}${C(
    r
  )} is not a supported Convex type (present at path ${t} in original object ${C(
    o
  )}). To learn about Convex's supported types, see https://docs.convex.dev/using/types.` : `${e}${C(
    r
  )} is not a supported Convex type.`;
}
n($e, "errorMessageForUnsupportedType");
function pt(t, e, r) {
  if (t === void 0)
    return { $undefined: null };
  if (e === void 0)
    throw new Error(
      `Programming error. Current value is ${C(
        t
      )} but original value is undefined`
    );
  return L(t, e, r, !1);
}
n(pt, "convexOrUndefinedToJsonInternal");
function m(t) {
  return L(t, t, "", !1);
}
n(m, "convexToJson");
function A(t) {
  return pt(t, t, "");
}
n(A, "convexOrUndefinedToJson");
function dt(t) {
  return L(t, t, "", !0);
}
n(dt, "patchValueToJson");

// ../../../test/e2e/node_modules/convex/dist/esm/values/validators.js
var cr = Object.defineProperty, ur = /* @__PURE__ */ n((t, e, r) => e in t ? cr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), y = /* @__PURE__ */ n((t, e, r) => ur(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), lr = "https://docs.convex.dev/error#undefined-validator";
function D(t, e) {
  let r = e !== void 0 ? ` for field "${e}"` : "";
  throw new Error(
    `A validator is undefined${r} in ${t}. This is often caused by circular imports. See ${lr} for details.`
  );
}
n(D, "throwUndefinedValidatorError");
var b = class {
  static {
    n(this, "BaseValidator");
  }
  constructor({ isOptional: e }) {
    y(this, "type"), y(this, "fieldPaths"), y(this, "isOptional"), y(this, "isConvexValidator"), this.isOptional = e, this.isConvexValidator = !0;
  }
}, ee = class t extends b {
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
    if (super({ isOptional: e }), y(this, "tableName"), y(this, "kind", "id"), typeof r != "string")
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
}, Q = class t extends b {
  static {
    n(this, "VFloat64");
  }
  constructor() {
    super(...arguments), y(this, "kind", "float64");
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
}, H = class t extends b {
  static {
    n(this, "VInt64");
  }
  constructor() {
    super(...arguments), y(this, "kind", "int64");
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
}, te = class t extends b {
  static {
    n(this, "VCommitTs");
  }
  constructor() {
    super(...arguments), y(this, "kind", "commitTs");
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
}, re = class t extends b {
  static {
    n(this, "VBoolean");
  }
  constructor() {
    super(...arguments), y(this, "kind", "boolean");
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
}, ne = class t extends b {
  static {
    n(this, "VBytes");
  }
  constructor() {
    super(...arguments), y(this, "kind", "bytes");
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
}, oe = class t extends b {
  static {
    n(this, "VString");
  }
  constructor() {
    super(...arguments), y(this, "kind", "string");
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
}, se = class t extends b {
  static {
    n(this, "VNull");
  }
  constructor() {
    super(...arguments), y(this, "kind", "null");
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
}, ie = class t extends b {
  static {
    n(this, "VAny");
  }
  constructor() {
    super(...arguments), y(this, "kind", "any");
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
}, ae = class t extends b {
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
    super({ isOptional: e }), y(this, "fields"), y(this, "kind", "object"), globalThis.Object.entries(r).forEach(([o, s]) => {
      if (s === void 0 && D("v.object()", o), !s.isConvexValidator)
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
}, ce = class t extends b {
  static {
    n(this, "VLiteral");
  }
  /**
   * Usually you'd use `v.literal(value)` instead.
   */
  constructor({ isOptional: e, value: r }) {
    if (super({ isOptional: e }), y(this, "value"), y(this, "kind", "literal"), typeof r != "string" && typeof r != "boolean" && typeof r != "number" && typeof r != "bigint")
      throw new Error("v.literal(value) must be a string, number, or boolean");
    this.value = r;
  }
  /** @internal */
  get json() {
    return {
      type: this.kind,
      value: m(this.value)
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
}, ue = class t extends b {
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
    super({ isOptional: e }), y(this, "element"), y(this, "kind", "array"), r === void 0 && D("v.array()"), this.element = r;
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
}, le = class t extends b {
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
    if (super({ isOptional: e }), y(this, "key"), y(this, "value"), y(this, "kind", "record"), r === void 0 && D("v.record()", "key"), o === void 0 && D("v.record()", "value"), r.isOptional === "optional")
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
}, fe = class t extends b {
  static {
    n(this, "VUnion");
  }
  /**
   * Usually you'd use `v.union(...members)` instead.
   */
  constructor({ isOptional: e, members: r }) {
    super({ isOptional: e }), y(this, "members"), y(this, "kind", "union"), r.forEach((o, s) => {
      if (o === void 0 && D("v.union()", `member at index ${s}`), !o.isConvexValidator)
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

// ../../../test/e2e/node_modules/convex/dist/esm/values/validator.js
function z(t) {
  return t?.isConvexValidator === !0;
}
n(z, "isValidator");
function pe(t) {
  return z(t) ? t : c.object(t);
}
n(pe, "asObjectValidator");
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
  id: /* @__PURE__ */ n((t) => new ee({
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
  null: /* @__PURE__ */ n(() => new se({ isOptional: "required" }), "null"),
  /**
   * Validates that the value is a JavaScript `number` (Convex Float64).
   *
   * Supports all IEEE-754 double-precision floating point numbers including
   * NaN and Infinity.
   *
   * Alias for `v.float64()`.
   */
  number: /* @__PURE__ */ n(() => new Q({ isOptional: "required" }), "number"),
  /**
   * Validates that the value is a JavaScript `number` (Convex Float64).
   *
   * Supports all IEEE-754 double-precision floating point numbers.
   */
  float64: /* @__PURE__ */ n(() => new Q({ isOptional: "required" }), "float64"),
  /**
   * @deprecated Use `v.int64()` instead.
   */
  bigint: /* @__PURE__ */ n(() => new H({ isOptional: "required" }), "bigint"),
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
  int64: /* @__PURE__ */ n(() => new H({ isOptional: "required" }), "int64"),
  /**
   * Validates that the value is a commit timestamp: an int64 (`bigint`)
   * assigned from the transaction's commit timestamp.
   *
   * An index on a field with this validator orders documents by commit order.
   * Accepts any int64 value; write `db.vars.commitTs` to have the field
   * resolve to the commit timestamp when the mutation commits.
   */
  commitTs: /* @__PURE__ */ n(() => new te({ isOptional: "required" }), "commitTs"),
  /**
   * Validates that the value is a `boolean`.
   */
  boolean: /* @__PURE__ */ n(() => new re({ isOptional: "required" }), "boolean"),
  /**
   * Validates that the value is a `string`.
   *
   * Strings are stored as UTF-8 and their storage size is calculated as their
   * UTF-8 encoded size.
   */
  string: /* @__PURE__ */ n(() => new oe({ isOptional: "required" }), "string"),
  /**
   * Validates that the value is an `ArrayBuffer` (Convex Bytes).
   *
   * Use for binary data.
   */
  bytes: /* @__PURE__ */ n(() => new ne({ isOptional: "required" }), "bytes"),
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
  literal: /* @__PURE__ */ n((t) => new ce({ isOptional: "required", value: t }), "literal"),
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
  array: /* @__PURE__ */ n((t) => new ue({ isOptional: "required", element: t }), "array"),
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
  object: /* @__PURE__ */ n((t) => new ae({ isOptional: "required", fields: t }), "object"),
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
  record: /* @__PURE__ */ n((t, e) => new le({
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
  union: /* @__PURE__ */ n((...t) => new fe({
    isOptional: "required",
    members: t
  }), "union"),
  /**
   * A validator that accepts any Convex value without validation.
   *
   * Prefer using specific validators when possible for better type safety
   * and runtime validation.
   */
  any: /* @__PURE__ */ n(() => new ie({ isOptional: "required" }), "any"),
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

// ../../../test/e2e/node_modules/convex/dist/esm/values/errors.js
var fr = Object.defineProperty, pr = /* @__PURE__ */ n((t, e, r) => e in t ? fr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), je = /* @__PURE__ */ n((t, e, r) => pr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), ht, mt, dr = Symbol.for("ConvexError"), de = class extends (mt = Error, ht = dr, mt) {
  static {
    n(this, "ConvexError");
  }
  constructor(e) {
    super(typeof e == "string" ? e : C(e)), je(this, "name", "ConvexError"), je(this, "data"), je(this, ht, !0), this.data = e;
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/values/compare_utf8.js
var yt = /* @__PURE__ */ n(() => Array.from({ length: 4 }, () => 0), "arr"), jn = yt(), Rn = yt();

// ../../../test/e2e/node_modules/convex/dist/esm/index.js
var w = "1.48.0";

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/syscall.js
function N(t, e) {
  if (typeof Convex > "u" || Convex.syscall === void 0)
    throw new Error(
      "The Convex database and auth objects are being used outside of a Convex backend. Did you mean to use `useQuery` or `useMutation` to call a Convex function?"
    );
  let r = Convex.syscall(t, JSON.stringify(e));
  return JSON.parse(r);
}
n(N, "performSyscall");
async function l(t, e) {
  if (typeof Convex > "u" || Convex.asyncSyscall === void 0)
    throw new Error(
      "The Convex database and auth objects are being used outside of a Convex backend. Did you mean to use `useQuery` or `useMutation` to call a Convex function?"
    );
  let r;
  try {
    r = await Convex.asyncSyscall(t, JSON.stringify(e));
  } catch (o) {
    if (o.data !== void 0) {
      let s = new de(o.message);
      throw s.data = h(o.data), s;
    }
    throw new Error(o.message);
  }
  return JSON.parse(r);
}
n(l, "performAsyncSyscall");
function j(t, e) {
  if (typeof Convex > "u" || Convex.jsSyscall === void 0)
    throw new Error(
      "The Convex database and auth objects are being used outside of a Convex backend. Did you mean to use `useQuery` or `useMutation` to call a Convex function?"
    );
  return Convex.jsSyscall(t, e);
}
n(j, "performJsSyscall");

// ../../../test/e2e/node_modules/convex/dist/esm/server/functionName.js
var M = Symbol.for("functionName");

// ../../../test/e2e/node_modules/convex/dist/esm/server/components/paths.js
var wt = Symbol.for("toReferencePath");
function hr(t) {
  return t[wt] ?? null;
}
n(hr, "extractReferencePath");
function mr(t) {
  return t.startsWith("function://");
}
n(mr, "isFunctionHandle");
function v(t) {
  let e;
  if (typeof t == "string")
    mr(t) ? e = { functionHandle: t } : e = { name: t };
  else if (t[M])
    e = { name: t[M] };
  else {
    let r = hr(t);
    if (!r)
      throw new Error(`${t} is not a functionReference`);
    e = { reference: r };
  }
  return e;
}
n(v, "getFunctionAddress");

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/validate.js
function f(t, e, r, o) {
  if (t === void 0)
    throw new TypeError(
      `Must provide arg ${e} \`${o}\` to \`${r}\``
    );
}
n(f, "validateArg");
function gt(t, e, r, o) {
  if (!Number.isInteger(t) || t < 0)
    throw new TypeError(
      `Arg ${e} \`${o}\` to \`${r}\` must be a non-negative integer`
    );
}
n(gt, "validateArgIsNonNegativeInteger");

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/actions_impl.js
function Re(t, e, r) {
  return {
    ...v(e),
    args: m(O(r)),
    version: w,
    requestId: t
  };
}
n(Re, "syscallArgs");
function Fe(t) {
  return {
    runQuery: /* @__PURE__ */ n(async (e, r) => {
      let o = await l(
        "1.0/actions/query",
        Re(t, e, r)
      );
      return h(o);
    }, "runQuery"),
    runMutation: /* @__PURE__ */ n(async (e, r) => {
      let o = await l(
        "1.0/actions/mutation",
        Re(t, e, r)
      );
      return h(o);
    }, "runMutation"),
    runAction: /* @__PURE__ */ n(async (e, r) => {
      let o = await l(
        "1.0/actions/action",
        Re(t, e, r)
      );
      return h(o);
    }, "runAction")
  };
}
n(Fe, "setupActionCalls");

// ../../../test/e2e/node_modules/convex/dist/esm/server/vector_search.js
var yr = Object.defineProperty, wr = /* @__PURE__ */ n((t, e, r) => e in t ? yr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), xt = /* @__PURE__ */ n((t, e, r) => wr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), he = class {
  static {
    n(this, "FilterExpression");
  }
  /**
   * @internal
   */
  constructor() {
    xt(this, "_isExpression"), xt(this, "_value");
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/vector_search_impl.js
var gr = Object.defineProperty, xr = /* @__PURE__ */ n((t, e, r) => e in t ? gr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), qe = /* @__PURE__ */ n((t, e, r) => xr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField");
function Be(t) {
  return async (e, r, o) => {
    if (f(e, 1, "vectorSearch", "tableName"), f(r, 2, "vectorSearch", "indexName"), f(o, 3, "vectorSearch", "query"), !o.vector || !Array.isArray(o.vector) || o.vector.length === 0)
      throw Error("`vector` must be a non-empty Array in vectorSearch");
    return await new Me(
      t,
      e + "." + r,
      o
    ).collect();
  };
}
n(Be, "setupActionVectorSearch");
var Me = class {
  static {
    n(this, "VectorQueryImpl");
  }
  constructor(e, r, o) {
    qe(this, "requestId"), qe(this, "state"), this.requestId = e;
    let s = o.filter ? me(o.filter(br)) : null;
    this.state = {
      type: "preparing",
      query: {
        indexName: r,
        limit: o.limit,
        vector: o.vector,
        expressions: s
      }
    };
  }
  async collect() {
    if (this.state.type === "consumed")
      throw new Error("This query is closed and can't emit any more values.");
    let e = this.state.query;
    this.state = { type: "consumed" };
    let { results: r } = await l("1.0/actions/vectorSearch", {
      requestId: this.requestId,
      version: w,
      query: e
    });
    return r;
  }
}, B = class extends he {
  static {
    n(this, "ExpressionImpl");
  }
  constructor(e) {
    super(), qe(this, "inner"), this.inner = e;
  }
  serialize() {
    return this.inner;
  }
};
function me(t) {
  return t instanceof B ? t.serialize() : { $literal: A(t) };
}
n(me, "serializeExpression");
var br = {
  //  Comparisons  /////////////////////////////////////////////////////////////
  eq(t, e) {
    if (typeof t != "string")
      throw new Error("The first argument to `q.eq` must be a field name.");
    return new B({
      $eq: [
        me(new B({ $field: t })),
        me(e)
      ]
    });
  },
  //  Logic  ///////////////////////////////////////////////////////////////////
  or(...t) {
    return new B({ $or: t.map(me) });
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/authentication_impl.js
function W(t) {
  return {
    getUserIdentity: /* @__PURE__ */ n(async () => await l("1.0/getUserIdentity", {
      requestId: t
    }), "getUserIdentity")
  };
}
n(W, "setupAuth");
function bt(t) {
  return {
    ...W(t),
    signJwt: /* @__PURE__ */ n(async (e) => await l("1.0/signJwt", {
      requestId: t,
      version: w,
      ...e
    }), "signJwt")
  };
}
n(bt, "setupMutationAuth");

// ../../../test/e2e/node_modules/convex/dist/esm/server/filter_builder.js
var vr = Object.defineProperty, Er = /* @__PURE__ */ n((t, e, r) => e in t ? vr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), vt = /* @__PURE__ */ n((t, e, r) => Er(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), ye = class {
  static {
    n(this, "Expression");
  }
  /**
   * @internal
   */
  constructor() {
    vt(this, "_isExpression"), vt(this, "_value");
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/filter_builder_impl.js
var Ar = Object.defineProperty, Sr = /* @__PURE__ */ n((t, e, r) => e in t ? Ar(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), Tr = /* @__PURE__ */ n((t, e, r) => Sr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), g = class extends ye {
  static {
    n(this, "ExpressionImpl");
  }
  constructor(e) {
    super(), Tr(this, "inner"), this.inner = e;
  }
  serialize() {
    return this.inner;
  }
};
function d(t) {
  return t instanceof g ? t.serialize() : { $literal: A(t) };
}
n(d, "serializeExpression");
var Et = {
  //  Comparisons  /////////////////////////////////////////////////////////////
  eq(t, e) {
    return new g({
      $eq: [d(t), d(e)]
    });
  },
  neq(t, e) {
    return new g({
      $neq: [d(t), d(e)]
    });
  },
  lt(t, e) {
    return new g({
      $lt: [d(t), d(e)]
    });
  },
  lte(t, e) {
    return new g({
      $lte: [d(t), d(e)]
    });
  },
  gt(t, e) {
    return new g({
      $gt: [d(t), d(e)]
    });
  },
  gte(t, e) {
    return new g({
      $gte: [d(t), d(e)]
    });
  },
  //  Arithmetic  //////////////////////////////////////////////////////////////
  add(t, e) {
    return new g({
      $add: [d(t), d(e)]
    });
  },
  sub(t, e) {
    return new g({
      $sub: [d(t), d(e)]
    });
  },
  mul(t, e) {
    return new g({
      $mul: [d(t), d(e)]
    });
  },
  div(t, e) {
    return new g({
      $div: [d(t), d(e)]
    });
  },
  mod(t, e) {
    return new g({
      $mod: [d(t), d(e)]
    });
  },
  neg(t) {
    return new g({ $neg: d(t) });
  },
  //  Logic  ///////////////////////////////////////////////////////////////////
  and(...t) {
    return new g({ $and: t.map(d) });
  },
  or(...t) {
    return new g({ $or: t.map(d) });
  },
  not(t) {
    return new g({ $not: d(t) });
  },
  //  Other  ///////////////////////////////////////////////////////////////////
  field(t) {
    return new g({ $field: t });
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/index_range_builder.js
var Or = Object.defineProperty, _r = /* @__PURE__ */ n((t, e, r) => e in t ? Or(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), Ir = /* @__PURE__ */ n((t, e, r) => _r(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), we = class {
  static {
    n(this, "IndexRange");
  }
  /**
   * @internal
   */
  constructor() {
    Ir(this, "_isIndexRange");
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/index_range_builder_impl.js
var $r = Object.defineProperty, Cr = /* @__PURE__ */ n((t, e, r) => e in t ? $r(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), At = /* @__PURE__ */ n((t, e, r) => Cr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), ge = class t extends we {
  static {
    n(this, "IndexRangeBuilderImpl");
  }
  constructor(e) {
    super(), At(this, "rangeExpressions"), At(this, "isConsumed"), this.rangeExpressions = e, this.isConsumed = !1;
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
        value: A(r)
      })
    );
  }
  gt(e, r) {
    return this.consume(), new t(
      this.rangeExpressions.concat({
        type: "Gt",
        fieldPath: e,
        value: A(r)
      })
    );
  }
  gte(e, r) {
    return this.consume(), new t(
      this.rangeExpressions.concat({
        type: "Gte",
        fieldPath: e,
        value: A(r)
      })
    );
  }
  lt(e, r) {
    return this.consume(), new t(
      this.rangeExpressions.concat({
        type: "Lt",
        fieldPath: e,
        value: A(r)
      })
    );
  }
  lte(e, r) {
    return this.consume(), new t(
      this.rangeExpressions.concat({
        type: "Lte",
        fieldPath: e,
        value: A(r)
      })
    );
  }
  export() {
    return this.consume(), this.rangeExpressions;
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/search_filter_builder.js
var Pr = Object.defineProperty, Nr = /* @__PURE__ */ n((t, e, r) => e in t ? Pr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), jr = /* @__PURE__ */ n((t, e, r) => Nr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), xe = class {
  static {
    n(this, "SearchFilter");
  }
  /**
   * @internal
   */
  constructor() {
    jr(this, "_isSearchFilter");
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/search_filter_builder_impl.js
var Rr = Object.defineProperty, Fr = /* @__PURE__ */ n((t, e, r) => e in t ? Rr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), St = /* @__PURE__ */ n((t, e, r) => Fr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), be = class t extends xe {
  static {
    n(this, "SearchFilterBuilderImpl");
  }
  constructor(e) {
    super(), St(this, "filters"), St(this, "isConsumed"), this.filters = e, this.isConsumed = !1;
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
    return f(e, 1, "search", "fieldName"), f(r, 2, "search", "query"), this.consume(), new t(
      this.filters.concat({
        type: "Search",
        fieldPath: e,
        value: r
      })
    );
  }
  eq(e, r) {
    return f(e, 1, "eq", "fieldName"), arguments.length !== 2 && f(r, 2, "search", "value"), this.consume(), new t(
      this.filters.concat({
        type: "Eq",
        fieldPath: e,
        value: A(r)
      })
    );
  }
  export() {
    return this.consume(), this.filters;
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/query_impl.js
var qr = Object.defineProperty, Mr = /* @__PURE__ */ n((t, e, r) => e in t ? qr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), Ue = /* @__PURE__ */ n((t, e, r) => Mr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), Tt = 256, U = class {
  static {
    n(this, "QueryInitializerImpl");
  }
  constructor(e) {
    Ue(this, "tableName"), this.tableName = e;
  }
  withIndex(e, r) {
    f(e, 1, "withIndex", "indexName");
    let o = ge.new();
    return r !== void 0 && (o = r(o)), new R({
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
    f(e, 1, "withSearchIndex", "indexName"), f(r, 2, "withSearchIndex", "searchFilter");
    let o = be.new();
    return new R({
      source: {
        type: "Search",
        indexName: this.tableName + "." + e,
        filters: r(o).export()
      },
      operators: []
    });
  }
  fullTableScan() {
    return new R({
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
    let e = await l("1.0/count", {
      table: this.tableName
    });
    return h(e);
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
function Ot(t) {
  throw new Error(
    t === "consumed" ? "This query is closed and can't emit any more values." : "This query has been chained with another operator and can't be reused."
  );
}
n(Ot, "throwClosedError");
var R = class t {
  static {
    n(this, "QueryImpl");
  }
  constructor(e) {
    Ue(this, "state"), Ue(this, "tableNameForErrorMessages"), this.state = { type: "preparing", query: e }, e.source.type === "FullTableScan" ? this.tableNameForErrorMessages = e.source.tableName : this.tableNameForErrorMessages = e.source.indexName.split(".")[0];
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
    (this.state.type === "closed" || this.state.type === "consumed") && Ot(this.state.type);
    let e = this.state.query, { queryId: r } = N("1.0/queryStream", { query: e, version: w });
    return this.state = { type: "executing", queryId: r }, r;
  }
  closeQuery() {
    if (this.state.type === "executing") {
      let e = this.state.queryId;
      N("1.0/queryCleanup", { queryId: e });
    }
    this.state = { type: "consumed" };
  }
  order(e) {
    f(e, 1, "order", "order");
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
    f(e, 1, "filter", "predicate");
    let r = this.takeQuery();
    if (r.operators.length >= Tt)
      throw new Error(
        `Can't construct query with more than ${Tt} operators`
      );
    return r.operators.push({
      filter: d(e(Et))
    }), new t(r);
  }
  limit(e) {
    f(e, 1, "limit", "n");
    let r = this.takeQuery();
    return r.operators.push({ limit: e }), new t(r);
  }
  [Symbol.asyncIterator]() {
    return this.startQuery(), this;
  }
  async next() {
    (this.state.type === "closed" || this.state.type === "consumed") && Ot(this.state.type);
    let e = this.state.type === "preparing" ? this.startQuery() : this.state.queryId, { value: r, done: o } = await l("1.0/queryStreamNext", {
      queryId: e
    });
    return o && this.closeQuery(), { value: h(r), done: o };
  }
  return() {
    return this.closeQuery(), Promise.resolve({ done: !0, value: void 0 });
  }
  async paginate(e) {
    if (f(e, 1, "paginate", "options"), typeof e?.numItems != "number" || e.numItems < 0)
      throw new Error(
        `\`options.numItems\` must be a positive number. Received \`${e?.numItems}\`.`
      );
    let r = this.takeQuery(), o = e.numItems, s = e.cursor, i = e?.endCursor ?? null, a = e.maximumRowsRead ?? null, { page: u, isDone: p, continueCursor: x, splitCursor: J, pageStatus: Oe } = await l("1.0/queryPage", {
      query: r,
      cursor: s,
      endCursor: i,
      pageSize: o,
      maximumRowsRead: a,
      maximumBytesRead: e.maximumBytesRead,
      version: w
    });
    return {
      page: u.map((Wt) => h(Wt)),
      isDone: p,
      continueCursor: x,
      splitCursor: J,
      pageStatus: Oe
    };
  }
  async collect() {
    let e = [];
    for await (let r of this)
      e.push(r);
    return e;
  }
  async take(e) {
    return f(e, 1, "take", "n"), gt(e, 1, "take", "n"), this.limit(e).collect();
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

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/database_impl.js
async function Ve(t, e, r) {
  if (f(e, 1, "get", "id"), typeof e != "string")
    throw new Error(
      `Invalid argument \`id\` for \`db.get\`, expected string but got '${typeof e}': ${e}`
    );
  let o = {
    id: m(e),
    isSystem: r,
    version: w,
    table: t
  }, s = await l("1.0/get", o);
  return h(s);
}
n(Ve, "get");
function Qe() {
  let t = /* @__PURE__ */ n((s = !1) => ({
    get: /* @__PURE__ */ n(async (i, a) => a !== void 0 ? await Ve(i, a, s) : await Ve(void 0, i, s), "get"),
    query: /* @__PURE__ */ n((i) => new G(i, s).query(), "query"),
    normalizeId: /* @__PURE__ */ n((i, a) => {
      f(i, 1, "normalizeId", "tableName"), f(a, 2, "normalizeId", "id");
      let u = i.startsWith("_");
      if (u !== s)
        throw new Error(
          `${u ? "System" : "User"} tables can only be accessed from db.${s ? "" : "system."}normalizeId().`
        );
      let p = N("1.0/db/normalizeId", {
        table: i,
        idString: a
      });
      return h(p).id;
    }, "normalizeId"),
    // We set the system reader on the next line
    system: null,
    table: /* @__PURE__ */ n((i) => new G(i, s), "table")
  }), "reader"), { system: e, ...r } = t(!0), o = t();
  return o.system = r, o;
}
n(Qe, "setupReader");
async function _t(t, e) {
  if (t.startsWith("_"))
    throw new Error("System tables (prefixed with `_`) are read-only.");
  f(t, 1, "insert", "table"), f(e, 2, "insert", "value");
  let r = await l("1.0/insert", {
    table: t,
    value: m(e)
  });
  return h(r)._id;
}
n(_t, "insert");
async function ke(t, e, r) {
  f(e, 1, "patch", "id"), f(r, 2, "patch", "value"), await l("1.0/shallowMerge", {
    id: m(e),
    value: dt(r),
    table: t
  });
}
n(ke, "patch");
async function Je(t, e, r) {
  f(e, 1, "replace", "id"), f(r, 2, "replace", "value"), await l("1.0/replace", {
    id: m(e),
    value: m(r),
    table: t
  });
}
n(Je, "replace");
async function Le(t, e) {
  f(e, 1, "delete", "id"), await l("1.0/remove", {
    id: m(e),
    table: t
  });
}
n(Le, "delete_");
function It() {
  let t = Qe();
  return {
    get: t.get,
    query: t.query,
    normalizeId: t.normalizeId,
    system: t.system,
    insert: /* @__PURE__ */ n(async (e, r) => await _t(e, r), "insert"),
    patch: /* @__PURE__ */ n(async (e, r, o) => o !== void 0 ? await ke(e, r, o) : await ke(void 0, e, r), "patch"),
    replace: /* @__PURE__ */ n(async (e, r, o) => o !== void 0 ? await Je(e, r, o) : await Je(void 0, e, r), "replace"),
    delete: /* @__PURE__ */ n(async (e, r) => r !== void 0 ? await Le(e, r) : await Le(void 0, e), "delete"),
    table: /* @__PURE__ */ n((e) => new De(e, !1), "table"),
    vars: {
      commitTs: Ne
    }
  };
}
n(It, "setupWriter");
var G = class {
  static {
    n(this, "TableReader");
  }
  constructor(e, r) {
    this.tableName = e, this.isSystem = r;
  }
  async get(e) {
    return Ve(this.tableName, e, this.isSystem);
  }
  query() {
    let e = this.tableName.startsWith("_");
    if (e !== this.isSystem)
      throw new Error(
        `${e ? "System" : "User"} tables can only be accessed from db.${this.isSystem ? "" : "system."}query().`
      );
    return new U(this.tableName);
  }
}, De = class extends G {
  static {
    n(this, "TableWriter");
  }
  async insert(e) {
    return _t(this.tableName, e);
  }
  async patch(e, r) {
    return ke(this.tableName, e, r);
  }
  async replace(e, r) {
    return Je(this.tableName, e, r);
  }
  async delete(e) {
    return Le(this.tableName, e);
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/scheduler_impl.js
function $t() {
  return {
    runAfter: /* @__PURE__ */ n(async (t, e, r) => {
      let o = Ct(t, e, r);
      return await l("1.0/schedule", o);
    }, "runAfter"),
    runAt: /* @__PURE__ */ n(async (t, e, r) => {
      let o = Pt(
        t,
        e,
        r
      );
      return await l("1.0/schedule", o);
    }, "runAt"),
    cancel: /* @__PURE__ */ n(async (t) => {
      f(t, 1, "cancel", "id");
      let e = { id: m(t) };
      await l("1.0/cancel_job", e);
    }, "cancel")
  };
}
n($t, "setupMutationScheduler");
function He(t) {
  return {
    runAfter: /* @__PURE__ */ n(async (e, r, o) => {
      let s = {
        requestId: t,
        ...Ct(e, r, o)
      };
      return await l("1.0/actions/schedule", s);
    }, "runAfter"),
    runAt: /* @__PURE__ */ n(async (e, r, o) => {
      let s = {
        requestId: t,
        ...Pt(e, r, o)
      };
      return await l("1.0/actions/schedule", s);
    }, "runAt"),
    cancel: /* @__PURE__ */ n(async (e) => {
      f(e, 1, "cancel", "id");
      let r = {
        requestId: t,
        id: m(e)
      };
      return await l("1.0/actions/cancel_job", r);
    }, "cancel")
  };
}
n(He, "setupActionScheduler");
function Ct(t, e, r) {
  if (typeof t != "number")
    throw new Error("`delayMs` must be a number");
  if (!isFinite(t))
    throw new Error("`delayMs` must be a finite number");
  if (t < 0)
    throw new Error("`delayMs` must be non-negative");
  let o = O(r), s = v(e), i = (Date.now() + t) / 1e3;
  return {
    ...s,
    ts: i,
    args: m(o),
    version: w
  };
}
n(Ct, "runAfterSyscallArgs");
function Pt(t, e, r) {
  let o;
  if (t instanceof Date)
    o = t.valueOf() / 1e3;
  else if (typeof t == "number")
    o = t / 1e3;
  else
    throw new Error("The invoke time must a Date or a timestamp");
  let s = v(e), i = O(r);
  return {
    ...s,
    ts: o,
    args: m(i),
    version: w
  };
}
n(Pt, "runAtSyscallArgs");

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/storage_impl.js
function ze(t) {
  return {
    getUrl: /* @__PURE__ */ n(async (e) => (f(e, 1, "getUrl", "storageId"), await l("1.0/storageGetUrl", {
      requestId: t,
      version: w,
      storageId: e
    })), "getUrl"),
    getMetadata: /* @__PURE__ */ n(async (e) => await l("1.0/storageGetMetadata", {
      requestId: t,
      version: w,
      storageId: e
    }), "getMetadata")
  };
}
n(ze, "setupStorageReader");
function We(t) {
  let e = ze(t);
  return {
    generateUploadUrl: /* @__PURE__ */ n(async () => await l("1.0/storageGenerateUploadUrl", {
      requestId: t,
      version: w
    }), "generateUploadUrl"),
    delete: /* @__PURE__ */ n(async (r) => {
      await l("1.0/storageDelete", {
        requestId: t,
        version: w,
        storageId: r
      });
    }, "delete"),
    store: /* @__PURE__ */ n(async (r, o) => {
      if (!(r instanceof Blob))
        throw new Error(
          "store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input."
        );
      let s = new Uint8Array(await r.arrayBuffer());
      return await l("1.0/storageStore", {
        requestId: t,
        version: w,
        blob: $(s),
        contentType: r.type,
        sha256: o?.sha256
      });
    }, "store"),
    get: /* @__PURE__ */ n(async (r) => {
      let o = await l("1.0/storageGet", {
        requestId: t,
        version: w,
        storageId: r
      });
      return o === null ? null : new Blob([I(o.blob)], {
        type: o.contentType ?? ""
      });
    }, "get"),
    getUrl: e.getUrl,
    getMetadata: e.getMetadata
  };
}
n(We, "setupStorageWriter");
function Ge(t) {
  return {
    ...We(t),
    store: /* @__PURE__ */ n(async (r, o) => await j("storage/storeBlob", {
      requestId: t,
      version: w,
      blob: r,
      options: o
    }), "store"),
    get: /* @__PURE__ */ n(async (r) => await j("storage/getBlob", {
      requestId: t,
      version: w,
      storageId: r
    }), "get")
  };
}
n(Ge, "setupStorageActionWriter");

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/meta_impl.js
async function Nt() {
  let t;
  try {
    t = await l("1.0/getTransactionMetrics", {});
  } catch (e) {
    throw e.message?.includes("Unknown async operation") ? new Error(
      "getTransactionMetrics() can only be called from a query or mutation. It is not available in actions or outside of a Convex function."
    ) : e;
  }
  return h(t);
}
n(Nt, "getTransactionMetrics");
async function Xe() {
  let { name: t, componentPath: e } = await l(
    "1.0/getFunctionMetadata",
    {}
  );
  return {
    name: t,
    componentPath: e
  };
}
n(Xe, "getFunctionMetadata");
async function Ye() {
  let t = await l(
    "1.0/getDeploymentMetadata",
    {}
  ), e = h(t);
  return {
    name: e.name,
    region: e.region ?? null,
    class: e.class
  };
}
n(Ye, "getDeploymentMetadata");
function jt() {
  let t = N("1.0/getSnapshotTs", {});
  return h(t);
}
n(jt, "getSnapshotTs");
async function Rt() {
  let { ip: t, userAgent: e, requestId: r, scheduledFunctionId: o, authToken: s } = await l("1.0/getRequestMetadata", {});
  return { ip: t, userAgent: e, requestId: r, scheduledFunctionId: o, authToken: s };
}
n(Rt, "getRequestMetadata");
function Ft(t) {
  return {
    getFunctionMetadata: /* @__PURE__ */ n(async () => ({
      ...await Xe(),
      type: "query",
      visibility: t
    }), "getFunctionMetadata"),
    getTransactionMetrics: Nt,
    getDeploymentMetadata: Ye,
    getSnapshotTs: jt
  };
}
n(Ft, "setupQueryMeta");
function qt(t) {
  return {
    getFunctionMetadata: /* @__PURE__ */ n(async () => ({
      ...await Xe(),
      type: "mutation",
      visibility: t
    }), "getFunctionMetadata"),
    getTransactionMetrics: Nt,
    getDeploymentMetadata: Ye,
    getRequestMetadata: Rt,
    getSnapshotTs: jt
  };
}
n(qt, "setupMutationMeta");
function Ke(t) {
  return {
    getFunctionMetadata: /* @__PURE__ */ n(async () => ({
      ...await Xe(),
      type: "action",
      visibility: t
    }), "getFunctionMetadata"),
    getDeploymentMetadata: Ye,
    getRequestMetadata: Rt
  };
}
n(Ke, "setupActionMeta");

// ../../../test/e2e/node_modules/convex/dist/esm/server/impl/registration_impl.js
async function Mt(t, e, r) {
  let s = h(JSON.parse(e)), i = {
    db: It(),
    auth: bt(""),
    storage: We(""),
    scheduler: $t(),
    meta: qt(r),
    runQuery: /* @__PURE__ */ n((u, p, x) => x?.useStaleSnapshot ? ve("snapshotQuery", u, p, x?.transactionLimits) : ve("query", u, p, x?.transactionLimits), "runQuery"),
    runMutation: /* @__PURE__ */ n((u, p, x) => ve("mutation", u, p, x?.transactionLimits), "runMutation")
  }, a = await Ee(t, i, s);
  return Bt(a), JSON.stringify(m(a === void 0 ? null : a));
}
n(Mt, "invokeMutation");
function Bt(t) {
  if (t instanceof U || t instanceof R)
    throw new Error(
      "Return value is a Query. Results must be retrieved with `.collect()`, `.take(n), `.unique()`, or `.first()`."
    );
}
n(Bt, "validateReturnValue");
async function Ee(t, e, r) {
  let o;
  try {
    o = await Promise.resolve(t(e, ...r));
  } catch (s) {
    throw Br(s);
  }
  return o;
}
n(Ee, "invokeFunction");
function V(t, e) {
  return (r, o) => (globalThis.console.warn(
    `Convex functions should not directly call other Convex functions. Consider calling a helper function instead. e.g. \`export const foo = ${t}(...); await foo(ctx);\` is not supported. See https://docs.convex.dev/production/best-practices/#use-helper-functions-to-write-shared-code`
  ), e(r, o));
}
n(V, "dontCallDirectly");
function Br(t) {
  if (typeof t == "object" && t !== null && Symbol.for("ConvexError") in t) {
    let e = t;
    return e.data = JSON.stringify(
      m(e.data === void 0 ? null : e.data)
    ), e.ConvexErrorSymbol = Symbol.for("ConvexError"), e;
  } else
    return t;
}
n(Br, "serializeConvexErrorData");
function k() {
  if (typeof window > "u" || window.__convexAllowFunctionsInBrowser)
    return;
  (Object.getOwnPropertyDescriptor(globalThis, "window")?.get?.toString().includes("[native code]") ?? !1) && console.error(
    "Convex functions should not be imported in the browser. This will throw an error in future versions of `convex`. If this is a false negative, please report it to Convex support."
  );
}
n(k, "assertNotBrowser");
function Ut(t, e) {
  if (e === void 0)
    throw new Error(
      `A validator is undefined for field "${t}". This is often caused by circular imports. See https://docs.convex.dev/error#undefined-validator for details.`
    );
  return e;
}
n(Ut, "strictReplacer");
function X(t) {
  return () => {
    let e = c.any();
    return typeof t == "object" && t.args !== void 0 && (e = pe(t.args)), JSON.stringify(e.json, Ut);
  };
}
n(X, "exportArgs");
function Y(t) {
  return () => {
    let e;
    return typeof t == "object" && t.returns !== void 0 && (e = pe(t.returns)), JSON.stringify(e ? e.json : null, Ut);
  };
}
n(Y, "exportReturns");
var Ur = /* @__PURE__ */ n(((t) => {
  let e = typeof t == "function" ? t : t.handler, r = V("mutation", e);
  return k(), r.isMutation = !0, r.isPublic = !0, r.invokeMutation = (o) => Mt(e, o, "public"), r.exportArgs = X(t), r.exportReturns = Y(t), r._handler = e, r;
}), "mutationGeneric"), Vr = /* @__PURE__ */ n(((t) => {
  let e = typeof t == "function" ? t : t.handler, r = V(
    "internalMutation",
    e
  );
  return k(), r.isMutation = !0, r.isInternal = !0, r.invokeMutation = (o) => Mt(e, o, "internal"), r.exportArgs = X(t), r.exportReturns = Y(t), r._handler = e, r;
}), "internalMutationGeneric");
async function Vt(t, e, r) {
  let s = h(JSON.parse(e)), i = {
    db: Qe(),
    auth: W(""),
    storage: ze(""),
    meta: Ft(r),
    runQuery: /* @__PURE__ */ n((u, p, x) => {
      if (x?.useStaleSnapshot)
        throw new Error(
          "`useStaleSnapshot` is only supported in mutations, not queries."
        );
      return ve("query", u, p, x?.transactionLimits);
    }, "runQuery")
  }, a = await Ee(t, i, s);
  return Bt(a), JSON.stringify(m(a === void 0 ? null : a));
}
n(Vt, "invokeQuery");
var kr = /* @__PURE__ */ n(((t) => {
  let e = typeof t == "function" ? t : t.handler, r = V("query", e);
  return k(), r.isQuery = !0, r.isPublic = !0, r.invokeQuery = (o) => Vt(e, o, "public"), r.exportArgs = X(t), r.exportReturns = Y(t), r._handler = e, r;
}), "queryGeneric"), Jr = /* @__PURE__ */ n(((t) => {
  let e = typeof t == "function" ? t : t.handler, r = V("internalQuery", e);
  return k(), r.isQuery = !0, r.isInternal = !0, r.invokeQuery = (o) => Vt(e, o, "internal"), r.exportArgs = X(t), r.exportReturns = Y(t), r._handler = e, r;
}), "internalQueryGeneric");
async function Lr(t, e, r, o) {
  let s = h(JSON.parse(r)), a = {
    ...Fe(e),
    auth: W(e),
    scheduler: He(e),
    storage: Ge(e),
    vectorSearch: Be(e),
    meta: Ke(o)
  }, u = await Ee(t, a, s);
  return JSON.stringify(m(u === void 0 ? null : u));
}
n(Lr, "invokeAction");
var Dr = /* @__PURE__ */ n(((t) => {
  let e = typeof t == "function" ? t : t.handler, r = V("action", e);
  return k(), r.isAction = !0, r.isPublic = !0, r.invokeAction = (o, s) => Lr(e, o, s, "public"), r.exportArgs = X(t), r.exportReturns = Y(t), r._handler = e, r;
}), "actionGeneric");
async function Qr(t, e) {
  let s = {
    ...Fe(""),
    auth: W(""),
    storage: Ge(""),
    scheduler: He(""),
    vectorSearch: Be(""),
    meta: Ke("public")
  };
  return await Ee(t, s, [e]);
}
n(Qr, "invokeHttpAction");
var Hr = /* @__PURE__ */ n((t) => {
  let e = V("httpAction", t);
  return k(), e.isHttp = !0, e.invokeHttpAction = (r) => Qr(t, r), e._handler = t, e;
}, "httpActionGeneric");
async function ve(t, e, r, o) {
  let s = O(r), i = {
    udfType: t,
    args: m(s),
    ...v(e)
  };
  o && (i.transactionLimits = o);
  let a = await l("1.0/runUdf", i);
  return h(a);
}
n(ve, "runUdf");

// ../../../test/e2e/node_modules/convex/dist/esm/server/api.js
function Ze(t) {
  let e = v(t);
  if (e.name === void 0)
    throw e.functionHandle !== void 0 ? new Error(
      `Expected function reference like "api.file.func" or "internal.file.func", but received function handle ${e.functionHandle}`
    ) : e.reference !== void 0 ? new Error(
      `Expected function reference in the current component like "api.file.func" or "internal.file.func", but received reference ${e.reference}`
    ) : new Error(
      `Expected function reference like "api.file.func" or "internal.file.func", but received ${JSON.stringify(e)}`
    );
  if (typeof t == "string") return t;
  let r = t[M];
  if (!r)
    throw new Error(`${t} is not a functionReference`);
  return r;
}
n(Ze, "getFunctionName");
function kt(t = []) {
  let e = {
    get(r, o) {
      if (typeof o == "string") {
        let s = [...t, o];
        return kt(s);
      } else if (o === M) {
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
n(kt, "createApi");
var zr = kt();

// ../../../test/e2e/node_modules/convex/dist/esm/server/cron.js
var Wr = Object.defineProperty, Gr = /* @__PURE__ */ n((t, e, r) => e in t ? Wr(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), Jt = /* @__PURE__ */ n((t, e, r) => Gr(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), Xr = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday"
], Yr = /* @__PURE__ */ n(() => new rt(), "cronJobs");
function et(t) {
  if (!Number.isInteger(t) || t <= 0)
    throw new Error("Interval must be an integer greater than 0");
}
n(et, "validateIntervalNumber");
function Kr(t) {
  if (!Number.isInteger(t) || t < 1 || t > 31)
    throw new Error("Day of month must be an integer from 1 to 31");
  return t;
}
n(Kr, "validatedDayOfMonth");
function Zr(t) {
  if (!Xr.includes(t))
    throw new Error('Day of week must be a string like "monday".');
  return t;
}
n(Zr, "validatedDayOfWeek");
function tt(t) {
  if (!Number.isInteger(t) || t < 0 || t > 23)
    throw new Error("Hour of day must be an integer from 0 to 23");
  return t;
}
n(tt, "validatedHourOfDay");
function en(t) {
  if (!Number.isInteger(t) || t < 0 || t > 59)
    throw new Error("Minute of hour must be an integer from 0 to 59");
  return t;
}
n(en, "validatedMinuteOfHour");
function Ae(t) {
  return t === void 0 ? void 0 : en(t);
}
n(Ae, "validatedOptionalMinuteOfHour");
function tn(t) {
  try {
    return v(t), !0;
  } catch {
    return !1;
  }
}
n(tn, "isSchedulableFunctionReference");
function rn(t) {
  if (!t.match(/^[ -~]*$/))
    throw new Error(
      `Invalid cron identifier ${t}: use ASCII letters that are not control characters`
    );
  return t;
}
n(rn, "validatedCronIdentifier");
var rt = class {
  static {
    n(this, "Crons");
  }
  constructor() {
    Jt(this, "crons"), Jt(this, "isCrons"), this.isCrons = !0, this.crons = {};
  }
  /** @internal */
  schedule(e, r, o, s) {
    let i = O(s);
    if (rn(e), e in this.crons)
      throw new Error(`Cron identifier registered twice: ${e}`);
    this.crons[e] = {
      name: Ze(o),
      args: [m(i)],
      schedule: r
    };
  }
  /**
   * Schedule a mutation or action to run at some interval.
   *
   * ```js
   * crons.interval("Clear presence data", {seconds: 30}, api.presence.clear);
   * ```
   *
   * @param identifier - A unique name for this scheduled job.
   * @param schedule - The time between runs for this scheduled job.
   * @param functionReference - A {@link FunctionReference} or
   * {@link FunctionReference_future} for the function to schedule.
   * @param args - The arguments to the function.
   */
  interval(e, r, o, ...s) {
    let i = r, a = +("seconds" in i && i.seconds !== void 0), u = +("minutes" in i && i.minutes !== void 0), p = +("hours" in i && i.hours !== void 0);
    if (a + u + p !== 1)
      throw new Error("Must specify one of seconds, minutes, or hours");
    a ? et(r.seconds) : u ? et(r.minutes) : p && et(r.hours), this.schedule(
      e,
      { ...r, type: "interval" },
      o,
      ...s
    );
  }
  hourly(e, r, o, ...s) {
    if (tn(r)) {
      this.schedule(
        e,
        { type: "hourly" },
        r,
        o
      );
      return;
    }
    let i = Ae(
      r.minuteUTC
    );
    this.schedule(
      e,
      i === void 0 ? { type: "hourly" } : { minuteUTC: i, type: "hourly" },
      o,
      ...s
    );
  }
  /**
   * Schedule a mutation or action to run on a daily basis.
   *
   * ```js
   * crons.daily(
   *   "Reset high scores",
   *   {
   *     hourUTC: 17, // (9:30am Pacific/10:30am Daylight Savings Pacific)
   *     minuteUTC: 30,
   *   },
   *   api.scores.reset
   * )
   * ```
   *
   * @param cronIdentifier - A unique name for this scheduled job.
   * @param schedule - What time (UTC) each day to run this function.
   * @param functionReference - A {@link FunctionReference} or
   * {@link FunctionReference_future} for the function to schedule.
   * @param args - The arguments to the function.
   */
  daily(e, r, o, ...s) {
    let i = tt(r.hourUTC), a = Ae(r.minuteUTC);
    this.schedule(
      e,
      a === void 0 ? { hourUTC: i, type: "daily" } : { hourUTC: i, minuteUTC: a, type: "daily" },
      o,
      ...s
    );
  }
  /**
   * Schedule a mutation or action to run on a weekly basis.
   *
   * ```js
   * crons.weekly(
   *   "Weekly re-engagement email",
   *   {
   *     dayOfWeek: "Tuesday",
   *     hourUTC: 17, // (9:30am Pacific/10:30am Daylight Savings Pacific)
   *     minuteUTC: 30,
   *   },
   *   api.emails.send
   * )
   * ```
   *
   * @param cronIdentifier - A unique name for this scheduled job.
   * @param schedule - What day and time (UTC) each week to run this function.
   * @param functionReference - A {@link FunctionReference} or
   * {@link FunctionReference_future} for the function to schedule.
   */
  weekly(e, r, o, ...s) {
    let i = Zr(r.dayOfWeek), a = tt(r.hourUTC), u = Ae(r.minuteUTC);
    this.schedule(
      e,
      u === void 0 ? { dayOfWeek: i, hourUTC: a, type: "weekly" } : { dayOfWeek: i, hourUTC: a, minuteUTC: u, type: "weekly" },
      o,
      ...s
    );
  }
  /**
   * Schedule a mutation or action to run on a monthly basis.
   *
   * Note that some months have fewer days than others, so e.g. a function
   * scheduled to run on the 30th will not run in February.
   *
   * ```js
   * crons.monthly(
   *   "Bill customers at ",
   *   {
   *     hourUTC: 17, // (9:30am Pacific/10:30am Daylight Savings Pacific)
   *     minuteUTC: 30,
   *     day: 1,
   *   },
   *   api.billing.billCustomers
   * )
   * ```
   *
   * @param cronIdentifier - A unique name for this scheduled job.
   * @param schedule - What day and time (UTC) each month to run this function.
   * @param functionReference - A {@link FunctionReference} or
   * {@link FunctionReference_future} for the function to schedule.
   * @param args - The arguments to the function.
   */
  monthly(e, r, o, ...s) {
    let i = Kr(r.day), a = tt(r.hourUTC), u = Ae(r.minuteUTC);
    this.schedule(
      e,
      u === void 0 ? { day: i, hourUTC: a, type: "monthly" } : { day: i, hourUTC: a, minuteUTC: u, type: "monthly" },
      o,
      ...s
    );
  }
  /**
   * Schedule a mutation or action to run on a recurring basis.
   *
   * Like the unix command `cron`, Sunday is 0, Monday is 1, etc.
   *
   * ```
   *  ┌─ minute (0 - 59)
   *  │ ┌─ hour (0 - 23)
   *  │ │ ┌─ day of the month (1 - 31)
   *  │ │ │ ┌─ month (1 - 12)
   *  │ │ │ │ ┌─ day of the week (0 - 6) (Sunday to Saturday)
   * "* * * * *"
   * ```
   *
   * @param cronIdentifier - A unique name for this scheduled job.
   * @param cron - Cron string like `"15 7 * * *"` (Every day at 7:15 UTC)
   * @param functionReference - A {@link FunctionReference} or
   * {@link FunctionReference_future} for the function to schedule.
   * @param args - The arguments to the function.
   */
  cron(e, r, o, ...s) {
    let i = r;
    this.schedule(
      e,
      { cron: i, type: "cron" },
      o,
      ...s
    );
  }
  /** @internal */
  export() {
    return JSON.stringify(this.crons);
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/router.js
var nn = Object.defineProperty, on = /* @__PURE__ */ n((t, e, r) => e in t ? nn(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), F = /* @__PURE__ */ n((t, e, r) => on(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), Lt = [
  "GET",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "PATCH"
];
function sn(t) {
  return t === "HEAD" ? "GET" : t;
}
n(sn, "normalizeMethod");
var an = /* @__PURE__ */ n(() => new Se(), "httpRouter"), Se = class {
  static {
    n(this, "HttpRouter");
  }
  constructor() {
    F(this, "exactRoutes", /* @__PURE__ */ new Map()), F(this, "prefixRoutes", /* @__PURE__ */ new Map()), F(this, "isRouter", !0), F(this, "route", (e) => {
      if (!e.handler) throw new Error("route requires handler");
      if (!e.method) throw new Error("route requires method");
      let { method: r, handler: o } = e;
      if (!Lt.includes(r))
        throw new Error(
          `'${r}' is not an allowed HTTP method (like GET, POST, PUT etc.)`
        );
      if ("path" in e) {
        if ("pathPrefix" in e)
          throw new Error(
            "Invalid httpRouter route: cannot contain both 'path' and 'pathPrefix'"
          );
        if (!e.path.startsWith("/"))
          throw new Error(`path '${e.path}' does not start with a /`);
        if (e.path.startsWith("/.files/") || e.path === "/.files")
          throw new Error(`path '${e.path}' is reserved`);
        let s = this.exactRoutes.has(e.path) ? this.exactRoutes.get(e.path) : /* @__PURE__ */ new Map();
        if (s.has(r))
          throw new Error(
            `Path '${e.path}' for method ${r} already in use`
          );
        s.set(r, o), this.exactRoutes.set(e.path, s);
      } else if ("pathPrefix" in e) {
        if (!e.pathPrefix.startsWith("/"))
          throw new Error(
            `pathPrefix '${e.pathPrefix}' does not start with a /`
          );
        if (!e.pathPrefix.endsWith("/"))
          throw new Error(`pathPrefix ${e.pathPrefix} must end with a /`);
        if (e.pathPrefix.startsWith("/.files/"))
          throw new Error(`pathPrefix '${e.pathPrefix}' is reserved`);
        let s = this.prefixRoutes.get(r) || /* @__PURE__ */ new Map();
        if (s.has(e.pathPrefix))
          throw new Error(
            `${e.method} pathPrefix ${e.pathPrefix} is already defined`
          );
        s.set(e.pathPrefix, o), this.prefixRoutes.set(r, s);
      } else
        throw new Error(
          "Invalid httpRouter route entry: must contain either field 'path' or 'pathPrefix'"
        );
    }), F(this, "getRoutes", () => {
      let r = [...this.exactRoutes.keys()].sort().flatMap(
        (i) => [...this.exactRoutes.get(i).keys()].sort().map(
          (a) => [i, a, this.exactRoutes.get(i).get(a)]
        )
      ), s = [...this.prefixRoutes.keys()].sort().flatMap(
        (i) => [...this.prefixRoutes.get(i).keys()].sort().map(
          (a) => [
            `${a}*`,
            i,
            this.prefixRoutes.get(i).get(a)
          ]
        )
      );
      return [...r, ...s];
    }), F(this, "lookup", (e, r) => {
      r = sn(r);
      let o = this.exactRoutes.get(e)?.get(r);
      if (o) return [o, r, e];
      let i = [...(this.prefixRoutes.get(r) || /* @__PURE__ */ new Map()).entries()].sort(
        ([a, u], [p, x]) => p.length - a.length
      );
      for (let [a, u] of i)
        if (e.startsWith(a))
          return [u, r, `${a}*`];
      return null;
    }), F(this, "runRequest", async (e, r) => {
      let o = j("requestFromConvexJson", {
        convexJson: JSON.parse(e)
      }), s = r;
      (!s || typeof s != "string") && (s = new URL(o.url).pathname);
      let i = o.method, a = this.lookup(s, i);
      if (!a) {
        let Oe = new Response(`No HttpAction routed for ${s}`, {
          status: 404
        });
        return JSON.stringify(
          j("convexJsonFromResponse", { response: Oe })
        );
      }
      let [u, p, x] = a, J = await u.invokeHttpAction(o);
      return JSON.stringify(
        j("convexJsonFromResponse", { response: J })
      );
    });
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/pagination.js
var ui = c.object({
  numItems: c.number(),
  cursor: c.union(c.string(), c.null()),
  endCursor: c.optional(c.union(c.string(), c.null())),
  id: c.optional(c.number()),
  maximumRowsRead: c.optional(c.number()),
  maximumBytesRead: c.optional(c.number())
});

// ../../../test/e2e/node_modules/convex/dist/esm/server/logVars.js
var cn = Symbol("var.requestId"), un = Symbol("var.ip"), ln = Symbol("var.userAgent"), fn = Symbol("var.now"), pn = Symbol("var.convexActor"), dn = {
  [cn]: "requestId",
  [un]: "ip",
  [ln]: "userAgent",
  [fn]: "now",
  [pn]: "convexActor"
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/schema.js
var hn = Object.defineProperty, mn = /* @__PURE__ */ n((t, e, r) => e in t ? hn(t, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : t[e] = r, "__defNormalProp"), S = /* @__PURE__ */ n((t, e, r) => mn(t, typeof e != "symbol" ? e + "" : e, r), "__publicField"), Te = class {
  static {
    n(this, "TableDefinition");
  }
  /**
   * @internal
   */
  constructor(e) {
    S(this, "indexes"), S(this, "stagedDbIndexes"), S(this, "searchIndexes"), S(this, "stagedSearchIndexes"), S(this, "vectorIndexes"), S(this, "stagedVectorIndexes"), S(this, "validator"), S(this, "stagedValidator"), this.indexes = [], this.stagedDbIndexes = [], this.searchIndexes = [], this.stagedSearchIndexes = [], this.vectorIndexes = [], this.stagedVectorIndexes = [], this.validator = e;
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
    if (z(e))
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
function nt(t) {
  return z(t) ? new Te(t) : new Te(c.object(t));
}
n(nt, "defineTable");
function Qt(t, e) {
  switch (e.kind) {
    case "object":
      return e.extend({
        _id: c.id(t),
        _creationTime: c.number()
      });
    case "union":
      return c.union(
        ...e.members.map(
          (r) => Qt(t, r)
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
n(Qt, "addSystemFields");
function Ht(t, e) {
  return Qt(t, e.validator);
}
n(Ht, "docValidator");
function Dt(t, e) {
  let r = t.tables[e];
  if (r === void 0)
    throw new Error(
      `Table "${e}" is not in this schema. Tables in this schema: ${Object.keys(
        t.tables
      ).join(", ")}`
    );
  return r;
}
n(Dt, "tableInSchema");
var ot = class {
  static {
    n(this, "SchemaDefinition");
  }
  /**
   * @internal
   */
  constructor(e, r) {
    S(this, "tables"), S(this, "strictTableNameTypes"), S(this, "schemaValidation"), this.tables = e, this.schemaValidation = r?.schemaValidation === void 0 ? !0 : r.schemaValidation;
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
    return Ht(e, Dt(this, e));
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
    return Dt(this, e), c.id(e);
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
          stagedVectorIndexes: p,
          documentType: x,
          stagedDocumentType: J
        } = r.export();
        return {
          tableName: e,
          indexes: o,
          stagedDbIndexes: s,
          searchIndexes: i,
          stagedSearchIndexes: a,
          vectorIndexes: u,
          stagedVectorIndexes: p,
          documentType: x,
          stagedDocumentType: J
        };
      }),
      schemaValidation: this.schemaValidation
    });
  }
};
function zt(t, e) {
  return new ot(t, e);
}
n(zt, "defineSchema");
var Ni = zt({
  _scheduled_functions: nt({
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
  _storage: nt({
    sha256: c.string(),
    size: c.float64(),
    contentType: c.optional(c.string())
  })
});

export {
  n as a,
  yn as b,
  c,
  de as d,
  Ur as e,
  Vr as f,
  kr as g,
  Jr as h,
  Dr as i,
  Hr as j,
  zr as k,
  Yr as l,
  an as m
};
//# sourceMappingURL=7Q3JL4KF.js.map
