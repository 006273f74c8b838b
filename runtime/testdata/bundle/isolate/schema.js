var ve = Object.defineProperty;
var n = (e, t) => ve(e, "name", { value: t, configurable: !0 });

// ../../../test/e2e/node_modules/convex/dist/esm/values/base64.js
var m = [], d = [], Ee = Uint8Array, G = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
for (x = 0, ae = G.length; x < ae; ++x)
  m[x] = G[x], d[G.charCodeAt(x)] = x;
var x, ae;
d[45] = 62;
d[95] = 63;
function Ae(e) {
  var t = e.length;
  if (t % 4 > 0)
    throw new Error("Invalid string. Length must be a multiple of 4");
  var r = e.indexOf("=");
  r === -1 && (r = t);
  var o = r === t ? 0 : 4 - r % 4;
  return [r, o];
}
n(Ae, "getLens");
function Se(e, t, r) {
  return (t + r) * 3 / 4 - r;
}
n(Se, "_byteLength");
function P(e) {
  var t, r = Ae(e), o = r[0], i = r[1], c = new Ee(Se(e, o, i)), a = 0, f = i > 0 ? o - 4 : o, l;
  for (l = 0; l < f; l += 4)
    t = d[e.charCodeAt(l)] << 18 | d[e.charCodeAt(l + 1)] << 12 | d[e.charCodeAt(l + 2)] << 6 | d[e.charCodeAt(l + 3)], c[a++] = t >> 16 & 255, c[a++] = t >> 8 & 255, c[a++] = t & 255;
  return i === 2 && (t = d[e.charCodeAt(l)] << 2 | d[e.charCodeAt(l + 1)] >> 4, c[a++] = t & 255), i === 1 && (t = d[e.charCodeAt(l)] << 10 | d[e.charCodeAt(l + 1)] << 4 | d[e.charCodeAt(l + 2)] >> 2, c[a++] = t >> 8 & 255, c[a++] = t & 255), c;
}
n(P, "toByteArray");
function Te(e) {
  return m[e >> 18 & 63] + m[e >> 12 & 63] + m[e >> 6 & 63] + m[e & 63];
}
n(Te, "tripletToBase64");
function Oe(e, t, r) {
  for (var o, i = [], c = t; c < r; c += 3)
    o = (e[c] << 16 & 16711680) + (e[c + 1] << 8 & 65280) + (e[c + 2] & 255), i.push(Te(o));
  return i.join("");
}
n(Oe, "encodeChunk");
function A(e) {
  for (var t, r = e.length, o = r % 3, i = [], c = 16383, a = 0, f = r - o; a < f; a += c)
    i.push(
      Oe(
        e,
        a,
        a + c > f ? f : a + c
      )
    );
  return o === 1 ? (t = e[r - 1], i.push(m[t >> 2] + m[t << 4 & 63] + "==")) : o === 2 && (t = (e[r - 2] << 8) + e[r - 1], i.push(
    m[t >> 10] + m[t >> 4 & 63] + m[t << 2 & 63] + "="
  )), i.join("");
}
n(A, "fromByteArray");

// ../../../test/e2e/node_modules/convex/dist/esm/common/index.js
function X(e) {
  let t = typeof e == "object", r = Object.getPrototypeOf(e), o = r === null || r === Object.prototype || // Objects generated from other contexts (e.g. across Node.js `vm` modules) will not satisfy the previous
  // conditions but are still simple objects.
  r?.constructor?.name === "Object";
  return t && o;
}
n(X, "isSimpleObject");

// ../../../test/e2e/node_modules/convex/dist/esm/values/value.js
var _e = !0, S = BigInt("-9223372036854775808"), j = BigInt("9223372036854775807"), Z = BigInt("0"), Ie = BigInt("8"), $e = BigInt("256"), Y = "This commit timestamp is unresolved: its value is assigned when the mutation commits. Read the document after the mutation completes to get its value.", v = class {
  static {
    n(this, "CommitTsPlaceholder");
  }
  [Symbol.toPrimitive](t) {
    if (t === "string")
      return this.toString();
    throw new Error(Y);
  }
  valueOf() {
    throw new Error(Y);
  }
  toJSON() {
    throw new Error(Y);
  }
  toString() {
    return "[unresolved commit timestamp]";
  }
}, Ce = new v();
function Pe(e) {
  return Number.isNaN(e) || !Number.isFinite(e) || Object.is(e, -0);
}
n(Pe, "isSpecial");
function Ne(e) {
  e < Z && (e -= S + S);
  let t = e.toString(16);
  t.length % 2 === 1 && (t = "0" + t);
  let r = new Uint8Array(new ArrayBuffer(8)), o = 0;
  for (let i of t.match(/.{2}/g).reverse())
    r.set([parseInt(i, 16)], o++), e >>= Ie;
  return A(r);
}
n(Ne, "slowBigIntToBase64");
function je(e) {
  let t = P(e);
  if (t.byteLength !== 8)
    throw new Error(
      `Received ${t.byteLength} bytes, expected 8 for $integer`
    );
  let r = Z, o = Z;
  for (let i of t)
    r += BigInt(i) * $e ** o, o++;
  return r > j && (r += S + S), r;
}
n(je, "slowBase64ToBigInt");
function Re(e) {
  if (e < S || j < e)
    throw new Error(
      `BigInt ${e} does not fit into a 64-bit signed integer.`
    );
  let t = new ArrayBuffer(8);
  return new DataView(t).setBigInt64(0, e, !0), A(new Uint8Array(t));
}
n(Re, "modernBigIntToBase64");
function Fe(e) {
  let t = P(e);
  if (t.byteLength !== 8)
    throw new Error(
      `Received ${t.byteLength} bytes, expected 8 for $integer`
    );
  return new DataView(t.buffer).getBigInt64(0, !0);
}
n(Fe, "modernBase64ToBigInt");
var qe = DataView.prototype.setBigInt64 ? Re : Ne, ut = DataView.prototype.getBigInt64 ? Fe : je, ue = 1024;
function le(e) {
  if (e.length > ue)
    throw new Error(
      `Field name ${e} exceeds maximum field name length ${ue}.`
    );
  if (e.startsWith("$"))
    throw new Error(`Field name ${e} starts with a '$', which is reserved.`);
  for (let t = 0; t < e.length; t += 1) {
    let r = e.charCodeAt(t);
    if (r < 32 || r >= 127)
      throw new Error(
        `Field name ${e} has invalid character '${e[t]}': Field names can only contain non-control ASCII characters`
      );
  }
}
n(le, "validateObjectField");
var fe = 16384;
function b(e) {
  let t = JSON.stringify(e, (r, o) => o === void 0 ? "undefined" : typeof o == "function" ? "[Function]" : typeof o == "symbol" ? String(o) : typeof o == "bigint" ? `${o.toString()}n` : o);
  if (t.length > fe) {
    let r = "[...truncated]", o = fe - r.length, i = t.codePointAt(o - 1);
    return i !== void 0 && i > 65535 && (o -= 1), t.substring(0, o) + r;
  }
  return t;
}
n(b, "stringifyValueForError");
function N(e, t, r, o) {
  if (e === void 0) {
    let a = r && ` (present at path ${r} in original object ${b(
      t
    )})`;
    throw new Error(
      `undefined is not a valid Convex value${a}. To learn about Convex's supported types, see https://docs.convex.dev/using/types.`
    );
  }
  if (e === null)
    return e;
  if (typeof e == "bigint") {
    if (e < S || j < e)
      throw new Error(
        `BigInt ${e} does not fit into a 64-bit signed integer.`
      );
    return { $integer: qe(e) };
  }
  if (typeof e == "number")
    if (Pe(e)) {
      let a = new ArrayBuffer(8);
      return new DataView(a).setFloat64(0, e, _e), { $float: A(new Uint8Array(a)) };
    } else
      return e;
  if (typeof e == "boolean" || typeof e == "string")
    return e;
  if (e instanceof ArrayBuffer)
    return { $bytes: A(new Uint8Array(e)) };
  if (e instanceof v)
    return { $commitTs: null };
  if (Array.isArray(e))
    return e.map(
      (a, f) => N(a, t, r + `[${f}]`, !1)
    );
  if (e instanceof Set)
    throw new Error(
      K(r, "Set", [...e], t)
    );
  if (e instanceof Map)
    throw new Error(
      K(r, "Map", [...e], t)
    );
  if (!X(e)) {
    let a = e?.constructor?.name, f = a ? `${a} ` : "";
    throw new Error(
      K(r, f, e, t)
    );
  }
  let i = {}, c = Object.entries(e);
  c.sort(([a, f], [l, ie]) => a === l ? 0 : a < l ? -1 : 1);
  for (let [a, f] of c)
    f !== void 0 ? (le(a), i[a] = N(f, t, r + `.${a}`, !1)) : o && (le(a), i[a] = Me(
      f,
      t,
      r + `.${a}`
    ));
  return i;
}
n(N, "convexToJsonInternal");
function K(e, t, r, o) {
  return e ? `${t}${b(
    r
  )} is not a supported Convex type (present at path ${e} in original object ${b(
    o
  )}). To learn about Convex's supported types, see https://docs.convex.dev/using/types.` : `${t}${b(
    r
  )} is not a supported Convex type.`;
}
n(K, "errorMessageForUnsupportedType");
function Me(e, t, r) {
  if (e === void 0)
    return { $undefined: null };
  if (t === void 0)
    throw new Error(
      `Programming error. Current value is ${b(
        e
      )} but original value is undefined`
    );
  return N(e, t, r, !1);
}
n(Me, "convexOrUndefinedToJsonInternal");
function w(e) {
  return N(e, e, "", !1);
}
n(w, "convexToJson");

// ../../../test/e2e/node_modules/convex/dist/esm/values/validators.js
var Be = Object.defineProperty, Ue = /* @__PURE__ */ n((e, t, r) => t in e ? Be(e, t, { enumerable: !0, configurable: !0, writable: !0, value: r }) : e[t] = r, "__defNormalProp"), u = /* @__PURE__ */ n((e, t, r) => Ue(e, typeof t != "symbol" ? t + "" : t, r), "__publicField"), Ve = "https://docs.convex.dev/error#undefined-validator";
function _(e, t) {
  let r = t !== void 0 ? ` for field "${t}"` : "";
  throw new Error(
    `A validator is undefined${r} in ${e}. This is often caused by circular imports. See ${Ve} for details.`
  );
}
n(_, "throwUndefinedValidatorError");
var p = class {
  static {
    n(this, "BaseValidator");
  }
  constructor({ isOptional: t }) {
    u(this, "type"), u(this, "fieldPaths"), u(this, "isOptional"), u(this, "isConvexValidator"), this.isOptional = t, this.isConvexValidator = !0;
  }
}, R = class e extends p {
  static {
    n(this, "VId");
  }
  /**
   * Usually you'd use `v.id(tableName)` instead.
   */
  constructor({
    isOptional: t,
    tableName: r
  }) {
    if (super({ isOptional: t }), u(this, "tableName"), u(this, "kind", "id"), typeof r != "string")
      throw new Error("v.id(tableName) requires a string");
    this.tableName = r;
  }
  /** @internal */
  get json() {
    return { type: "id", tableName: this.tableName };
  }
  /** Allow this field to be validated as absent. */
  optional() {
    return new e({
      isOptional: "optional",
      tableName: this.tableName
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, I = class e extends p {
  static {
    n(this, "VFloat64");
  }
  constructor() {
    super(...arguments), u(this, "kind", "float64");
  }
  /** @internal */
  get json() {
    return { type: "number" };
  }
  /** Allow this field to be validated as absent. */
  optional() {
    return new e({
      isOptional: "optional"
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, $ = class e extends p {
  static {
    n(this, "VInt64");
  }
  constructor() {
    super(...arguments), u(this, "kind", "int64");
  }
  /** @internal */
  get json() {
    return { type: "bigint" };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new e({ isOptional: "optional" });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, F = class e extends p {
  static {
    n(this, "VCommitTs");
  }
  constructor() {
    super(...arguments), u(this, "kind", "commitTs");
  }
  /** @internal */
  get json() {
    return { type: this.kind };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new e({
      isOptional: "optional"
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, q = class e extends p {
  static {
    n(this, "VBoolean");
  }
  constructor() {
    super(...arguments), u(this, "kind", "boolean");
  }
  /** @internal */
  get json() {
    return { type: this.kind };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new e({
      isOptional: "optional"
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, M = class e extends p {
  static {
    n(this, "VBytes");
  }
  constructor() {
    super(...arguments), u(this, "kind", "bytes");
  }
  /** @internal */
  get json() {
    return { type: this.kind };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new e({ isOptional: "optional" });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, B = class e extends p {
  static {
    n(this, "VString");
  }
  constructor() {
    super(...arguments), u(this, "kind", "string");
  }
  /** @internal */
  get json() {
    return { type: this.kind };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new e({
      isOptional: "optional"
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, U = class e extends p {
  static {
    n(this, "VNull");
  }
  constructor() {
    super(...arguments), u(this, "kind", "null");
  }
  /** @internal */
  get json() {
    return { type: this.kind };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new e({ isOptional: "optional" });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, V = class e extends p {
  static {
    n(this, "VAny");
  }
  constructor() {
    super(...arguments), u(this, "kind", "any");
  }
  /** @internal */
  get json() {
    return {
      type: this.kind
    };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new e({
      isOptional: "optional"
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, k = class e extends p {
  static {
    n(this, "VObject");
  }
  /**
   * Usually you'd use `v.object({ ... })` instead.
   */
  constructor({
    isOptional: t,
    fields: r
  }) {
    super({ isOptional: t }), u(this, "fields"), u(this, "kind", "object"), globalThis.Object.entries(r).forEach(([o, i]) => {
      if (i === void 0 && _("v.object()", o), !i.isConvexValidator)
        throw new Error("v.object() entries must be validators");
    }), this.fields = r;
  }
  /** @internal */
  get json() {
    return {
      type: this.kind,
      value: globalThis.Object.fromEntries(
        globalThis.Object.entries(this.fields).map(([t, r]) => [
          t,
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
    return new e({
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
  omit(...t) {
    let r = { ...this.fields };
    for (let o of t)
      delete r[o];
    return new e({
      isOptional: this.isOptional,
      fields: r
    });
  }
  /**
   * Create a new VObject with only the specified fields.
   * @param fields The field names to pick from this VObject.
   */
  pick(...t) {
    let r = {};
    for (let o of t)
      r[o] = this.fields[o];
    return new e({
      isOptional: this.isOptional,
      fields: r
    });
  }
  /**
   * Create a new VObject with all fields marked as optional.
   */
  partial() {
    let t = {};
    for (let [r, o] of globalThis.Object.entries(this.fields))
      t[r] = o.asOptional();
    return new e({
      isOptional: this.isOptional,
      fields: t
    });
  }
  /**
   * Create a new VObject with additional fields merged in.
   * @param fields An object with additional validators to merge into this VObject.
   */
  extend(t) {
    return new e({
      isOptional: this.isOptional,
      fields: { ...this.fields, ...t }
    });
  }
}, J = class e extends p {
  static {
    n(this, "VLiteral");
  }
  /**
   * Usually you'd use `v.literal(value)` instead.
   */
  constructor({ isOptional: t, value: r }) {
    if (super({ isOptional: t }), u(this, "value"), u(this, "kind", "literal"), typeof r != "string" && typeof r != "boolean" && typeof r != "number" && typeof r != "bigint")
      throw new Error("v.literal(value) must be a string, number, or boolean");
    this.value = r;
  }
  /** @internal */
  get json() {
    return {
      type: this.kind,
      value: w(this.value)
    };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new e({
      isOptional: "optional",
      value: this.value
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, L = class e extends p {
  static {
    n(this, "VArray");
  }
  /**
   * Usually you'd use `v.array(element)` instead.
   */
  constructor({
    isOptional: t,
    element: r
  }) {
    super({ isOptional: t }), u(this, "element"), u(this, "kind", "array"), r === void 0 && _("v.array()"), this.element = r;
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
    return new e({
      isOptional: "optional",
      element: this.element
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, D = class e extends p {
  static {
    n(this, "VRecord");
  }
  /**
   * Usually you'd use `v.record(key, value)` instead.
   */
  constructor({
    isOptional: t,
    key: r,
    value: o
  }) {
    if (super({ isOptional: t }), u(this, "key"), u(this, "value"), u(this, "kind", "record"), r === void 0 && _("v.record()", "key"), o === void 0 && _("v.record()", "value"), r.isOptional === "optional")
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
    return new e({
      isOptional: "optional",
      key: this.key,
      value: this.value
    });
  }
  /** @internal */
  asOptional() {
    return this.optional();
  }
}, Q = class e extends p {
  static {
    n(this, "VUnion");
  }
  /**
   * Usually you'd use `v.union(...members)` instead.
   */
  constructor({ isOptional: t, members: r }) {
    super({ isOptional: t }), u(this, "members"), u(this, "kind", "union"), r.forEach((o, i) => {
      if (o === void 0 && _("v.union()", `member at index ${i}`), !o.isConvexValidator)
        throw new Error("All members of v.union() must be validators");
    }), this.members = r;
  }
  /** @internal */
  get json() {
    return {
      type: this.kind,
      value: this.members.map((t) => t.json)
    };
  }
  /** Allow this validated field to be absent. */
  optional() {
    return new e({
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
function H(e) {
  return e?.isConvexValidator === !0;
}
n(H, "isValidator");
var s = {
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
  id: /* @__PURE__ */ n((e) => new R({
    isOptional: "required",
    tableName: e
  }), "id"),
  /**
   * Validates that the value is `null`.
   *
   * Use `returns: v.null()` for functions that don't return a meaningful value.
   * JavaScript `undefined` is not a valid Convex value, it is automatically
   * converted to `null`.
   */
  null: /* @__PURE__ */ n(() => new U({ isOptional: "required" }), "null"),
  /**
   * Validates that the value is a JavaScript `number` (Convex Float64).
   *
   * Supports all IEEE-754 double-precision floating point numbers including
   * NaN and Infinity.
   *
   * Alias for `v.float64()`.
   */
  number: /* @__PURE__ */ n(() => new I({ isOptional: "required" }), "number"),
  /**
   * Validates that the value is a JavaScript `number` (Convex Float64).
   *
   * Supports all IEEE-754 double-precision floating point numbers.
   */
  float64: /* @__PURE__ */ n(() => new I({ isOptional: "required" }), "float64"),
  /**
   * @deprecated Use `v.int64()` instead.
   */
  bigint: /* @__PURE__ */ n(() => new $({ isOptional: "required" }), "bigint"),
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
  int64: /* @__PURE__ */ n(() => new $({ isOptional: "required" }), "int64"),
  /**
   * Validates that the value is a commit timestamp: an int64 (`bigint`)
   * assigned from the transaction's commit timestamp.
   *
   * An index on a field with this validator orders documents by commit order.
   * Accepts any int64 value; write `db.vars.commitTs` to have the field
   * resolve to the commit timestamp when the mutation commits.
   */
  commitTs: /* @__PURE__ */ n(() => new F({ isOptional: "required" }), "commitTs"),
  /**
   * Validates that the value is a `boolean`.
   */
  boolean: /* @__PURE__ */ n(() => new q({ isOptional: "required" }), "boolean"),
  /**
   * Validates that the value is a `string`.
   *
   * Strings are stored as UTF-8 and their storage size is calculated as their
   * UTF-8 encoded size.
   */
  string: /* @__PURE__ */ n(() => new B({ isOptional: "required" }), "string"),
  /**
   * Validates that the value is an `ArrayBuffer` (Convex Bytes).
   *
   * Use for binary data.
   */
  bytes: /* @__PURE__ */ n(() => new M({ isOptional: "required" }), "bytes"),
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
  literal: /* @__PURE__ */ n((e) => new J({ isOptional: "required", value: e }), "literal"),
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
  array: /* @__PURE__ */ n((e) => new L({ isOptional: "required", element: e }), "array"),
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
  object: /* @__PURE__ */ n((e) => new k({ isOptional: "required", fields: e }), "object"),
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
  record: /* @__PURE__ */ n((e, t) => new D({
    isOptional: "required",
    key: e,
    value: t
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
  union: /* @__PURE__ */ n((...e) => new Q({
    isOptional: "required",
    members: e
  }), "union"),
  /**
   * A validator that accepts any Convex value without validation.
   *
   * Prefer using specific validators when possible for better type safety
   * and runtime validation.
   */
  any: /* @__PURE__ */ n(() => new V({ isOptional: "required" }), "any"),
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
  optional: /* @__PURE__ */ n((e) => e.asOptional(), "optional"),
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
  nullable: /* @__PURE__ */ n((e) => s.union(e, s.null()), "nullable")
};

// ../../../test/e2e/node_modules/convex/dist/esm/values/errors.js
var ke = Object.defineProperty, Je = /* @__PURE__ */ n((e, t, r) => t in e ? ke(e, t, { enumerable: !0, configurable: !0, writable: !0, value: r }) : e[t] = r, "__defNormalProp"), ee = /* @__PURE__ */ n((e, t, r) => Je(e, typeof t != "symbol" ? t + "" : t, r), "__publicField"), pe, de, Le = Symbol.for("ConvexError"), te = class extends (de = Error, pe = Le, de) {
  static {
    n(this, "ConvexError");
  }
  constructor(t) {
    super(typeof t == "string" ? t : b(t)), ee(this, "name", "ConvexError"), ee(this, "data"), ee(this, pe, !0), this.data = t;
  }
};

// ../../../test/e2e/node_modules/convex/dist/esm/values/compare_utf8.js
var he = /* @__PURE__ */ n(() => Array.from({ length: 4 }, () => 0), "arr"), vt = he(), Et = he();

// ../../../test/e2e/node_modules/convex/dist/esm/server/functionName.js
var re = Symbol.for("functionName");

// ../../../test/e2e/node_modules/convex/dist/esm/server/components/paths.js
var Qe = Symbol.for("toReferencePath");

// ../../../test/e2e/node_modules/convex/dist/esm/server/pagination.js
var uo = s.object({
  numItems: s.number(),
  cursor: s.union(s.string(), s.null()),
  endCursor: s.optional(s.union(s.string(), s.null())),
  id: s.optional(s.number()),
  maximumRowsRead: s.optional(s.number()),
  maximumBytesRead: s.optional(s.number())
});

// ../../../test/e2e/node_modules/convex/dist/esm/server/api.js
function ye(e = []) {
  let t = {
    get(r, o) {
      if (typeof o == "string") {
        let i = [...e, o];
        return ye(i);
      } else if (o === re) {
        if (e.length < 2) {
          let a = ["api", ...e].join(".");
          throw new Error(
            `API path is expected to be of the form \`api.moduleName.functionName\`. Found: \`${a}\``
          );
        }
        let i = e.slice(0, -1).join("/"), c = e[e.length - 1];
        return c === "default" ? i : i + ":" + c;
      } else return o === Symbol.toStringTag ? "FunctionReference" : void 0;
    }
  };
  return new Proxy({}, t);
}
n(ye, "createApi");
var We = ye();

// ../../../test/e2e/node_modules/convex/dist/esm/server/logVars.js
var Xe = Symbol("var.requestId"), Ye = Symbol("var.ip"), Ke = Symbol("var.userAgent"), Ze = Symbol("var.now"), et = Symbol("var.convexActor"), tt = {
  [Xe]: "requestId",
  [Ye]: "ip",
  [Ke]: "userAgent",
  [Ze]: "now",
  [et]: "convexActor"
};

// ../../../test/e2e/node_modules/convex/dist/esm/server/schema.js
var rt = Object.defineProperty, nt = /* @__PURE__ */ n((e, t, r) => t in e ? rt(e, t, { enumerable: !0, configurable: !0, writable: !0, value: r }) : e[t] = r, "__defNormalProp"), h = /* @__PURE__ */ n((e, t, r) => nt(e, typeof t != "symbol" ? t + "" : t, r), "__publicField"), z = class {
  static {
    n(this, "TableDefinition");
  }
  /**
   * @internal
   */
  constructor(t) {
    h(this, "indexes"), h(this, "stagedDbIndexes"), h(this, "searchIndexes"), h(this, "stagedSearchIndexes"), h(this, "vectorIndexes"), h(this, "stagedVectorIndexes"), h(this, "validator"), h(this, "stagedValidator"), this.indexes = [], this.stagedDbIndexes = [], this.searchIndexes = [], this.stagedSearchIndexes = [], this.vectorIndexes = [], this.stagedVectorIndexes = [], this.validator = t;
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
  index(t, r) {
    return Array.isArray(r) ? this.indexes.push({
      indexDescriptor: t,
      fields: r
    }) : r.staged ? this.stagedDbIndexes.push({
      indexDescriptor: t,
      fields: r.fields
    }) : this.indexes.push({
      indexDescriptor: t,
      fields: r.fields
    }), this;
  }
  searchIndex(t, r) {
    return r.staged ? this.stagedSearchIndexes.push({
      indexDescriptor: t,
      searchField: r.searchField,
      filterFields: r.filterFields || []
    }) : this.searchIndexes.push({
      indexDescriptor: t,
      searchField: r.searchField,
      filterFields: r.filterFields || []
    }), this;
  }
  vectorIndex(t, r) {
    return r.staged ? this.stagedVectorIndexes.push({
      indexDescriptor: t,
      vectorField: r.vectorField,
      dimensions: r.dimensions,
      filterFields: r.filterFields || []
    }) : this.vectorIndexes.push({
      indexDescriptor: t,
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
  staged(t) {
    if (this.stagedValidator !== void 0)
      throw new Error("Table cannot have more than one staged validator.");
    if (H(t))
      this.stagedValidator = t;
    else {
      if (this.validator.kind !== "object" && this.validator.kind !== "any")
        throw new Error(
          "Specifying top-level field changes is only supported for simple table definitions. For a table defined with a union or record validator, you must stage a fully defined object or union validator."
        );
      let r = this.validator.kind === "object" ? this.validator.fields : {}, o = Object.fromEntries(
        Object.entries({ ...r, ...t }).filter(
          (i) => i[1] !== void 0
        )
      );
      this.stagedValidator = s.object(o);
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
    let t = this.validator.json;
    if (typeof t != "object")
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
      documentType: t,
      stagedDocumentType: r
    };
  }
};
function C(e) {
  return H(e) ? new z(e) : new z(s.object(e));
}
n(C, "defineTable");
function ge(e, t) {
  switch (t.kind) {
    case "object":
      return t.extend({
        _id: s.id(e),
        _creationTime: s.number()
      });
    case "union":
      return s.union(
        ...t.members.map(
          (r) => ge(e, r)
        )
      );
    // `v.any()` already permits the system fields.
    case "any":
      return t;
    default:
      throw new Error(
        `Invalid validator for table "${e}": a table's documents must be objects, or a union of objects (see https://docs.convex.dev/database/schemas)`
      );
  }
}
n(ge, "addSystemFields");
function xe(e, t) {
  return ge(e, t.validator);
}
n(xe, "docValidator");
function we(e, t) {
  let r = e.tables[t];
  if (r === void 0)
    throw new Error(
      `Table "${t}" is not in this schema. Tables in this schema: ${Object.keys(
        e.tables
      ).join(", ")}`
    );
  return r;
}
n(we, "tableInSchema");
var se = class {
  static {
    n(this, "SchemaDefinition");
  }
  /**
   * @internal
   */
  constructor(t, r) {
    h(this, "tables"), h(this, "strictTableNameTypes"), h(this, "schemaValidation"), this.tables = t, this.schemaValidation = r?.schemaValidation === void 0 ? !0 : r.schemaValidation;
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
  doc(t) {
    return xe(t, we(this, t));
  }
  /**
   * The validator for IDs of a table in this schema.
   *
   * Same as `v.id(tableName)`, but only accepts tables in this schema.
   *
   * @param tableName - The name of a table in this schema.
   * @returns A validator matching IDs of that table.
   */
  id(t) {
    return we(this, t), s.id(t);
  }
  /**
   * Export the contents of this definition.
   *
   * This is called internally by the Convex framework.
   * @internal
   */
  export() {
    return JSON.stringify({
      tables: Object.entries(this.tables).map(([t, r]) => {
        let {
          indexes: o,
          stagedDbIndexes: i,
          searchIndexes: c,
          stagedSearchIndexes: a,
          vectorIndexes: f,
          stagedVectorIndexes: l,
          documentType: ie,
          stagedDocumentType: be
        } = r.export();
        return {
          tableName: t,
          indexes: o,
          stagedDbIndexes: i,
          searchIndexes: c,
          stagedSearchIndexes: a,
          vectorIndexes: f,
          stagedVectorIndexes: l,
          documentType: ie,
          stagedDocumentType: be
        };
      }),
      schemaValidation: this.schemaValidation
    });
  }
};
function W(e, t) {
  return new se(e, t);
}
n(W, "defineSchema");
var Ho = W({
  _scheduled_functions: C({
    name: s.string(),
    args: s.array(s.any()),
    scheduledTime: s.float64(),
    completedTime: s.optional(s.float64()),
    state: s.union(
      s.object({ kind: s.literal("pending") }),
      s.object({ kind: s.literal("inProgress") }),
      s.object({ kind: s.literal("success") }),
      s.object({ kind: s.literal("failed"), error: s.string() }),
      s.object({ kind: s.literal("canceled") })
    )
  }),
  _storage: C({
    sha256: s.string(),
    size: s.float64(),
    contentType: s.optional(s.string())
  })
});

// convex/schema.ts
var js = W({
  messages: C({ body: s.string(), author: s.string() }).index("by_author", ["author"])
});
export {
  js as default
};
