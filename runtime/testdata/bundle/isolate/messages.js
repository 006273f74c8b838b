import {
  a as Ee,
  b as Ie
} from "./_deps/Z5ABNSNX.js";
import "./_deps/4HV7NZJM.js";
import {
  a as o,
  b as We,
  c as w,
  d as ye,
  e as ge,
  f as Ne,
  g as O,
  h as Re,
  i as je
} from "./_deps/7Q3JL4KF.js";

// ../../../test/e2e/node_modules/zod/v3/external.js
var we = {};
We(we, {
  BRAND: () => gt,
  DIRTY: () => B,
  EMPTY_PATH: () => Ge,
  INVALID: () => m,
  NEVER: () => tr,
  OK: () => b,
  ParseStatus: () => k,
  Schema: () => _,
  ZodAny: () => L,
  ZodArray: () => P,
  ZodBigInt: () => W,
  ZodBoolean: () => q,
  ZodBranded: () => pe,
  ZodCatch: () => se,
  ZodDate: () => J,
  ZodDefault: () => re,
  ZodDiscriminatedUnion: () => xe,
  ZodEffects: () => R,
  ZodEnum: () => ee,
  ZodError: () => T,
  ZodFirstPartyTypeKind: () => y,
  ZodFunction: () => be,
  ZodIntersection: () => Q,
  ZodIssueCode: () => d,
  ZodLazy: () => X,
  ZodLiteral: () => K,
  ZodMap: () => ue,
  ZodNaN: () => fe,
  ZodNativeEnum: () => te,
  ZodNever: () => j,
  ZodNull: () => G,
  ZodNullable: () => Z,
  ZodNumber: () => F,
  ZodObject: () => C,
  ZodOptional: () => A,
  ZodParsedType: () => l,
  ZodPipeline: () => me,
  ZodPromise: () => U,
  ZodReadonly: () => ne,
  ZodRecord: () => ke,
  ZodSchema: () => _,
  ZodSet: () => le,
  ZodString: () => D,
  ZodSymbol: () => ce,
  ZodTransformer: () => R,
  ZodTuple: () => I,
  ZodType: () => _,
  ZodUndefined: () => Y,
  ZodUnion: () => H,
  ZodUnknown: () => V,
  ZodVoid: () => de,
  addIssueToContext: () => u,
  any: () => Ot,
  array: () => Rt,
  bigint: () => kt,
  boolean: () => Fe,
  coerce: () => er,
  custom: () => Le,
  date: () => bt,
  datetimeRegex: () => ze,
  defaultErrorMap: () => $,
  discriminatedUnion: () => Zt,
  effect: () => qt,
  enum: () => Bt,
  function: () => Dt,
  getErrorMap: () => ae,
  getParsedType: () => E,
  instanceof: () => vt,
  intersection: () => $t,
  isAborted: () => _e,
  isAsync: () => ie,
  isDirty: () => ve,
  isValid: () => z,
  late: () => _t,
  lazy: () => Lt,
  literal: () => Ut,
  makeIssue: () => he,
  map: () => Pt,
  nan: () => xt,
  nativeEnum: () => Ft,
  never: () => At,
  null: () => Ct,
  nullable: () => Yt,
  number: () => Be,
  object: () => jt,
  objectUtil: () => Ce,
  oboolean: () => Kt,
  onumber: () => Xt,
  optional: () => Jt,
  ostring: () => Qt,
  pipeline: () => Ht,
  preprocess: () => Gt,
  promise: () => Wt,
  quotelessJson: () => qe,
  record: () => Vt,
  set: () => zt,
  setErrorMap: () => Ye,
  strictObject: () => Et,
  string: () => Ue,
  symbol: () => wt,
  transformer: () => qt,
  tuple: () => Mt,
  undefined: () => Tt,
  union: () => It,
  unknown: () => St,
  util: () => v,
  void: () => Nt
});

// ../../../test/e2e/node_modules/zod/v3/helpers/util.js
var v;
(function(r) {
  r.assertEqual = (n) => {
  };
  function e(n) {
  }
  o(e, "assertIs"), r.assertIs = e;
  function t(n) {
    throw new Error();
  }
  o(t, "assertNever"), r.assertNever = t, r.arrayToEnum = (n) => {
    let a = {};
    for (let i of n)
      a[i] = i;
    return a;
  }, r.getValidEnumValues = (n) => {
    let a = r.objectKeys(n).filter((c) => typeof n[n[c]] != "number"), i = {};
    for (let c of a)
      i[c] = n[c];
    return r.objectValues(i);
  }, r.objectValues = (n) => r.objectKeys(n).map(function(a) {
    return n[a];
  }), r.objectKeys = typeof Object.keys == "function" ? (n) => Object.keys(n) : (n) => {
    let a = [];
    for (let i in n)
      Object.prototype.hasOwnProperty.call(n, i) && a.push(i);
    return a;
  }, r.find = (n, a) => {
    for (let i of n)
      if (a(i))
        return i;
  }, r.isInteger = typeof Number.isInteger == "function" ? (n) => Number.isInteger(n) : (n) => typeof n == "number" && Number.isFinite(n) && Math.floor(n) === n;
  function s(n, a = " | ") {
    return n.map((i) => typeof i == "string" ? `'${i}'` : i).join(a);
  }
  o(s, "joinValues"), r.joinValues = s, r.jsonStringifyReplacer = (n, a) => typeof a == "bigint" ? a.toString() : a;
})(v || (v = {}));
var Ce;
(function(r) {
  r.mergeShapes = (e, t) => ({
    ...e,
    ...t
    // second overwrites first
  });
})(Ce || (Ce = {}));
var l = v.arrayToEnum([
  "string",
  "nan",
  "number",
  "integer",
  "float",
  "boolean",
  "date",
  "bigint",
  "symbol",
  "function",
  "undefined",
  "null",
  "array",
  "object",
  "unknown",
  "promise",
  "void",
  "never",
  "map",
  "set"
]), E = /* @__PURE__ */ o((r) => {
  switch (typeof r) {
    case "undefined":
      return l.undefined;
    case "string":
      return l.string;
    case "number":
      return Number.isNaN(r) ? l.nan : l.number;
    case "boolean":
      return l.boolean;
    case "function":
      return l.function;
    case "bigint":
      return l.bigint;
    case "symbol":
      return l.symbol;
    case "object":
      return Array.isArray(r) ? l.array : r === null ? l.null : r.then && typeof r.then == "function" && r.catch && typeof r.catch == "function" ? l.promise : typeof Map < "u" && r instanceof Map ? l.map : typeof Set < "u" && r instanceof Set ? l.set : typeof Date < "u" && r instanceof Date ? l.date : l.object;
    default:
      return l.unknown;
  }
}, "getParsedType");

// ../../../test/e2e/node_modules/zod/v3/ZodError.js
var d = v.arrayToEnum([
  "invalid_type",
  "invalid_literal",
  "custom",
  "invalid_union",
  "invalid_union_discriminator",
  "invalid_enum_value",
  "unrecognized_keys",
  "invalid_arguments",
  "invalid_return_type",
  "invalid_date",
  "invalid_string",
  "too_small",
  "too_big",
  "invalid_intersection_types",
  "not_multiple_of",
  "not_finite"
]), qe = /* @__PURE__ */ o((r) => JSON.stringify(r, null, 2).replace(/"([^"]+)":/g, "$1:"), "quotelessJson"), T = class r extends Error {
  static {
    o(this, "ZodError");
  }
  get errors() {
    return this.issues;
  }
  constructor(e) {
    super(), this.issues = [], this.addIssue = (s) => {
      this.issues = [...this.issues, s];
    }, this.addIssues = (s = []) => {
      this.issues = [...this.issues, ...s];
    };
    let t = new.target.prototype;
    Object.setPrototypeOf ? Object.setPrototypeOf(this, t) : this.__proto__ = t, this.name = "ZodError", this.issues = e;
  }
  format(e) {
    let t = e || function(a) {
      return a.message;
    }, s = { _errors: [] }, n = /* @__PURE__ */ o((a) => {
      for (let i of a.issues)
        if (i.code === "invalid_union")
          i.unionErrors.map(n);
        else if (i.code === "invalid_return_type")
          n(i.returnTypeError);
        else if (i.code === "invalid_arguments")
          n(i.argumentsError);
        else if (i.path.length === 0)
          s._errors.push(t(i));
        else {
          let c = s, h = 0;
          for (; h < i.path.length; ) {
            let f = i.path[h];
            h === i.path.length - 1 ? (c[f] = c[f] || { _errors: [] }, c[f]._errors.push(t(i))) : c[f] = c[f] || { _errors: [] }, c = c[f], h++;
          }
        }
    }, "processError");
    return n(this), s;
  }
  static assert(e) {
    if (!(e instanceof r))
      throw new Error(`Not a ZodError: ${e}`);
  }
  toString() {
    return this.message;
  }
  get message() {
    return JSON.stringify(this.issues, v.jsonStringifyReplacer, 2);
  }
  get isEmpty() {
    return this.issues.length === 0;
  }
  flatten(e = (t) => t.message) {
    let t = {}, s = [];
    for (let n of this.issues)
      if (n.path.length > 0) {
        let a = n.path[0];
        t[a] = t[a] || [], t[a].push(e(n));
      } else
        s.push(e(n));
    return { formErrors: s, fieldErrors: t };
  }
  get formErrors() {
    return this.flatten();
  }
};
T.create = (r) => new T(r);

// ../../../test/e2e/node_modules/zod/v3/locales/en.js
var Je = /* @__PURE__ */ o((r, e) => {
  let t;
  switch (r.code) {
    case d.invalid_type:
      r.received === l.undefined ? t = "Required" : t = `Expected ${r.expected}, received ${r.received}`;
      break;
    case d.invalid_literal:
      t = `Invalid literal value, expected ${JSON.stringify(r.expected, v.jsonStringifyReplacer)}`;
      break;
    case d.unrecognized_keys:
      t = `Unrecognized key(s) in object: ${v.joinValues(r.keys, ", ")}`;
      break;
    case d.invalid_union:
      t = "Invalid input";
      break;
    case d.invalid_union_discriminator:
      t = `Invalid discriminator value. Expected ${v.joinValues(r.options)}`;
      break;
    case d.invalid_enum_value:
      t = `Invalid enum value. Expected ${v.joinValues(r.options)}, received '${r.received}'`;
      break;
    case d.invalid_arguments:
      t = "Invalid function arguments";
      break;
    case d.invalid_return_type:
      t = "Invalid function return type";
      break;
    case d.invalid_date:
      t = "Invalid date";
      break;
    case d.invalid_string:
      typeof r.validation == "object" ? "includes" in r.validation ? (t = `Invalid input: must include "${r.validation.includes}"`, typeof r.validation.position == "number" && (t = `${t} at one or more positions greater than or equal to ${r.validation.position}`)) : "startsWith" in r.validation ? t = `Invalid input: must start with "${r.validation.startsWith}"` : "endsWith" in r.validation ? t = `Invalid input: must end with "${r.validation.endsWith}"` : v.assertNever(r.validation) : r.validation !== "regex" ? t = `Invalid ${r.validation}` : t = "Invalid";
      break;
    case d.too_small:
      r.type === "array" ? t = `Array must contain ${r.exact ? "exactly" : r.inclusive ? "at least" : "more than"} ${r.minimum} element(s)` : r.type === "string" ? t = `String must contain ${r.exact ? "exactly" : r.inclusive ? "at least" : "over"} ${r.minimum} character(s)` : r.type === "number" ? t = `Number must be ${r.exact ? "exactly equal to " : r.inclusive ? "greater than or equal to " : "greater than "}${r.minimum}` : r.type === "bigint" ? t = `Number must be ${r.exact ? "exactly equal to " : r.inclusive ? "greater than or equal to " : "greater than "}${r.minimum}` : r.type === "date" ? t = `Date must be ${r.exact ? "exactly equal to " : r.inclusive ? "greater than or equal to " : "greater than "}${new Date(Number(r.minimum))}` : t = "Invalid input";
      break;
    case d.too_big:
      r.type === "array" ? t = `Array must contain ${r.exact ? "exactly" : r.inclusive ? "at most" : "less than"} ${r.maximum} element(s)` : r.type === "string" ? t = `String must contain ${r.exact ? "exactly" : r.inclusive ? "at most" : "under"} ${r.maximum} character(s)` : r.type === "number" ? t = `Number must be ${r.exact ? "exactly" : r.inclusive ? "less than or equal to" : "less than"} ${r.maximum}` : r.type === "bigint" ? t = `BigInt must be ${r.exact ? "exactly" : r.inclusive ? "less than or equal to" : "less than"} ${r.maximum}` : r.type === "date" ? t = `Date must be ${r.exact ? "exactly" : r.inclusive ? "smaller than or equal to" : "smaller than"} ${new Date(Number(r.maximum))}` : t = "Invalid input";
      break;
    case d.custom:
      t = "Invalid input";
      break;
    case d.invalid_intersection_types:
      t = "Intersection results could not be merged";
      break;
    case d.not_multiple_of:
      t = `Number must be a multiple of ${r.multipleOf}`;
      break;
    case d.not_finite:
      t = "Number must be finite";
      break;
    default:
      t = e.defaultError, v.assertNever(r);
  }
  return { message: t };
}, "errorMap"), $ = Je;

// ../../../test/e2e/node_modules/zod/v3/errors.js
var Ze = $;
function Ye(r) {
  Ze = r;
}
o(Ye, "setErrorMap");
function ae() {
  return Ze;
}
o(ae, "getErrorMap");

// ../../../test/e2e/node_modules/zod/v3/helpers/parseUtil.js
var he = /* @__PURE__ */ o((r) => {
  let { data: e, path: t, errorMaps: s, issueData: n } = r, a = [...t, ...n.path || []], i = {
    ...n,
    path: a
  };
  if (n.message !== void 0)
    return {
      ...n,
      path: a,
      message: n.message
    };
  let c = "", h = s.filter((f) => !!f).slice().reverse();
  for (let f of h)
    c = f(i, { data: e, defaultError: c }).message;
  return {
    ...n,
    path: a,
    message: c
  };
}, "makeIssue"), Ge = [];
function u(r, e) {
  let t = ae(), s = he({
    issueData: e,
    data: r.data,
    path: r.path,
    errorMaps: [
      r.common.contextualErrorMap,
      // contextual error map is first priority
      r.schemaErrorMap,
      // then schema-bound map if available
      t,
      // then global override map
      t === $ ? void 0 : $
      // then global default map
    ].filter((n) => !!n)
  });
  r.common.issues.push(s);
}
o(u, "addIssueToContext");
var k = class r {
  static {
    o(this, "ParseStatus");
  }
  constructor() {
    this.value = "valid";
  }
  dirty() {
    this.value === "valid" && (this.value = "dirty");
  }
  abort() {
    this.value !== "aborted" && (this.value = "aborted");
  }
  static mergeArray(e, t) {
    let s = [];
    for (let n of t) {
      if (n.status === "aborted")
        return m;
      n.status === "dirty" && e.dirty(), s.push(n.value);
    }
    return { status: e.value, value: s };
  }
  static async mergeObjectAsync(e, t) {
    let s = [];
    for (let n of t) {
      let a = await n.key, i = await n.value;
      s.push({
        key: a,
        value: i
      });
    }
    return r.mergeObjectSync(e, s);
  }
  static mergeObjectSync(e, t) {
    let s = {};
    for (let n of t) {
      let { key: a, value: i } = n;
      if (a.status === "aborted" || i.status === "aborted")
        return m;
      a.status === "dirty" && e.dirty(), i.status === "dirty" && e.dirty(), a.value !== "__proto__" && (typeof i.value < "u" || n.alwaysSet) && (s[a.value] = i.value);
    }
    return { status: e.value, value: s };
  }
}, m = Object.freeze({
  status: "aborted"
}), B = /* @__PURE__ */ o((r) => ({ status: "dirty", value: r }), "DIRTY"), b = /* @__PURE__ */ o((r) => ({ status: "valid", value: r }), "OK"), _e = /* @__PURE__ */ o((r) => r.status === "aborted", "isAborted"), ve = /* @__PURE__ */ o((r) => r.status === "dirty", "isDirty"), z = /* @__PURE__ */ o((r) => r.status === "valid", "isValid"), ie = /* @__PURE__ */ o((r) => typeof Promise < "u" && r instanceof Promise, "isAsync");

// ../../../test/e2e/node_modules/zod/v3/helpers/errorUtil.js
var p;
(function(r) {
  r.errToObj = (e) => typeof e == "string" ? { message: e } : e || {}, r.toString = (e) => typeof e == "string" ? e : e?.message;
})(p || (p = {}));

// ../../../test/e2e/node_modules/zod/v3/types.js
var N = class {
  static {
    o(this, "ParseInputLazyPath");
  }
  constructor(e, t, s, n) {
    this._cachedPath = [], this.parent = e, this.data = t, this._path = s, this._key = n;
  }
  get path() {
    return this._cachedPath.length || (Array.isArray(this._key) ? this._cachedPath.push(...this._path, ...this._key) : this._cachedPath.push(...this._path, this._key)), this._cachedPath;
  }
}, $e = /* @__PURE__ */ o((r, e) => {
  if (z(e))
    return { success: !0, data: e.value };
  if (!r.common.issues.length)
    throw new Error("Validation failed but no issues detected.");
  return {
    success: !1,
    get error() {
      if (this._error)
        return this._error;
      let t = new T(r.common.issues);
      return this._error = t, this._error;
    }
  };
}, "handleResult");
function g(r) {
  if (!r)
    return {};
  let { errorMap: e, invalid_type_error: t, required_error: s, description: n } = r;
  if (e && (t || s))
    throw new Error(`Can't use "invalid_type_error" or "required_error" in conjunction with custom error map.`);
  return e ? { errorMap: e, description: n } : { errorMap: /* @__PURE__ */ o((i, c) => {
    let { message: h } = r;
    return i.code === "invalid_enum_value" ? { message: h ?? c.defaultError } : typeof c.data > "u" ? { message: h ?? s ?? c.defaultError } : i.code !== "invalid_type" ? { message: c.defaultError } : { message: h ?? t ?? c.defaultError };
  }, "customMap"), description: n };
}
o(g, "processCreateParams");
var _ = class {
  static {
    o(this, "ZodType");
  }
  get description() {
    return this._def.description;
  }
  _getType(e) {
    return E(e.data);
  }
  _getOrReturnCtx(e, t) {
    return t || {
      common: e.parent.common,
      data: e.data,
      parsedType: E(e.data),
      schemaErrorMap: this._def.errorMap,
      path: e.path,
      parent: e.parent
    };
  }
  _processInputParams(e) {
    return {
      status: new k(),
      ctx: {
        common: e.parent.common,
        data: e.data,
        parsedType: E(e.data),
        schemaErrorMap: this._def.errorMap,
        path: e.path,
        parent: e.parent
      }
    };
  }
  _parseSync(e) {
    let t = this._parse(e);
    if (ie(t))
      throw new Error("Synchronous parse encountered promise.");
    return t;
  }
  _parseAsync(e) {
    let t = this._parse(e);
    return Promise.resolve(t);
  }
  parse(e, t) {
    let s = this.safeParse(e, t);
    if (s.success)
      return s.data;
    throw s.error;
  }
  safeParse(e, t) {
    let s = {
      common: {
        issues: [],
        async: t?.async ?? !1,
        contextualErrorMap: t?.errorMap
      },
      path: t?.path || [],
      schemaErrorMap: this._def.errorMap,
      parent: null,
      data: e,
      parsedType: E(e)
    }, n = this._parseSync({ data: e, path: s.path, parent: s });
    return $e(s, n);
  }
  "~validate"(e) {
    let t = {
      common: {
        issues: [],
        async: !!this["~standard"].async
      },
      path: [],
      schemaErrorMap: this._def.errorMap,
      parent: null,
      data: e,
      parsedType: E(e)
    };
    if (!this["~standard"].async)
      try {
        let s = this._parseSync({ data: e, path: [], parent: t });
        return z(s) ? {
          value: s.value
        } : {
          issues: t.common.issues
        };
      } catch (s) {
        s?.message?.toLowerCase()?.includes("encountered") && (this["~standard"].async = !0), t.common = {
          issues: [],
          async: !0
        };
      }
    return this._parseAsync({ data: e, path: [], parent: t }).then((s) => z(s) ? {
      value: s.value
    } : {
      issues: t.common.issues
    });
  }
  async parseAsync(e, t) {
    let s = await this.safeParseAsync(e, t);
    if (s.success)
      return s.data;
    throw s.error;
  }
  async safeParseAsync(e, t) {
    let s = {
      common: {
        issues: [],
        contextualErrorMap: t?.errorMap,
        async: !0
      },
      path: t?.path || [],
      schemaErrorMap: this._def.errorMap,
      parent: null,
      data: e,
      parsedType: E(e)
    }, n = this._parse({ data: e, path: s.path, parent: s }), a = await (ie(n) ? n : Promise.resolve(n));
    return $e(s, a);
  }
  refine(e, t) {
    let s = /* @__PURE__ */ o((n) => typeof t == "string" || typeof t > "u" ? { message: t } : typeof t == "function" ? t(n) : t, "getIssueProperties");
    return this._refinement((n, a) => {
      let i = e(n), c = /* @__PURE__ */ o(() => a.addIssue({
        code: d.custom,
        ...s(n)
      }), "setError");
      return typeof Promise < "u" && i instanceof Promise ? i.then((h) => h ? !0 : (c(), !1)) : i ? !0 : (c(), !1);
    });
  }
  refinement(e, t) {
    return this._refinement((s, n) => e(s) ? !0 : (n.addIssue(typeof t == "function" ? t(s, n) : t), !1));
  }
  _refinement(e) {
    return new R({
      schema: this,
      typeName: y.ZodEffects,
      effect: { type: "refinement", refinement: e }
    });
  }
  superRefine(e) {
    return this._refinement(e);
  }
  constructor(e) {
    this.spa = this.safeParseAsync, this._def = e, this.parse = this.parse.bind(this), this.safeParse = this.safeParse.bind(this), this.parseAsync = this.parseAsync.bind(this), this.safeParseAsync = this.safeParseAsync.bind(this), this.spa = this.spa.bind(this), this.refine = this.refine.bind(this), this.refinement = this.refinement.bind(this), this.superRefine = this.superRefine.bind(this), this.optional = this.optional.bind(this), this.nullable = this.nullable.bind(this), this.nullish = this.nullish.bind(this), this.array = this.array.bind(this), this.promise = this.promise.bind(this), this.or = this.or.bind(this), this.and = this.and.bind(this), this.transform = this.transform.bind(this), this.brand = this.brand.bind(this), this.default = this.default.bind(this), this.catch = this.catch.bind(this), this.describe = this.describe.bind(this), this.pipe = this.pipe.bind(this), this.readonly = this.readonly.bind(this), this.isNullable = this.isNullable.bind(this), this.isOptional = this.isOptional.bind(this), this["~standard"] = {
      version: 1,
      vendor: "zod",
      validate: /* @__PURE__ */ o((t) => this["~validate"](t), "validate")
    };
  }
  optional() {
    return A.create(this, this._def);
  }
  nullable() {
    return Z.create(this, this._def);
  }
  nullish() {
    return this.nullable().optional();
  }
  array() {
    return P.create(this);
  }
  promise() {
    return U.create(this, this._def);
  }
  or(e) {
    return H.create([this, e], this._def);
  }
  and(e) {
    return Q.create(this, e, this._def);
  }
  transform(e) {
    return new R({
      ...g(this._def),
      schema: this,
      typeName: y.ZodEffects,
      effect: { type: "transform", transform: e }
    });
  }
  default(e) {
    let t = typeof e == "function" ? e : () => e;
    return new re({
      ...g(this._def),
      innerType: this,
      defaultValue: t,
      typeName: y.ZodDefault
    });
  }
  brand() {
    return new pe({
      typeName: y.ZodBranded,
      type: this,
      ...g(this._def)
    });
  }
  catch(e) {
    let t = typeof e == "function" ? e : () => e;
    return new se({
      ...g(this._def),
      innerType: this,
      catchValue: t,
      typeName: y.ZodCatch
    });
  }
  describe(e) {
    let t = this.constructor;
    return new t({
      ...this._def,
      description: e
    });
  }
  pipe(e) {
    return me.create(this, e);
  }
  readonly() {
    return ne.create(this);
  }
  isOptional() {
    return this.safeParse(void 0).success;
  }
  isNullable() {
    return this.safeParse(null).success;
  }
}, He = /^c[^\s-]{8,}$/i, Qe = /^[0-9a-z]+$/, Xe = /^[0-9A-HJKMNP-TV-Z]{26}$/i, Ke = /^[0-9a-fA-F]{8}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{12}$/i, et = /^[a-z0-9_-]{21}$/i, tt = /^[A-Za-z0-9-_]+\.[A-Za-z0-9-_]+\.[A-Za-z0-9-_]*$/, rt = /^[-+]?P(?!$)(?:(?:[-+]?\d+Y)|(?:[-+]?\d+[.,]\d+Y$))?(?:(?:[-+]?\d+M)|(?:[-+]?\d+[.,]\d+M$))?(?:(?:[-+]?\d+W)|(?:[-+]?\d+[.,]\d+W$))?(?:(?:[-+]?\d+D)|(?:[-+]?\d+[.,]\d+D$))?(?:T(?=[\d+-])(?:(?:[-+]?\d+H)|(?:[-+]?\d+[.,]\d+H$))?(?:(?:[-+]?\d+M)|(?:[-+]?\d+[.,]\d+M$))?(?:[-+]?\d+(?:[.,]\d+)?S)?)??$/, st = /^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}$/i, nt = "^(\\p{Extended_Pictographic}|\\p{Emoji_Component})+$", Oe, at = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$/, it = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\/(3[0-2]|[12]?[0-9])$/, ot = /^(([0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:)|fe80:(:[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}|::(ffff(:0{1,4}){0,1}:){0,1}((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])|([0-9a-fA-F]{1,4}:){1,4}:((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9]))$/, ct = /^(([0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:)|fe80:(:[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}|::(ffff(:0{1,4}){0,1}:){0,1}((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])|([0-9a-fA-F]{1,4}:){1,4}:((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9]))\/(12[0-8]|1[01][0-9]|[1-9]?[0-9])$/, dt = /^([0-9a-zA-Z+/]{4})*(([0-9a-zA-Z+/]{2}==)|([0-9a-zA-Z+/]{3}=))?$/, ut = /^([0-9a-zA-Z-_]{4})*(([0-9a-zA-Z-_]{2}(==)?)|([0-9a-zA-Z-_]{3}(=)?))?$/, Ve = "((\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-((0[13578]|1[02])-(0[1-9]|[12]\\d|3[01])|(0[469]|11)-(0[1-9]|[12]\\d|30)|(02)-(0[1-9]|1\\d|2[0-8])))", lt = new RegExp(`^${Ve}$`);
function Pe(r) {
  let e = "[0-5]\\d";
  r.precision ? e = `${e}\\.\\d{${r.precision}}` : r.precision == null && (e = `${e}(\\.\\d+)?`);
  let t = r.precision ? "+" : "?";
  return `([01]\\d|2[0-3]):[0-5]\\d(:${e})${t}`;
}
o(Pe, "timeRegexSource");
function ft(r) {
  return new RegExp(`^${Pe(r)}$`);
}
o(ft, "timeRegex");
function ze(r) {
  let e = `${Ve}T${Pe(r)}`, t = [];
  return t.push(r.local ? "Z?" : "Z"), r.offset && t.push("([+-]\\d{2}:?\\d{2})"), e = `${e}(${t.join("|")})`, new RegExp(`^${e}$`);
}
o(ze, "datetimeRegex");
function ht(r, e) {
  return !!((e === "v4" || !e) && at.test(r) || (e === "v6" || !e) && ot.test(r));
}
o(ht, "isValidIP");
function pt(r, e) {
  if (!tt.test(r))
    return !1;
  try {
    let [t] = r.split(".");
    if (!t)
      return !1;
    let s = t.replace(/-/g, "+").replace(/_/g, "/").padEnd(t.length + (4 - t.length % 4) % 4, "="), n = JSON.parse(atob(s));
    return !(typeof n != "object" || n === null || "typ" in n && n?.typ !== "JWT" || !n.alg || e && n.alg !== e);
  } catch {
    return !1;
  }
}
o(pt, "isValidJWT");
function mt(r, e) {
  return !!((e === "v4" || !e) && it.test(r) || (e === "v6" || !e) && ct.test(r));
}
o(mt, "isValidCidr");
var D = class r extends _ {
  static {
    o(this, "ZodString");
  }
  _parse(e) {
    if (this._def.coerce && (e.data = String(e.data)), this._getType(e) !== l.string) {
      let a = this._getOrReturnCtx(e);
      return u(a, {
        code: d.invalid_type,
        expected: l.string,
        received: a.parsedType
      }), m;
    }
    let s = new k(), n;
    for (let a of this._def.checks)
      if (a.kind === "min")
        e.data.length < a.value && (n = this._getOrReturnCtx(e, n), u(n, {
          code: d.too_small,
          minimum: a.value,
          type: "string",
          inclusive: !0,
          exact: !1,
          message: a.message
        }), s.dirty());
      else if (a.kind === "max")
        e.data.length > a.value && (n = this._getOrReturnCtx(e, n), u(n, {
          code: d.too_big,
          maximum: a.value,
          type: "string",
          inclusive: !0,
          exact: !1,
          message: a.message
        }), s.dirty());
      else if (a.kind === "length") {
        let i = e.data.length > a.value, c = e.data.length < a.value;
        (i || c) && (n = this._getOrReturnCtx(e, n), i ? u(n, {
          code: d.too_big,
          maximum: a.value,
          type: "string",
          inclusive: !0,
          exact: !0,
          message: a.message
        }) : c && u(n, {
          code: d.too_small,
          minimum: a.value,
          type: "string",
          inclusive: !0,
          exact: !0,
          message: a.message
        }), s.dirty());
      } else if (a.kind === "email")
        st.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
          validation: "email",
          code: d.invalid_string,
          message: a.message
        }), s.dirty());
      else if (a.kind === "emoji")
        Oe || (Oe = new RegExp(nt, "u")), Oe.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
          validation: "emoji",
          code: d.invalid_string,
          message: a.message
        }), s.dirty());
      else if (a.kind === "uuid")
        Ke.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
          validation: "uuid",
          code: d.invalid_string,
          message: a.message
        }), s.dirty());
      else if (a.kind === "nanoid")
        et.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
          validation: "nanoid",
          code: d.invalid_string,
          message: a.message
        }), s.dirty());
      else if (a.kind === "cuid")
        He.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
          validation: "cuid",
          code: d.invalid_string,
          message: a.message
        }), s.dirty());
      else if (a.kind === "cuid2")
        Qe.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
          validation: "cuid2",
          code: d.invalid_string,
          message: a.message
        }), s.dirty());
      else if (a.kind === "ulid")
        Xe.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
          validation: "ulid",
          code: d.invalid_string,
          message: a.message
        }), s.dirty());
      else if (a.kind === "url")
        try {
          new URL(e.data);
        } catch {
          n = this._getOrReturnCtx(e, n), u(n, {
            validation: "url",
            code: d.invalid_string,
            message: a.message
          }), s.dirty();
        }
      else a.kind === "regex" ? (a.regex.lastIndex = 0, a.regex.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
        validation: "regex",
        code: d.invalid_string,
        message: a.message
      }), s.dirty())) : a.kind === "trim" ? e.data = e.data.trim() : a.kind === "includes" ? e.data.includes(a.value, a.position) || (n = this._getOrReturnCtx(e, n), u(n, {
        code: d.invalid_string,
        validation: { includes: a.value, position: a.position },
        message: a.message
      }), s.dirty()) : a.kind === "toLowerCase" ? e.data = e.data.toLowerCase() : a.kind === "toUpperCase" ? e.data = e.data.toUpperCase() : a.kind === "startsWith" ? e.data.startsWith(a.value) || (n = this._getOrReturnCtx(e, n), u(n, {
        code: d.invalid_string,
        validation: { startsWith: a.value },
        message: a.message
      }), s.dirty()) : a.kind === "endsWith" ? e.data.endsWith(a.value) || (n = this._getOrReturnCtx(e, n), u(n, {
        code: d.invalid_string,
        validation: { endsWith: a.value },
        message: a.message
      }), s.dirty()) : a.kind === "datetime" ? ze(a).test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
        code: d.invalid_string,
        validation: "datetime",
        message: a.message
      }), s.dirty()) : a.kind === "date" ? lt.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
        code: d.invalid_string,
        validation: "date",
        message: a.message
      }), s.dirty()) : a.kind === "time" ? ft(a).test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
        code: d.invalid_string,
        validation: "time",
        message: a.message
      }), s.dirty()) : a.kind === "duration" ? rt.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
        validation: "duration",
        code: d.invalid_string,
        message: a.message
      }), s.dirty()) : a.kind === "ip" ? ht(e.data, a.version) || (n = this._getOrReturnCtx(e, n), u(n, {
        validation: "ip",
        code: d.invalid_string,
        message: a.message
      }), s.dirty()) : a.kind === "jwt" ? pt(e.data, a.alg) || (n = this._getOrReturnCtx(e, n), u(n, {
        validation: "jwt",
        code: d.invalid_string,
        message: a.message
      }), s.dirty()) : a.kind === "cidr" ? mt(e.data, a.version) || (n = this._getOrReturnCtx(e, n), u(n, {
        validation: "cidr",
        code: d.invalid_string,
        message: a.message
      }), s.dirty()) : a.kind === "base64" ? dt.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
        validation: "base64",
        code: d.invalid_string,
        message: a.message
      }), s.dirty()) : a.kind === "base64url" ? ut.test(e.data) || (n = this._getOrReturnCtx(e, n), u(n, {
        validation: "base64url",
        code: d.invalid_string,
        message: a.message
      }), s.dirty()) : v.assertNever(a);
    return { status: s.value, value: e.data };
  }
  _regex(e, t, s) {
    return this.refinement((n) => e.test(n), {
      validation: t,
      code: d.invalid_string,
      ...p.errToObj(s)
    });
  }
  _addCheck(e) {
    return new r({
      ...this._def,
      checks: [...this._def.checks, e]
    });
  }
  email(e) {
    return this._addCheck({ kind: "email", ...p.errToObj(e) });
  }
  url(e) {
    return this._addCheck({ kind: "url", ...p.errToObj(e) });
  }
  emoji(e) {
    return this._addCheck({ kind: "emoji", ...p.errToObj(e) });
  }
  uuid(e) {
    return this._addCheck({ kind: "uuid", ...p.errToObj(e) });
  }
  nanoid(e) {
    return this._addCheck({ kind: "nanoid", ...p.errToObj(e) });
  }
  cuid(e) {
    return this._addCheck({ kind: "cuid", ...p.errToObj(e) });
  }
  cuid2(e) {
    return this._addCheck({ kind: "cuid2", ...p.errToObj(e) });
  }
  ulid(e) {
    return this._addCheck({ kind: "ulid", ...p.errToObj(e) });
  }
  base64(e) {
    return this._addCheck({ kind: "base64", ...p.errToObj(e) });
  }
  base64url(e) {
    return this._addCheck({
      kind: "base64url",
      ...p.errToObj(e)
    });
  }
  jwt(e) {
    return this._addCheck({ kind: "jwt", ...p.errToObj(e) });
  }
  ip(e) {
    return this._addCheck({ kind: "ip", ...p.errToObj(e) });
  }
  cidr(e) {
    return this._addCheck({ kind: "cidr", ...p.errToObj(e) });
  }
  datetime(e) {
    return typeof e == "string" ? this._addCheck({
      kind: "datetime",
      precision: null,
      offset: !1,
      local: !1,
      message: e
    }) : this._addCheck({
      kind: "datetime",
      precision: typeof e?.precision > "u" ? null : e?.precision,
      offset: e?.offset ?? !1,
      local: e?.local ?? !1,
      ...p.errToObj(e?.message)
    });
  }
  date(e) {
    return this._addCheck({ kind: "date", message: e });
  }
  time(e) {
    return typeof e == "string" ? this._addCheck({
      kind: "time",
      precision: null,
      message: e
    }) : this._addCheck({
      kind: "time",
      precision: typeof e?.precision > "u" ? null : e?.precision,
      ...p.errToObj(e?.message)
    });
  }
  duration(e) {
    return this._addCheck({ kind: "duration", ...p.errToObj(e) });
  }
  regex(e, t) {
    return this._addCheck({
      kind: "regex",
      regex: e,
      ...p.errToObj(t)
    });
  }
  includes(e, t) {
    return this._addCheck({
      kind: "includes",
      value: e,
      position: t?.position,
      ...p.errToObj(t?.message)
    });
  }
  startsWith(e, t) {
    return this._addCheck({
      kind: "startsWith",
      value: e,
      ...p.errToObj(t)
    });
  }
  endsWith(e, t) {
    return this._addCheck({
      kind: "endsWith",
      value: e,
      ...p.errToObj(t)
    });
  }
  min(e, t) {
    return this._addCheck({
      kind: "min",
      value: e,
      ...p.errToObj(t)
    });
  }
  max(e, t) {
    return this._addCheck({
      kind: "max",
      value: e,
      ...p.errToObj(t)
    });
  }
  length(e, t) {
    return this._addCheck({
      kind: "length",
      value: e,
      ...p.errToObj(t)
    });
  }
  /**
   * Equivalent to `.min(1)`
   */
  nonempty(e) {
    return this.min(1, p.errToObj(e));
  }
  trim() {
    return new r({
      ...this._def,
      checks: [...this._def.checks, { kind: "trim" }]
    });
  }
  toLowerCase() {
    return new r({
      ...this._def,
      checks: [...this._def.checks, { kind: "toLowerCase" }]
    });
  }
  toUpperCase() {
    return new r({
      ...this._def,
      checks: [...this._def.checks, { kind: "toUpperCase" }]
    });
  }
  get isDatetime() {
    return !!this._def.checks.find((e) => e.kind === "datetime");
  }
  get isDate() {
    return !!this._def.checks.find((e) => e.kind === "date");
  }
  get isTime() {
    return !!this._def.checks.find((e) => e.kind === "time");
  }
  get isDuration() {
    return !!this._def.checks.find((e) => e.kind === "duration");
  }
  get isEmail() {
    return !!this._def.checks.find((e) => e.kind === "email");
  }
  get isURL() {
    return !!this._def.checks.find((e) => e.kind === "url");
  }
  get isEmoji() {
    return !!this._def.checks.find((e) => e.kind === "emoji");
  }
  get isUUID() {
    return !!this._def.checks.find((e) => e.kind === "uuid");
  }
  get isNANOID() {
    return !!this._def.checks.find((e) => e.kind === "nanoid");
  }
  get isCUID() {
    return !!this._def.checks.find((e) => e.kind === "cuid");
  }
  get isCUID2() {
    return !!this._def.checks.find((e) => e.kind === "cuid2");
  }
  get isULID() {
    return !!this._def.checks.find((e) => e.kind === "ulid");
  }
  get isIP() {
    return !!this._def.checks.find((e) => e.kind === "ip");
  }
  get isCIDR() {
    return !!this._def.checks.find((e) => e.kind === "cidr");
  }
  get isBase64() {
    return !!this._def.checks.find((e) => e.kind === "base64");
  }
  get isBase64url() {
    return !!this._def.checks.find((e) => e.kind === "base64url");
  }
  get minLength() {
    let e = null;
    for (let t of this._def.checks)
      t.kind === "min" && (e === null || t.value > e) && (e = t.value);
    return e;
  }
  get maxLength() {
    let e = null;
    for (let t of this._def.checks)
      t.kind === "max" && (e === null || t.value < e) && (e = t.value);
    return e;
  }
};
D.create = (r) => new D({
  checks: [],
  typeName: y.ZodString,
  coerce: r?.coerce ?? !1,
  ...g(r)
});
function yt(r, e) {
  let t = (r.toString().split(".")[1] || "").length, s = (e.toString().split(".")[1] || "").length, n = t > s ? t : s, a = Number.parseInt(r.toFixed(n).replace(".", "")), i = Number.parseInt(e.toFixed(n).replace(".", ""));
  return a % i / 10 ** n;
}
o(yt, "floatSafeRemainder");
var F = class r extends _ {
  static {
    o(this, "ZodNumber");
  }
  constructor() {
    super(...arguments), this.min = this.gte, this.max = this.lte, this.step = this.multipleOf;
  }
  _parse(e) {
    if (this._def.coerce && (e.data = Number(e.data)), this._getType(e) !== l.number) {
      let a = this._getOrReturnCtx(e);
      return u(a, {
        code: d.invalid_type,
        expected: l.number,
        received: a.parsedType
      }), m;
    }
    let s, n = new k();
    for (let a of this._def.checks)
      a.kind === "int" ? v.isInteger(e.data) || (s = this._getOrReturnCtx(e, s), u(s, {
        code: d.invalid_type,
        expected: "integer",
        received: "float",
        message: a.message
      }), n.dirty()) : a.kind === "min" ? (a.inclusive ? e.data < a.value : e.data <= a.value) && (s = this._getOrReturnCtx(e, s), u(s, {
        code: d.too_small,
        minimum: a.value,
        type: "number",
        inclusive: a.inclusive,
        exact: !1,
        message: a.message
      }), n.dirty()) : a.kind === "max" ? (a.inclusive ? e.data > a.value : e.data >= a.value) && (s = this._getOrReturnCtx(e, s), u(s, {
        code: d.too_big,
        maximum: a.value,
        type: "number",
        inclusive: a.inclusive,
        exact: !1,
        message: a.message
      }), n.dirty()) : a.kind === "multipleOf" ? yt(e.data, a.value) !== 0 && (s = this._getOrReturnCtx(e, s), u(s, {
        code: d.not_multiple_of,
        multipleOf: a.value,
        message: a.message
      }), n.dirty()) : a.kind === "finite" ? Number.isFinite(e.data) || (s = this._getOrReturnCtx(e, s), u(s, {
        code: d.not_finite,
        message: a.message
      }), n.dirty()) : v.assertNever(a);
    return { status: n.value, value: e.data };
  }
  gte(e, t) {
    return this.setLimit("min", e, !0, p.toString(t));
  }
  gt(e, t) {
    return this.setLimit("min", e, !1, p.toString(t));
  }
  lte(e, t) {
    return this.setLimit("max", e, !0, p.toString(t));
  }
  lt(e, t) {
    return this.setLimit("max", e, !1, p.toString(t));
  }
  setLimit(e, t, s, n) {
    return new r({
      ...this._def,
      checks: [
        ...this._def.checks,
        {
          kind: e,
          value: t,
          inclusive: s,
          message: p.toString(n)
        }
      ]
    });
  }
  _addCheck(e) {
    return new r({
      ...this._def,
      checks: [...this._def.checks, e]
    });
  }
  int(e) {
    return this._addCheck({
      kind: "int",
      message: p.toString(e)
    });
  }
  positive(e) {
    return this._addCheck({
      kind: "min",
      value: 0,
      inclusive: !1,
      message: p.toString(e)
    });
  }
  negative(e) {
    return this._addCheck({
      kind: "max",
      value: 0,
      inclusive: !1,
      message: p.toString(e)
    });
  }
  nonpositive(e) {
    return this._addCheck({
      kind: "max",
      value: 0,
      inclusive: !0,
      message: p.toString(e)
    });
  }
  nonnegative(e) {
    return this._addCheck({
      kind: "min",
      value: 0,
      inclusive: !0,
      message: p.toString(e)
    });
  }
  multipleOf(e, t) {
    return this._addCheck({
      kind: "multipleOf",
      value: e,
      message: p.toString(t)
    });
  }
  finite(e) {
    return this._addCheck({
      kind: "finite",
      message: p.toString(e)
    });
  }
  safe(e) {
    return this._addCheck({
      kind: "min",
      inclusive: !0,
      value: Number.MIN_SAFE_INTEGER,
      message: p.toString(e)
    })._addCheck({
      kind: "max",
      inclusive: !0,
      value: Number.MAX_SAFE_INTEGER,
      message: p.toString(e)
    });
  }
  get minValue() {
    let e = null;
    for (let t of this._def.checks)
      t.kind === "min" && (e === null || t.value > e) && (e = t.value);
    return e;
  }
  get maxValue() {
    let e = null;
    for (let t of this._def.checks)
      t.kind === "max" && (e === null || t.value < e) && (e = t.value);
    return e;
  }
  get isInt() {
    return !!this._def.checks.find((e) => e.kind === "int" || e.kind === "multipleOf" && v.isInteger(e.value));
  }
  get isFinite() {
    let e = null, t = null;
    for (let s of this._def.checks) {
      if (s.kind === "finite" || s.kind === "int" || s.kind === "multipleOf")
        return !0;
      s.kind === "min" ? (t === null || s.value > t) && (t = s.value) : s.kind === "max" && (e === null || s.value < e) && (e = s.value);
    }
    return Number.isFinite(t) && Number.isFinite(e);
  }
};
F.create = (r) => new F({
  checks: [],
  typeName: y.ZodNumber,
  coerce: r?.coerce || !1,
  ...g(r)
});
var W = class r extends _ {
  static {
    o(this, "ZodBigInt");
  }
  constructor() {
    super(...arguments), this.min = this.gte, this.max = this.lte;
  }
  _parse(e) {
    if (this._def.coerce)
      try {
        e.data = BigInt(e.data);
      } catch {
        return this._getInvalidInput(e);
      }
    if (this._getType(e) !== l.bigint)
      return this._getInvalidInput(e);
    let s, n = new k();
    for (let a of this._def.checks)
      a.kind === "min" ? (a.inclusive ? e.data < a.value : e.data <= a.value) && (s = this._getOrReturnCtx(e, s), u(s, {
        code: d.too_small,
        type: "bigint",
        minimum: a.value,
        inclusive: a.inclusive,
        message: a.message
      }), n.dirty()) : a.kind === "max" ? (a.inclusive ? e.data > a.value : e.data >= a.value) && (s = this._getOrReturnCtx(e, s), u(s, {
        code: d.too_big,
        type: "bigint",
        maximum: a.value,
        inclusive: a.inclusive,
        message: a.message
      }), n.dirty()) : a.kind === "multipleOf" ? e.data % a.value !== BigInt(0) && (s = this._getOrReturnCtx(e, s), u(s, {
        code: d.not_multiple_of,
        multipleOf: a.value,
        message: a.message
      }), n.dirty()) : v.assertNever(a);
    return { status: n.value, value: e.data };
  }
  _getInvalidInput(e) {
    let t = this._getOrReturnCtx(e);
    return u(t, {
      code: d.invalid_type,
      expected: l.bigint,
      received: t.parsedType
    }), m;
  }
  gte(e, t) {
    return this.setLimit("min", e, !0, p.toString(t));
  }
  gt(e, t) {
    return this.setLimit("min", e, !1, p.toString(t));
  }
  lte(e, t) {
    return this.setLimit("max", e, !0, p.toString(t));
  }
  lt(e, t) {
    return this.setLimit("max", e, !1, p.toString(t));
  }
  setLimit(e, t, s, n) {
    return new r({
      ...this._def,
      checks: [
        ...this._def.checks,
        {
          kind: e,
          value: t,
          inclusive: s,
          message: p.toString(n)
        }
      ]
    });
  }
  _addCheck(e) {
    return new r({
      ...this._def,
      checks: [...this._def.checks, e]
    });
  }
  positive(e) {
    return this._addCheck({
      kind: "min",
      value: BigInt(0),
      inclusive: !1,
      message: p.toString(e)
    });
  }
  negative(e) {
    return this._addCheck({
      kind: "max",
      value: BigInt(0),
      inclusive: !1,
      message: p.toString(e)
    });
  }
  nonpositive(e) {
    return this._addCheck({
      kind: "max",
      value: BigInt(0),
      inclusive: !0,
      message: p.toString(e)
    });
  }
  nonnegative(e) {
    return this._addCheck({
      kind: "min",
      value: BigInt(0),
      inclusive: !0,
      message: p.toString(e)
    });
  }
  multipleOf(e, t) {
    return this._addCheck({
      kind: "multipleOf",
      value: e,
      message: p.toString(t)
    });
  }
  get minValue() {
    let e = null;
    for (let t of this._def.checks)
      t.kind === "min" && (e === null || t.value > e) && (e = t.value);
    return e;
  }
  get maxValue() {
    let e = null;
    for (let t of this._def.checks)
      t.kind === "max" && (e === null || t.value < e) && (e = t.value);
    return e;
  }
};
W.create = (r) => new W({
  checks: [],
  typeName: y.ZodBigInt,
  coerce: r?.coerce ?? !1,
  ...g(r)
});
var q = class extends _ {
  static {
    o(this, "ZodBoolean");
  }
  _parse(e) {
    if (this._def.coerce && (e.data = !!e.data), this._getType(e) !== l.boolean) {
      let s = this._getOrReturnCtx(e);
      return u(s, {
        code: d.invalid_type,
        expected: l.boolean,
        received: s.parsedType
      }), m;
    }
    return b(e.data);
  }
};
q.create = (r) => new q({
  typeName: y.ZodBoolean,
  coerce: r?.coerce || !1,
  ...g(r)
});
var J = class r extends _ {
  static {
    o(this, "ZodDate");
  }
  _parse(e) {
    if (this._def.coerce && (e.data = new Date(e.data)), this._getType(e) !== l.date) {
      let a = this._getOrReturnCtx(e);
      return u(a, {
        code: d.invalid_type,
        expected: l.date,
        received: a.parsedType
      }), m;
    }
    if (Number.isNaN(e.data.getTime())) {
      let a = this._getOrReturnCtx(e);
      return u(a, {
        code: d.invalid_date
      }), m;
    }
    let s = new k(), n;
    for (let a of this._def.checks)
      a.kind === "min" ? e.data.getTime() < a.value && (n = this._getOrReturnCtx(e, n), u(n, {
        code: d.too_small,
        message: a.message,
        inclusive: !0,
        exact: !1,
        minimum: a.value,
        type: "date"
      }), s.dirty()) : a.kind === "max" ? e.data.getTime() > a.value && (n = this._getOrReturnCtx(e, n), u(n, {
        code: d.too_big,
        message: a.message,
        inclusive: !0,
        exact: !1,
        maximum: a.value,
        type: "date"
      }), s.dirty()) : v.assertNever(a);
    return {
      status: s.value,
      value: new Date(e.data.getTime())
    };
  }
  _addCheck(e) {
    return new r({
      ...this._def,
      checks: [...this._def.checks, e]
    });
  }
  min(e, t) {
    return this._addCheck({
      kind: "min",
      value: e.getTime(),
      message: p.toString(t)
    });
  }
  max(e, t) {
    return this._addCheck({
      kind: "max",
      value: e.getTime(),
      message: p.toString(t)
    });
  }
  get minDate() {
    let e = null;
    for (let t of this._def.checks)
      t.kind === "min" && (e === null || t.value > e) && (e = t.value);
    return e != null ? new Date(e) : null;
  }
  get maxDate() {
    let e = null;
    for (let t of this._def.checks)
      t.kind === "max" && (e === null || t.value < e) && (e = t.value);
    return e != null ? new Date(e) : null;
  }
};
J.create = (r) => new J({
  checks: [],
  coerce: r?.coerce || !1,
  typeName: y.ZodDate,
  ...g(r)
});
var ce = class extends _ {
  static {
    o(this, "ZodSymbol");
  }
  _parse(e) {
    if (this._getType(e) !== l.symbol) {
      let s = this._getOrReturnCtx(e);
      return u(s, {
        code: d.invalid_type,
        expected: l.symbol,
        received: s.parsedType
      }), m;
    }
    return b(e.data);
  }
};
ce.create = (r) => new ce({
  typeName: y.ZodSymbol,
  ...g(r)
});
var Y = class extends _ {
  static {
    o(this, "ZodUndefined");
  }
  _parse(e) {
    if (this._getType(e) !== l.undefined) {
      let s = this._getOrReturnCtx(e);
      return u(s, {
        code: d.invalid_type,
        expected: l.undefined,
        received: s.parsedType
      }), m;
    }
    return b(e.data);
  }
};
Y.create = (r) => new Y({
  typeName: y.ZodUndefined,
  ...g(r)
});
var G = class extends _ {
  static {
    o(this, "ZodNull");
  }
  _parse(e) {
    if (this._getType(e) !== l.null) {
      let s = this._getOrReturnCtx(e);
      return u(s, {
        code: d.invalid_type,
        expected: l.null,
        received: s.parsedType
      }), m;
    }
    return b(e.data);
  }
};
G.create = (r) => new G({
  typeName: y.ZodNull,
  ...g(r)
});
var L = class extends _ {
  static {
    o(this, "ZodAny");
  }
  constructor() {
    super(...arguments), this._any = !0;
  }
  _parse(e) {
    return b(e.data);
  }
};
L.create = (r) => new L({
  typeName: y.ZodAny,
  ...g(r)
});
var V = class extends _ {
  static {
    o(this, "ZodUnknown");
  }
  constructor() {
    super(...arguments), this._unknown = !0;
  }
  _parse(e) {
    return b(e.data);
  }
};
V.create = (r) => new V({
  typeName: y.ZodUnknown,
  ...g(r)
});
var j = class extends _ {
  static {
    o(this, "ZodNever");
  }
  _parse(e) {
    let t = this._getOrReturnCtx(e);
    return u(t, {
      code: d.invalid_type,
      expected: l.never,
      received: t.parsedType
    }), m;
  }
};
j.create = (r) => new j({
  typeName: y.ZodNever,
  ...g(r)
});
var de = class extends _ {
  static {
    o(this, "ZodVoid");
  }
  _parse(e) {
    if (this._getType(e) !== l.undefined) {
      let s = this._getOrReturnCtx(e);
      return u(s, {
        code: d.invalid_type,
        expected: l.void,
        received: s.parsedType
      }), m;
    }
    return b(e.data);
  }
};
de.create = (r) => new de({
  typeName: y.ZodVoid,
  ...g(r)
});
var P = class r extends _ {
  static {
    o(this, "ZodArray");
  }
  _parse(e) {
    let { ctx: t, status: s } = this._processInputParams(e), n = this._def;
    if (t.parsedType !== l.array)
      return u(t, {
        code: d.invalid_type,
        expected: l.array,
        received: t.parsedType
      }), m;
    if (n.exactLength !== null) {
      let i = t.data.length > n.exactLength.value, c = t.data.length < n.exactLength.value;
      (i || c) && (u(t, {
        code: i ? d.too_big : d.too_small,
        minimum: c ? n.exactLength.value : void 0,
        maximum: i ? n.exactLength.value : void 0,
        type: "array",
        inclusive: !0,
        exact: !0,
        message: n.exactLength.message
      }), s.dirty());
    }
    if (n.minLength !== null && t.data.length < n.minLength.value && (u(t, {
      code: d.too_small,
      minimum: n.minLength.value,
      type: "array",
      inclusive: !0,
      exact: !1,
      message: n.minLength.message
    }), s.dirty()), n.maxLength !== null && t.data.length > n.maxLength.value && (u(t, {
      code: d.too_big,
      maximum: n.maxLength.value,
      type: "array",
      inclusive: !0,
      exact: !1,
      message: n.maxLength.message
    }), s.dirty()), t.common.async)
      return Promise.all([...t.data].map((i, c) => n.type._parseAsync(new N(t, i, t.path, c)))).then((i) => k.mergeArray(s, i));
    let a = [...t.data].map((i, c) => n.type._parseSync(new N(t, i, t.path, c)));
    return k.mergeArray(s, a);
  }
  get element() {
    return this._def.type;
  }
  min(e, t) {
    return new r({
      ...this._def,
      minLength: { value: e, message: p.toString(t) }
    });
  }
  max(e, t) {
    return new r({
      ...this._def,
      maxLength: { value: e, message: p.toString(t) }
    });
  }
  length(e, t) {
    return new r({
      ...this._def,
      exactLength: { value: e, message: p.toString(t) }
    });
  }
  nonempty(e) {
    return this.min(1, e);
  }
};
P.create = (r, e) => new P({
  type: r,
  minLength: null,
  maxLength: null,
  exactLength: null,
  typeName: y.ZodArray,
  ...g(e)
});
function oe(r) {
  if (r instanceof C) {
    let e = {};
    for (let t in r.shape) {
      let s = r.shape[t];
      e[t] = A.create(oe(s));
    }
    return new C({
      ...r._def,
      shape: /* @__PURE__ */ o(() => e, "shape")
    });
  } else return r instanceof P ? new P({
    ...r._def,
    type: oe(r.element)
  }) : r instanceof A ? A.create(oe(r.unwrap())) : r instanceof Z ? Z.create(oe(r.unwrap())) : r instanceof I ? I.create(r.items.map((e) => oe(e))) : r;
}
o(oe, "deepPartialify");
var C = class r extends _ {
  static {
    o(this, "ZodObject");
  }
  constructor() {
    super(...arguments), this._cached = null, this.nonstrict = this.passthrough, this.augment = this.extend;
  }
  _getCached() {
    if (this._cached !== null)
      return this._cached;
    let e = this._def.shape(), t = v.objectKeys(e);
    return this._cached = { shape: e, keys: t }, this._cached;
  }
  _parse(e) {
    if (this._getType(e) !== l.object) {
      let f = this._getOrReturnCtx(e);
      return u(f, {
        code: d.invalid_type,
        expected: l.object,
        received: f.parsedType
      }), m;
    }
    let { status: s, ctx: n } = this._processInputParams(e), { shape: a, keys: i } = this._getCached(), c = [];
    if (!(this._def.catchall instanceof j && this._def.unknownKeys === "strip"))
      for (let f in n.data)
        i.includes(f) || c.push(f);
    let h = [];
    for (let f of i) {
      let x = a[f], S = n.data[f];
      h.push({
        key: { status: "valid", value: f },
        value: x._parse(new N(n, S, n.path, f)),
        alwaysSet: f in n.data
      });
    }
    if (this._def.catchall instanceof j) {
      let f = this._def.unknownKeys;
      if (f === "passthrough")
        for (let x of c)
          h.push({
            key: { status: "valid", value: x },
            value: { status: "valid", value: n.data[x] }
          });
      else if (f === "strict")
        c.length > 0 && (u(n, {
          code: d.unrecognized_keys,
          keys: c
        }), s.dirty());
      else if (f !== "strip")
        throw new Error("Internal ZodObject error: invalid unknownKeys value.");
    } else {
      let f = this._def.catchall;
      for (let x of c) {
        let S = n.data[x];
        h.push({
          key: { status: "valid", value: x },
          value: f._parse(
            new N(n, S, n.path, x)
            //, ctx.child(key), value, getParsedType(value)
          ),
          alwaysSet: x in n.data
        });
      }
    }
    return n.common.async ? Promise.resolve().then(async () => {
      let f = [];
      for (let x of h) {
        let S = await x.key, Ae = await x.value;
        f.push({
          key: S,
          value: Ae,
          alwaysSet: x.alwaysSet
        });
      }
      return f;
    }).then((f) => k.mergeObjectSync(s, f)) : k.mergeObjectSync(s, h);
  }
  get shape() {
    return this._def.shape();
  }
  strict(e) {
    return p.errToObj, new r({
      ...this._def,
      unknownKeys: "strict",
      ...e !== void 0 ? {
        errorMap: /* @__PURE__ */ o((t, s) => {
          let n = this._def.errorMap?.(t, s).message ?? s.defaultError;
          return t.code === "unrecognized_keys" ? {
            message: p.errToObj(e).message ?? n
          } : {
            message: n
          };
        }, "errorMap")
      } : {}
    });
  }
  strip() {
    return new r({
      ...this._def,
      unknownKeys: "strip"
    });
  }
  passthrough() {
    return new r({
      ...this._def,
      unknownKeys: "passthrough"
    });
  }
  // const AugmentFactory =
  //   <Def extends ZodObjectDef>(def: Def) =>
  //   <Augmentation extends ZodRawShape>(
  //     augmentation: Augmentation
  //   ): ZodObject<
  //     extendShape<ReturnType<Def["shape"]>, Augmentation>,
  //     Def["unknownKeys"],
  //     Def["catchall"]
  //   > => {
  //     return new ZodObject({
  //       ...def,
  //       shape: () => ({
  //         ...def.shape(),
  //         ...augmentation,
  //       }),
  //     }) as any;
  //   };
  extend(e) {
    return new r({
      ...this._def,
      shape: /* @__PURE__ */ o(() => ({
        ...this._def.shape(),
        ...e
      }), "shape")
    });
  }
  /**
   * Prior to zod@1.0.12 there was a bug in the
   * inferred type of merged objects. Please
   * upgrade if you are experiencing issues.
   */
  merge(e) {
    return new r({
      unknownKeys: e._def.unknownKeys,
      catchall: e._def.catchall,
      shape: /* @__PURE__ */ o(() => ({
        ...this._def.shape(),
        ...e._def.shape()
      }), "shape"),
      typeName: y.ZodObject
    });
  }
  // merge<
  //   Incoming extends AnyZodObject,
  //   Augmentation extends Incoming["shape"],
  //   NewOutput extends {
  //     [k in keyof Augmentation | keyof Output]: k extends keyof Augmentation
  //       ? Augmentation[k]["_output"]
  //       : k extends keyof Output
  //       ? Output[k]
  //       : never;
  //   },
  //   NewInput extends {
  //     [k in keyof Augmentation | keyof Input]: k extends keyof Augmentation
  //       ? Augmentation[k]["_input"]
  //       : k extends keyof Input
  //       ? Input[k]
  //       : never;
  //   }
  // >(
  //   merging: Incoming
  // ): ZodObject<
  //   extendShape<T, ReturnType<Incoming["_def"]["shape"]>>,
  //   Incoming["_def"]["unknownKeys"],
  //   Incoming["_def"]["catchall"],
  //   NewOutput,
  //   NewInput
  // > {
  //   const merged: any = new ZodObject({
  //     unknownKeys: merging._def.unknownKeys,
  //     catchall: merging._def.catchall,
  //     shape: () =>
  //       objectUtil.mergeShapes(this._def.shape(), merging._def.shape()),
  //     typeName: ZodFirstPartyTypeKind.ZodObject,
  //   }) as any;
  //   return merged;
  // }
  setKey(e, t) {
    return this.augment({ [e]: t });
  }
  // merge<Incoming extends AnyZodObject>(
  //   merging: Incoming
  // ): //ZodObject<T & Incoming["_shape"], UnknownKeys, Catchall> = (merging) => {
  // ZodObject<
  //   extendShape<T, ReturnType<Incoming["_def"]["shape"]>>,
  //   Incoming["_def"]["unknownKeys"],
  //   Incoming["_def"]["catchall"]
  // > {
  //   // const mergedShape = objectUtil.mergeShapes(
  //   //   this._def.shape(),
  //   //   merging._def.shape()
  //   // );
  //   const merged: any = new ZodObject({
  //     unknownKeys: merging._def.unknownKeys,
  //     catchall: merging._def.catchall,
  //     shape: () =>
  //       objectUtil.mergeShapes(this._def.shape(), merging._def.shape()),
  //     typeName: ZodFirstPartyTypeKind.ZodObject,
  //   }) as any;
  //   return merged;
  // }
  catchall(e) {
    return new r({
      ...this._def,
      catchall: e
    });
  }
  pick(e) {
    let t = {};
    for (let s of v.objectKeys(e))
      e[s] && this.shape[s] && (t[s] = this.shape[s]);
    return new r({
      ...this._def,
      shape: /* @__PURE__ */ o(() => t, "shape")
    });
  }
  omit(e) {
    let t = {};
    for (let s of v.objectKeys(this.shape))
      e[s] || (t[s] = this.shape[s]);
    return new r({
      ...this._def,
      shape: /* @__PURE__ */ o(() => t, "shape")
    });
  }
  /**
   * @deprecated
   */
  deepPartial() {
    return oe(this);
  }
  partial(e) {
    let t = {};
    for (let s of v.objectKeys(this.shape)) {
      let n = this.shape[s];
      e && !e[s] ? t[s] = n : t[s] = n.optional();
    }
    return new r({
      ...this._def,
      shape: /* @__PURE__ */ o(() => t, "shape")
    });
  }
  required(e) {
    let t = {};
    for (let s of v.objectKeys(this.shape))
      if (e && !e[s])
        t[s] = this.shape[s];
      else {
        let a = this.shape[s];
        for (; a instanceof A; )
          a = a._def.innerType;
        t[s] = a;
      }
    return new r({
      ...this._def,
      shape: /* @__PURE__ */ o(() => t, "shape")
    });
  }
  keyof() {
    return De(v.objectKeys(this.shape));
  }
};
C.create = (r, e) => new C({
  shape: /* @__PURE__ */ o(() => r, "shape"),
  unknownKeys: "strip",
  catchall: j.create(),
  typeName: y.ZodObject,
  ...g(e)
});
C.strictCreate = (r, e) => new C({
  shape: /* @__PURE__ */ o(() => r, "shape"),
  unknownKeys: "strict",
  catchall: j.create(),
  typeName: y.ZodObject,
  ...g(e)
});
C.lazycreate = (r, e) => new C({
  shape: r,
  unknownKeys: "strip",
  catchall: j.create(),
  typeName: y.ZodObject,
  ...g(e)
});
var H = class extends _ {
  static {
    o(this, "ZodUnion");
  }
  _parse(e) {
    let { ctx: t } = this._processInputParams(e), s = this._def.options;
    function n(a) {
      for (let c of a)
        if (c.result.status === "valid")
          return c.result;
      for (let c of a)
        if (c.result.status === "dirty")
          return t.common.issues.push(...c.ctx.common.issues), c.result;
      let i = a.map((c) => new T(c.ctx.common.issues));
      return u(t, {
        code: d.invalid_union,
        unionErrors: i
      }), m;
    }
    if (o(n, "handleResults"), t.common.async)
      return Promise.all(s.map(async (a) => {
        let i = {
          ...t,
          common: {
            ...t.common,
            issues: []
          },
          parent: null
        };
        return {
          result: await a._parseAsync({
            data: t.data,
            path: t.path,
            parent: i
          }),
          ctx: i
        };
      })).then(n);
    {
      let a, i = [];
      for (let h of s) {
        let f = {
          ...t,
          common: {
            ...t.common,
            issues: []
          },
          parent: null
        }, x = h._parseSync({
          data: t.data,
          path: t.path,
          parent: f
        });
        if (x.status === "valid")
          return x;
        x.status === "dirty" && !a && (a = { result: x, ctx: f }), f.common.issues.length && i.push(f.common.issues);
      }
      if (a)
        return t.common.issues.push(...a.ctx.common.issues), a.result;
      let c = i.map((h) => new T(h));
      return u(t, {
        code: d.invalid_union,
        unionErrors: c
      }), m;
    }
  }
  get options() {
    return this._def.options;
  }
};
H.create = (r, e) => new H({
  options: r,
  typeName: y.ZodUnion,
  ...g(e)
});
var M = /* @__PURE__ */ o((r) => r instanceof X ? M(r.schema) : r instanceof R ? M(r.innerType()) : r instanceof K ? [r.value] : r instanceof ee ? r.options : r instanceof te ? v.objectValues(r.enum) : r instanceof re ? M(r._def.innerType) : r instanceof Y ? [void 0] : r instanceof G ? [null] : r instanceof A ? [void 0, ...M(r.unwrap())] : r instanceof Z ? [null, ...M(r.unwrap())] : r instanceof pe || r instanceof ne ? M(r.unwrap()) : r instanceof se ? M(r._def.innerType) : [], "getDiscriminator"), xe = class r extends _ {
  static {
    o(this, "ZodDiscriminatedUnion");
  }
  _parse(e) {
    let { ctx: t } = this._processInputParams(e);
    if (t.parsedType !== l.object)
      return u(t, {
        code: d.invalid_type,
        expected: l.object,
        received: t.parsedType
      }), m;
    let s = this.discriminator, n = t.data[s], a = this.optionsMap.get(n);
    return a ? t.common.async ? a._parseAsync({
      data: t.data,
      path: t.path,
      parent: t
    }) : a._parseSync({
      data: t.data,
      path: t.path,
      parent: t
    }) : (u(t, {
      code: d.invalid_union_discriminator,
      options: Array.from(this.optionsMap.keys()),
      path: [s]
    }), m);
  }
  get discriminator() {
    return this._def.discriminator;
  }
  get options() {
    return this._def.options;
  }
  get optionsMap() {
    return this._def.optionsMap;
  }
  /**
   * The constructor of the discriminated union schema. Its behaviour is very similar to that of the normal z.union() constructor.
   * However, it only allows a union of objects, all of which need to share a discriminator property. This property must
   * have a different value for each object in the union.
   * @param discriminator the name of the discriminator property
   * @param types an array of object schemas
   * @param params
   */
  static create(e, t, s) {
    let n = /* @__PURE__ */ new Map();
    for (let a of t) {
      let i = M(a.shape[e]);
      if (!i.length)
        throw new Error(`A discriminator value for key \`${e}\` could not be extracted from all schema options`);
      for (let c of i) {
        if (n.has(c))
          throw new Error(`Discriminator property ${String(e)} has duplicate value ${String(c)}`);
        n.set(c, a);
      }
    }
    return new r({
      typeName: y.ZodDiscriminatedUnion,
      discriminator: e,
      options: t,
      optionsMap: n,
      ...g(s)
    });
  }
};
function Se(r, e) {
  let t = E(r), s = E(e);
  if (r === e)
    return { valid: !0, data: r };
  if (t === l.object && s === l.object) {
    let n = v.objectKeys(e), a = v.objectKeys(r).filter((c) => n.indexOf(c) !== -1), i = { ...r, ...e };
    for (let c of a) {
      let h = Se(r[c], e[c]);
      if (!h.valid)
        return { valid: !1 };
      i[c] = h.data;
    }
    return { valid: !0, data: i };
  } else if (t === l.array && s === l.array) {
    if (r.length !== e.length)
      return { valid: !1 };
    let n = [];
    for (let a = 0; a < r.length; a++) {
      let i = r[a], c = e[a], h = Se(i, c);
      if (!h.valid)
        return { valid: !1 };
      n.push(h.data);
    }
    return { valid: !0, data: n };
  } else return t === l.date && s === l.date && +r == +e ? { valid: !0, data: r } : { valid: !1 };
}
o(Se, "mergeValues");
var Q = class extends _ {
  static {
    o(this, "ZodIntersection");
  }
  _parse(e) {
    let { status: t, ctx: s } = this._processInputParams(e), n = /* @__PURE__ */ o((a, i) => {
      if (_e(a) || _e(i))
        return m;
      let c = Se(a.value, i.value);
      return c.valid ? ((ve(a) || ve(i)) && t.dirty(), { status: t.value, value: c.data }) : (u(s, {
        code: d.invalid_intersection_types
      }), m);
    }, "handleParsed");
    return s.common.async ? Promise.all([
      this._def.left._parseAsync({
        data: s.data,
        path: s.path,
        parent: s
      }),
      this._def.right._parseAsync({
        data: s.data,
        path: s.path,
        parent: s
      })
    ]).then(([a, i]) => n(a, i)) : n(this._def.left._parseSync({
      data: s.data,
      path: s.path,
      parent: s
    }), this._def.right._parseSync({
      data: s.data,
      path: s.path,
      parent: s
    }));
  }
};
Q.create = (r, e, t) => new Q({
  left: r,
  right: e,
  typeName: y.ZodIntersection,
  ...g(t)
});
var I = class r extends _ {
  static {
    o(this, "ZodTuple");
  }
  _parse(e) {
    let { status: t, ctx: s } = this._processInputParams(e);
    if (s.parsedType !== l.array)
      return u(s, {
        code: d.invalid_type,
        expected: l.array,
        received: s.parsedType
      }), m;
    if (s.data.length < this._def.items.length)
      return u(s, {
        code: d.too_small,
        minimum: this._def.items.length,
        inclusive: !0,
        exact: !1,
        type: "array"
      }), m;
    !this._def.rest && s.data.length > this._def.items.length && (u(s, {
      code: d.too_big,
      maximum: this._def.items.length,
      inclusive: !0,
      exact: !1,
      type: "array"
    }), t.dirty());
    let a = [...s.data].map((i, c) => {
      let h = this._def.items[c] || this._def.rest;
      return h ? h._parse(new N(s, i, s.path, c)) : null;
    }).filter((i) => !!i);
    return s.common.async ? Promise.all(a).then((i) => k.mergeArray(t, i)) : k.mergeArray(t, a);
  }
  get items() {
    return this._def.items;
  }
  rest(e) {
    return new r({
      ...this._def,
      rest: e
    });
  }
};
I.create = (r, e) => {
  if (!Array.isArray(r))
    throw new Error("You must pass an array of schemas to z.tuple([ ... ])");
  return new I({
    items: r,
    typeName: y.ZodTuple,
    rest: null,
    ...g(e)
  });
};
var ke = class r extends _ {
  static {
    o(this, "ZodRecord");
  }
  get keySchema() {
    return this._def.keyType;
  }
  get valueSchema() {
    return this._def.valueType;
  }
  _parse(e) {
    let { status: t, ctx: s } = this._processInputParams(e);
    if (s.parsedType !== l.object)
      return u(s, {
        code: d.invalid_type,
        expected: l.object,
        received: s.parsedType
      }), m;
    let n = [], a = this._def.keyType, i = this._def.valueType;
    for (let c in s.data)
      n.push({
        key: a._parse(new N(s, c, s.path, c)),
        value: i._parse(new N(s, s.data[c], s.path, c)),
        alwaysSet: c in s.data
      });
    return s.common.async ? k.mergeObjectAsync(t, n) : k.mergeObjectSync(t, n);
  }
  get element() {
    return this._def.valueType;
  }
  static create(e, t, s) {
    return t instanceof _ ? new r({
      keyType: e,
      valueType: t,
      typeName: y.ZodRecord,
      ...g(s)
    }) : new r({
      keyType: D.create(),
      valueType: e,
      typeName: y.ZodRecord,
      ...g(t)
    });
  }
}, ue = class extends _ {
  static {
    o(this, "ZodMap");
  }
  get keySchema() {
    return this._def.keyType;
  }
  get valueSchema() {
    return this._def.valueType;
  }
  _parse(e) {
    let { status: t, ctx: s } = this._processInputParams(e);
    if (s.parsedType !== l.map)
      return u(s, {
        code: d.invalid_type,
        expected: l.map,
        received: s.parsedType
      }), m;
    let n = this._def.keyType, a = this._def.valueType, i = [...s.data.entries()].map(([c, h], f) => ({
      key: n._parse(new N(s, c, s.path, [f, "key"])),
      value: a._parse(new N(s, h, s.path, [f, "value"]))
    }));
    if (s.common.async) {
      let c = /* @__PURE__ */ new Map();
      return Promise.resolve().then(async () => {
        for (let h of i) {
          let f = await h.key, x = await h.value;
          if (f.status === "aborted" || x.status === "aborted")
            return m;
          (f.status === "dirty" || x.status === "dirty") && t.dirty(), c.set(f.value, x.value);
        }
        return { status: t.value, value: c };
      });
    } else {
      let c = /* @__PURE__ */ new Map();
      for (let h of i) {
        let f = h.key, x = h.value;
        if (f.status === "aborted" || x.status === "aborted")
          return m;
        (f.status === "dirty" || x.status === "dirty") && t.dirty(), c.set(f.value, x.value);
      }
      return { status: t.value, value: c };
    }
  }
};
ue.create = (r, e, t) => new ue({
  valueType: e,
  keyType: r,
  typeName: y.ZodMap,
  ...g(t)
});
var le = class r extends _ {
  static {
    o(this, "ZodSet");
  }
  _parse(e) {
    let { status: t, ctx: s } = this._processInputParams(e);
    if (s.parsedType !== l.set)
      return u(s, {
        code: d.invalid_type,
        expected: l.set,
        received: s.parsedType
      }), m;
    let n = this._def;
    n.minSize !== null && s.data.size < n.minSize.value && (u(s, {
      code: d.too_small,
      minimum: n.minSize.value,
      type: "set",
      inclusive: !0,
      exact: !1,
      message: n.minSize.message
    }), t.dirty()), n.maxSize !== null && s.data.size > n.maxSize.value && (u(s, {
      code: d.too_big,
      maximum: n.maxSize.value,
      type: "set",
      inclusive: !0,
      exact: !1,
      message: n.maxSize.message
    }), t.dirty());
    let a = this._def.valueType;
    function i(h) {
      let f = /* @__PURE__ */ new Set();
      for (let x of h) {
        if (x.status === "aborted")
          return m;
        x.status === "dirty" && t.dirty(), f.add(x.value);
      }
      return { status: t.value, value: f };
    }
    o(i, "finalizeSet");
    let c = [...s.data.values()].map((h, f) => a._parse(new N(s, h, s.path, f)));
    return s.common.async ? Promise.all(c).then((h) => i(h)) : i(c);
  }
  min(e, t) {
    return new r({
      ...this._def,
      minSize: { value: e, message: p.toString(t) }
    });
  }
  max(e, t) {
    return new r({
      ...this._def,
      maxSize: { value: e, message: p.toString(t) }
    });
  }
  size(e, t) {
    return this.min(e, t).max(e, t);
  }
  nonempty(e) {
    return this.min(1, e);
  }
};
le.create = (r, e) => new le({
  valueType: r,
  minSize: null,
  maxSize: null,
  typeName: y.ZodSet,
  ...g(e)
});
var be = class r extends _ {
  static {
    o(this, "ZodFunction");
  }
  constructor() {
    super(...arguments), this.validate = this.implement;
  }
  _parse(e) {
    let { ctx: t } = this._processInputParams(e);
    if (t.parsedType !== l.function)
      return u(t, {
        code: d.invalid_type,
        expected: l.function,
        received: t.parsedType
      }), m;
    function s(c, h) {
      return he({
        data: c,
        path: t.path,
        errorMaps: [t.common.contextualErrorMap, t.schemaErrorMap, ae(), $].filter((f) => !!f),
        issueData: {
          code: d.invalid_arguments,
          argumentsError: h
        }
      });
    }
    o(s, "makeArgsIssue");
    function n(c, h) {
      return he({
        data: c,
        path: t.path,
        errorMaps: [t.common.contextualErrorMap, t.schemaErrorMap, ae(), $].filter((f) => !!f),
        issueData: {
          code: d.invalid_return_type,
          returnTypeError: h
        }
      });
    }
    o(n, "makeReturnsIssue");
    let a = { errorMap: t.common.contextualErrorMap }, i = t.data;
    if (this._def.returns instanceof U) {
      let c = this;
      return b(async function(...h) {
        let f = new T([]), x = await c._def.args.parseAsync(h, a).catch((Te) => {
          throw f.addIssue(s(h, Te)), f;
        }), S = await Reflect.apply(i, this, x);
        return await c._def.returns._def.type.parseAsync(S, a).catch((Te) => {
          throw f.addIssue(n(S, Te)), f;
        });
      });
    } else {
      let c = this;
      return b(function(...h) {
        let f = c._def.args.safeParse(h, a);
        if (!f.success)
          throw new T([s(h, f.error)]);
        let x = Reflect.apply(i, this, f.data), S = c._def.returns.safeParse(x, a);
        if (!S.success)
          throw new T([n(x, S.error)]);
        return S.data;
      });
    }
  }
  parameters() {
    return this._def.args;
  }
  returnType() {
    return this._def.returns;
  }
  args(...e) {
    return new r({
      ...this._def,
      args: I.create(e).rest(V.create())
    });
  }
  returns(e) {
    return new r({
      ...this._def,
      returns: e
    });
  }
  implement(e) {
    return this.parse(e);
  }
  strictImplement(e) {
    return this.parse(e);
  }
  static create(e, t, s) {
    return new r({
      args: e || I.create([]).rest(V.create()),
      returns: t || V.create(),
      typeName: y.ZodFunction,
      ...g(s)
    });
  }
}, X = class extends _ {
  static {
    o(this, "ZodLazy");
  }
  get schema() {
    return this._def.getter();
  }
  _parse(e) {
    let { ctx: t } = this._processInputParams(e);
    return this._def.getter()._parse({ data: t.data, path: t.path, parent: t });
  }
};
X.create = (r, e) => new X({
  getter: r,
  typeName: y.ZodLazy,
  ...g(e)
});
var K = class extends _ {
  static {
    o(this, "ZodLiteral");
  }
  _parse(e) {
    if (e.data !== this._def.value) {
      let t = this._getOrReturnCtx(e);
      return u(t, {
        received: t.data,
        code: d.invalid_literal,
        expected: this._def.value
      }), m;
    }
    return { status: "valid", value: e.data };
  }
  get value() {
    return this._def.value;
  }
};
K.create = (r, e) => new K({
  value: r,
  typeName: y.ZodLiteral,
  ...g(e)
});
function De(r, e) {
  return new ee({
    values: r,
    typeName: y.ZodEnum,
    ...g(e)
  });
}
o(De, "createZodEnum");
var ee = class r extends _ {
  static {
    o(this, "ZodEnum");
  }
  _parse(e) {
    if (typeof e.data != "string") {
      let t = this._getOrReturnCtx(e), s = this._def.values;
      return u(t, {
        expected: v.joinValues(s),
        received: t.parsedType,
        code: d.invalid_type
      }), m;
    }
    if (this._cache || (this._cache = new Set(this._def.values)), !this._cache.has(e.data)) {
      let t = this._getOrReturnCtx(e), s = this._def.values;
      return u(t, {
        received: t.data,
        code: d.invalid_enum_value,
        options: s
      }), m;
    }
    return b(e.data);
  }
  get options() {
    return this._def.values;
  }
  get enum() {
    let e = {};
    for (let t of this._def.values)
      e[t] = t;
    return e;
  }
  get Values() {
    let e = {};
    for (let t of this._def.values)
      e[t] = t;
    return e;
  }
  get Enum() {
    let e = {};
    for (let t of this._def.values)
      e[t] = t;
    return e;
  }
  extract(e, t = this._def) {
    return r.create(e, {
      ...this._def,
      ...t
    });
  }
  exclude(e, t = this._def) {
    return r.create(this.options.filter((s) => !e.includes(s)), {
      ...this._def,
      ...t
    });
  }
};
ee.create = De;
var te = class extends _ {
  static {
    o(this, "ZodNativeEnum");
  }
  _parse(e) {
    let t = v.getValidEnumValues(this._def.values), s = this._getOrReturnCtx(e);
    if (s.parsedType !== l.string && s.parsedType !== l.number) {
      let n = v.objectValues(t);
      return u(s, {
        expected: v.joinValues(n),
        received: s.parsedType,
        code: d.invalid_type
      }), m;
    }
    if (this._cache || (this._cache = new Set(v.getValidEnumValues(this._def.values))), !this._cache.has(e.data)) {
      let n = v.objectValues(t);
      return u(s, {
        received: s.data,
        code: d.invalid_enum_value,
        options: n
      }), m;
    }
    return b(e.data);
  }
  get enum() {
    return this._def.values;
  }
};
te.create = (r, e) => new te({
  values: r,
  typeName: y.ZodNativeEnum,
  ...g(e)
});
var U = class extends _ {
  static {
    o(this, "ZodPromise");
  }
  unwrap() {
    return this._def.type;
  }
  _parse(e) {
    let { ctx: t } = this._processInputParams(e);
    if (t.parsedType !== l.promise && t.common.async === !1)
      return u(t, {
        code: d.invalid_type,
        expected: l.promise,
        received: t.parsedType
      }), m;
    let s = t.parsedType === l.promise ? t.data : Promise.resolve(t.data);
    return b(s.then((n) => this._def.type.parseAsync(n, {
      path: t.path,
      errorMap: t.common.contextualErrorMap
    })));
  }
};
U.create = (r, e) => new U({
  type: r,
  typeName: y.ZodPromise,
  ...g(e)
});
var R = class extends _ {
  static {
    o(this, "ZodEffects");
  }
  innerType() {
    return this._def.schema;
  }
  sourceType() {
    return this._def.schema._def.typeName === y.ZodEffects ? this._def.schema.sourceType() : this._def.schema;
  }
  _parse(e) {
    let { status: t, ctx: s } = this._processInputParams(e), n = this._def.effect || null, a = {
      addIssue: /* @__PURE__ */ o((i) => {
        u(s, i), i.fatal ? t.abort() : t.dirty();
      }, "addIssue"),
      get path() {
        return s.path;
      }
    };
    if (a.addIssue = a.addIssue.bind(a), n.type === "preprocess") {
      let i = n.transform(s.data, a);
      if (s.common.async)
        return Promise.resolve(i).then(async (c) => {
          if (t.value === "aborted")
            return m;
          let h = await this._def.schema._parseAsync({
            data: c,
            path: s.path,
            parent: s
          });
          return h.status === "aborted" ? m : h.status === "dirty" ? B(h.value) : t.value === "dirty" ? B(h.value) : h;
        });
      {
        if (t.value === "aborted")
          return m;
        let c = this._def.schema._parseSync({
          data: i,
          path: s.path,
          parent: s
        });
        return c.status === "aborted" ? m : c.status === "dirty" ? B(c.value) : t.value === "dirty" ? B(c.value) : c;
      }
    }
    if (n.type === "refinement") {
      let i = /* @__PURE__ */ o((c) => {
        let h = n.refinement(c, a);
        if (s.common.async)
          return Promise.resolve(h);
        if (h instanceof Promise)
          throw new Error("Async refinement encountered during synchronous parse operation. Use .parseAsync instead.");
        return c;
      }, "executeRefinement");
      if (s.common.async === !1) {
        let c = this._def.schema._parseSync({
          data: s.data,
          path: s.path,
          parent: s
        });
        return c.status === "aborted" ? m : (c.status === "dirty" && t.dirty(), i(c.value), { status: t.value, value: c.value });
      } else
        return this._def.schema._parseAsync({ data: s.data, path: s.path, parent: s }).then((c) => c.status === "aborted" ? m : (c.status === "dirty" && t.dirty(), i(c.value).then(() => ({ status: t.value, value: c.value }))));
    }
    if (n.type === "transform")
      if (s.common.async === !1) {
        let i = this._def.schema._parseSync({
          data: s.data,
          path: s.path,
          parent: s
        });
        if (!z(i))
          return m;
        let c = n.transform(i.value, a);
        if (c instanceof Promise)
          throw new Error("Asynchronous transform encountered during synchronous parse operation. Use .parseAsync instead.");
        return { status: t.value, value: c };
      } else
        return this._def.schema._parseAsync({ data: s.data, path: s.path, parent: s }).then((i) => z(i) ? Promise.resolve(n.transform(i.value, a)).then((c) => ({
          status: t.value,
          value: c
        })) : m);
    v.assertNever(n);
  }
};
R.create = (r, e, t) => new R({
  schema: r,
  typeName: y.ZodEffects,
  effect: e,
  ...g(t)
});
R.createWithPreprocess = (r, e, t) => new R({
  schema: e,
  effect: { type: "preprocess", transform: r },
  typeName: y.ZodEffects,
  ...g(t)
});
var A = class extends _ {
  static {
    o(this, "ZodOptional");
  }
  _parse(e) {
    return this._getType(e) === l.undefined ? b(void 0) : this._def.innerType._parse(e);
  }
  unwrap() {
    return this._def.innerType;
  }
};
A.create = (r, e) => new A({
  innerType: r,
  typeName: y.ZodOptional,
  ...g(e)
});
var Z = class extends _ {
  static {
    o(this, "ZodNullable");
  }
  _parse(e) {
    return this._getType(e) === l.null ? b(null) : this._def.innerType._parse(e);
  }
  unwrap() {
    return this._def.innerType;
  }
};
Z.create = (r, e) => new Z({
  innerType: r,
  typeName: y.ZodNullable,
  ...g(e)
});
var re = class extends _ {
  static {
    o(this, "ZodDefault");
  }
  _parse(e) {
    let { ctx: t } = this._processInputParams(e), s = t.data;
    return t.parsedType === l.undefined && (s = this._def.defaultValue()), this._def.innerType._parse({
      data: s,
      path: t.path,
      parent: t
    });
  }
  removeDefault() {
    return this._def.innerType;
  }
};
re.create = (r, e) => new re({
  innerType: r,
  typeName: y.ZodDefault,
  defaultValue: typeof e.default == "function" ? e.default : () => e.default,
  ...g(e)
});
var se = class extends _ {
  static {
    o(this, "ZodCatch");
  }
  _parse(e) {
    let { ctx: t } = this._processInputParams(e), s = {
      ...t,
      common: {
        ...t.common,
        issues: []
      }
    }, n = this._def.innerType._parse({
      data: s.data,
      path: s.path,
      parent: {
        ...s
      }
    });
    return ie(n) ? n.then((a) => ({
      status: "valid",
      value: a.status === "valid" ? a.value : this._def.catchValue({
        get error() {
          return new T(s.common.issues);
        },
        input: s.data
      })
    })) : {
      status: "valid",
      value: n.status === "valid" ? n.value : this._def.catchValue({
        get error() {
          return new T(s.common.issues);
        },
        input: s.data
      })
    };
  }
  removeCatch() {
    return this._def.innerType;
  }
};
se.create = (r, e) => new se({
  innerType: r,
  typeName: y.ZodCatch,
  catchValue: typeof e.catch == "function" ? e.catch : () => e.catch,
  ...g(e)
});
var fe = class extends _ {
  static {
    o(this, "ZodNaN");
  }
  _parse(e) {
    if (this._getType(e) !== l.nan) {
      let s = this._getOrReturnCtx(e);
      return u(s, {
        code: d.invalid_type,
        expected: l.nan,
        received: s.parsedType
      }), m;
    }
    return { status: "valid", value: e.data };
  }
};
fe.create = (r) => new fe({
  typeName: y.ZodNaN,
  ...g(r)
});
var gt = Symbol("zod_brand"), pe = class extends _ {
  static {
    o(this, "ZodBranded");
  }
  _parse(e) {
    let { ctx: t } = this._processInputParams(e), s = t.data;
    return this._def.type._parse({
      data: s,
      path: t.path,
      parent: t
    });
  }
  unwrap() {
    return this._def.type;
  }
}, me = class r extends _ {
  static {
    o(this, "ZodPipeline");
  }
  _parse(e) {
    let { status: t, ctx: s } = this._processInputParams(e);
    if (s.common.async)
      return (/* @__PURE__ */ o(async () => {
        let a = await this._def.in._parseAsync({
          data: s.data,
          path: s.path,
          parent: s
        });
        return a.status === "aborted" ? m : a.status === "dirty" ? (t.dirty(), B(a.value)) : this._def.out._parseAsync({
          data: a.value,
          path: s.path,
          parent: s
        });
      }, "handleAsync"))();
    {
      let n = this._def.in._parseSync({
        data: s.data,
        path: s.path,
        parent: s
      });
      return n.status === "aborted" ? m : n.status === "dirty" ? (t.dirty(), {
        status: "dirty",
        value: n.value
      }) : this._def.out._parseSync({
        data: n.value,
        path: s.path,
        parent: s
      });
    }
  }
  static create(e, t) {
    return new r({
      in: e,
      out: t,
      typeName: y.ZodPipeline
    });
  }
}, ne = class extends _ {
  static {
    o(this, "ZodReadonly");
  }
  _parse(e) {
    let t = this._def.innerType._parse(e), s = /* @__PURE__ */ o((n) => (z(n) && (n.value = Object.freeze(n.value)), n), "freeze");
    return ie(t) ? t.then((n) => s(n)) : s(t);
  }
  unwrap() {
    return this._def.innerType;
  }
};
ne.create = (r, e) => new ne({
  innerType: r,
  typeName: y.ZodReadonly,
  ...g(e)
});
function Me(r, e) {
  let t = typeof r == "function" ? r(e) : typeof r == "string" ? { message: r } : r;
  return typeof t == "string" ? { message: t } : t;
}
o(Me, "cleanParams");
function Le(r, e = {}, t) {
  return r ? L.create().superRefine((s, n) => {
    let a = r(s);
    if (a instanceof Promise)
      return a.then((i) => {
        if (!i) {
          let c = Me(e, s), h = c.fatal ?? t ?? !0;
          n.addIssue({ code: "custom", ...c, fatal: h });
        }
      });
    if (!a) {
      let i = Me(e, s), c = i.fatal ?? t ?? !0;
      n.addIssue({ code: "custom", ...i, fatal: c });
    }
  }) : L.create();
}
o(Le, "custom");
var _t = {
  object: C.lazycreate
}, y;
(function(r) {
  r.ZodString = "ZodString", r.ZodNumber = "ZodNumber", r.ZodNaN = "ZodNaN", r.ZodBigInt = "ZodBigInt", r.ZodBoolean = "ZodBoolean", r.ZodDate = "ZodDate", r.ZodSymbol = "ZodSymbol", r.ZodUndefined = "ZodUndefined", r.ZodNull = "ZodNull", r.ZodAny = "ZodAny", r.ZodUnknown = "ZodUnknown", r.ZodNever = "ZodNever", r.ZodVoid = "ZodVoid", r.ZodArray = "ZodArray", r.ZodObject = "ZodObject", r.ZodUnion = "ZodUnion", r.ZodDiscriminatedUnion = "ZodDiscriminatedUnion", r.ZodIntersection = "ZodIntersection", r.ZodTuple = "ZodTuple", r.ZodRecord = "ZodRecord", r.ZodMap = "ZodMap", r.ZodSet = "ZodSet", r.ZodFunction = "ZodFunction", r.ZodLazy = "ZodLazy", r.ZodLiteral = "ZodLiteral", r.ZodEnum = "ZodEnum", r.ZodEffects = "ZodEffects", r.ZodNativeEnum = "ZodNativeEnum", r.ZodOptional = "ZodOptional", r.ZodNullable = "ZodNullable", r.ZodDefault = "ZodDefault", r.ZodCatch = "ZodCatch", r.ZodPromise = "ZodPromise", r.ZodBranded = "ZodBranded", r.ZodPipeline = "ZodPipeline", r.ZodReadonly = "ZodReadonly";
})(y || (y = {}));
var vt = /* @__PURE__ */ o((r, e = {
  message: `Input not instance of ${r.name}`
}) => Le((t) => t instanceof r, e), "instanceOfType"), Ue = D.create, Be = F.create, xt = fe.create, kt = W.create, Fe = q.create, bt = J.create, wt = ce.create, Tt = Y.create, Ct = G.create, Ot = L.create, St = V.create, At = j.create, Nt = de.create, Rt = P.create, jt = C.create, Et = C.strictCreate, It = H.create, Zt = xe.create, $t = Q.create, Mt = I.create, Vt = ke.create, Pt = ue.create, zt = le.create, Dt = be.create, Lt = X.create, Ut = K.create, Bt = ee.create, Ft = te.create, Wt = U.create, qt = R.create, Jt = A.create, Yt = Z.create, Gt = R.createWithPreprocess, Ht = me.create, Qt = /* @__PURE__ */ o(() => Ue().optional(), "ostring"), Xt = /* @__PURE__ */ o(() => Be().optional(), "onumber"), Kt = /* @__PURE__ */ o(() => Fe().optional(), "oboolean"), er = {
  string: /* @__PURE__ */ o(((r) => D.create({ ...r, coerce: !0 })), "string"),
  number: /* @__PURE__ */ o(((r) => F.create({ ...r, coerce: !0 })), "number"),
  boolean: /* @__PURE__ */ o(((r) => q.create({
    ...r,
    coerce: !0
  })), "boolean"),
  bigint: /* @__PURE__ */ o(((r) => W.create({ ...r, coerce: !0 })), "bigint"),
  date: /* @__PURE__ */ o(((r) => J.create({ ...r, coerce: !0 })), "date")
};
var tr = m;

// convex/messages.ts
var rr = we.string().min(1).max(100), zr = O({
  args: { limit: w.optional(w.number()) },
  handler: /* @__PURE__ */ o(async (r, e) => (await r.db.query("messages").take(e.limit ?? 10)).map((s) => s.body), "handler")
}), Dr = ge({
  args: { body: w.string(), author: w.string() },
  returns: w.id("messages"),
  handler: /* @__PURE__ */ o(async (r, { body: e, author: t }) => {
    if (!rr.safeParse(e).success)
      throw new ye({ code: "bad_body", length: BigInt(e.length) });
    return console.log("sending", e, { author: t, n: 1 }), await r.db.insert("messages", { body: e, author: t });
  }, "handler")
}), Lr = O({
  args: { n: w.int64(), f: w.float64(), b: w.bytes(), s: w.string() },
  handler: /* @__PURE__ */ o(async (r, e) => ({ n: e.n + 1n, f: e.f, b: e.b, s: e.s, len: e.b.byteLength }), "handler")
}), Ur = O({
  args: {},
  handler: /* @__PURE__ */ o(async () => {
    let r = new TextEncoder().encode("h\xE9llo");
    return {
      now: Date.now(),
      dateNow: (/* @__PURE__ */ new Date()).getTime(),
      random: Math.random(),
      env: process.env.GREETING ?? null,
      missing: process.env.NOT_SET === void 0,
      utf8: Array.from(r).length,
      roundTrip: new TextDecoder().decode(r),
      b64: btoa("hi!"),
      unb64: atob("aGkh"),
      asUintN: BigInt.asUintN(64, -1n).toString(),
      hasWindow: typeof window < "u"
    };
  }, "handler")
}), Br = O({
  args: {},
  handler: /* @__PURE__ */ o(async () => (console.log("a", 1, [1, "x"], { k: "v" }), console.info("info line"), console.warn("warn line"), console.error("error line"), console.debug("debug line"), null), "handler")
}), Fr = O({
  args: {},
  handler: /* @__PURE__ */ o(async () => {
    throw new Error("plain failure");
  }, "handler")
}), Wr = ge({
  args: {},
  handler: /* @__PURE__ */ o(async () => {
    throw new ye("just a string");
  }, "handler")
}), qr = O({
  args: {},
  handler: /* @__PURE__ */ o(() => new Promise(() => {
  }), "handler")
}), Jr = O({
  args: {},
  handler: /* @__PURE__ */ o(async () => {
    for (; ; )
      ;
  }, "handler")
}), Yr = O({
  args: {},
  handler: /* @__PURE__ */ o(async () => globalThis.Convex.syscall("1.0/noSuchOp", "{}"), "handler")
}), Gr = O({
  args: {},
  handler: /* @__PURE__ */ o(async () => {
    try {
      return await globalThis.Convex.asyncSyscall("1.0/noSuchAsyncOp", "{}"), "resolved";
    } catch (r) {
      return r.message;
    }
  }, "handler")
}), Hr = ge({
  args: {},
  handler: /* @__PURE__ */ o(async (r) => {
    try {
      return await r.db.insert("reject", { x: 1 }), "inserted";
    } catch (e) {
      return { message: e.message, data: e.data ?? null, isConvex: e instanceof ye };
    }
  }, "handler")
}), Qr = Re({
  args: { x: w.number() },
  handler: /* @__PURE__ */ o(async (r, { x: e }) => e * 2, "handler")
}), Xr = Ne({
  args: {},
  handler: /* @__PURE__ */ o(async () => null, "handler")
}), Kr = je({
  args: { body: w.string() },
  handler: /* @__PURE__ */ o(async (r, { body: e }) => {
    let t = await r.runQuery(Ie.messages.secret, { x: e.length });
    return await r.runMutation(Ee.messages.send, { body: e, author: "action" }), t;
  }, "handler")
}), es = O({
  args: {},
  handler: /* @__PURE__ */ o(async () => {
    let r = globalThis;
    return r.__counter = (r.__counter ?? 0) + 1, r.__counter;
  }, "handler")
}), ts = O({
  args: { id: w.string() },
  handler: /* @__PURE__ */ o(async (r, { id: e }) => await r.db.get(e), "handler")
}), rs = O({
  args: { author: w.string() },
  handler: /* @__PURE__ */ o(async (r, { author: e }) => await r.db.query("messages").withIndex("by_author", (t) => t.eq("author", e)).take(20), "handler")
});
export {
  Xr as bump,
  rs as byAuthor,
  ts as byId,
  Lr as echo,
  Fr as fails,
  Wr as failsConvex,
  Ur as globals,
  Hr as hostConvexError,
  zr as list,
  Br as logs,
  qr as never,
  Kr as run,
  Qr as secret,
  Dr as send,
  Jr as spin,
  es as state,
  Gr as unknownAsync,
  Yr as unknownSync
};
//# sourceMappingURL=messages.js.map
