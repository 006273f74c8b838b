// ---- structuredClone, queueMicrotask, performance ----
const typedArrays = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array];
const errorTypes = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
const cloneError = (what) => new DOMException(`${what} could not be cloned.`, "DataCloneError");
const cloneValue = (v, memo) => {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) {
    if (typeof v === "symbol") throw cloneError(String(v));
    return v;
  }
  if (typeof v === "function") throw cloneError(String(v).split("\n")[0].slice(0, 60));
  if (memo.has(v)) return memo.get(v);
  let out;
  const remember = (x) => { memo.set(v, x); return x; };
  if (v instanceof Date) return remember(new Date(v.getTime()));
  if (v instanceof RegExp) return remember(new RegExp(v.source, v.flags));
  if (v instanceof Boolean || v instanceof Number || v instanceof String || v instanceof BigInt) return remember(Object(v.valueOf()));
  if (v instanceof ArrayBuffer) return remember(v.slice(0));
  if (ArrayBuffer.isView(v)) {
    const buf = cloneValue(v.buffer, memo);
    if (v instanceof DataView) return remember(new DataView(buf, v.byteOffset, v.byteLength));
    const C = typedArrays.find((T) => v instanceof T);
    return remember(new C(buf, v.byteOffset, v.length));
  }
  if (v instanceof Map) {
    out = remember(new Map());
    for (const [k, x] of v) out.set(cloneValue(k, memo), cloneValue(x, memo));
    return out;
  }
  if (v instanceof Set) {
    out = remember(new Set());
    for (const x of v) out.add(cloneValue(x, memo));
    return out;
  }
  if (v instanceof Error) {
    const C = errorTypes[v.name] ?? Error;
    out = remember(new C(v.message));
    if ("stack" in v) Object.defineProperty(out, "stack", { value: v.stack, writable: true, configurable: true });
    if ("cause" in v) out.cause = cloneValue(v.cause, memo);
    return out;
  }
  if (typeof g.Blob === "function" && v instanceof g.Blob) return remember(v);
  if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet || v instanceof EventTarget) {
    throw cloneError(`#<${v.constructor?.name ?? "Object"}>`);
  }
  if (Array.isArray(v)) {
    out = remember(new Array(v.length));
    for (const k of Object.keys(v)) out[k] = cloneValue(v[k], memo);
    return out;
  }
  out = remember({});
  for (const k of Object.keys(v)) out[k] = cloneValue(v[k], memo);
  return out;
};
define("structuredClone", function structuredClone(value, options) {
  if (arguments.length === 0) throw new TypeError("structuredClone: 1 argument required, but only 0 present.");
  const out = cloneValue(value, new Map());
  for (const t of options?.transfer ?? []) {
    if (t instanceof ArrayBuffer && typeof t.transfer === "function") t.transfer();
  }
  return out;
});

define("queueMicrotask", function queueMicrotask(callback) {
  if (typeof callback !== "function") throw new TypeError("queueMicrotask: callback is not a function");
  Promise.resolve().then(() => {
    try { callback(); } catch (e) { reportError(e); }
  });
});

// performance: real time in actions; in queries and mutations now() stays
// at 0 and timeOrigin is the call's frozen time, so no real time leaks.
{
  const origin = DateNow();
  const entries = [];
  const now = () => (deterministic ? 0 : DateNow() - origin);
  const entry = (name, entryType, startTime, duration, detail) => ({ name, entryType, startTime, duration, detail: detail ?? null, toJSON() { return { name, entryType, startTime, duration, detail: detail ?? null }; } });
  const performance = {
    now,
    get timeOrigin() { return deterministic ? DateNow() : origin; },
    mark(name, options) {
      const e = entry(String(name), "mark", options?.startTime ?? now(), 0, options?.detail);
      entries.push(e);
      return e;
    },
    measure(name, start, end) {
      const at = (m) => (typeof m === "number" ? m : m === undefined ? undefined : entries.findLast((e) => e.name === m)?.startTime);
      let s = 0, f = now();
      if (start !== null && typeof start === "object") { s = at(start.start) ?? 0; f = at(start.end) ?? f; }
      else { s = at(start) ?? 0; f = at(end) ?? f; }
      const e = entry(String(name), "measure", s, f - s);
      entries.push(e);
      return e;
    },
    getEntries: () => entries.slice(),
    getEntriesByName: (n, t) => entries.filter((e) => e.name === n && (t === undefined || e.entryType === t)),
    getEntriesByType: (t) => entries.filter((e) => e.entryType === t),
    clearMarks: (n) => { for (let i = entries.length - 1; i >= 0; i--) if (entries[i].entryType === "mark" && (n === undefined || entries[i].name === n)) entries.splice(i, 1); },
    clearMeasures: (n) => { for (let i = entries.length - 1; i >= 0; i--) if (entries[i].entryType === "measure" && (n === undefined || entries[i].name === n)) entries.splice(i, 1); },
    toJSON() { return { timeOrigin: this.timeOrigin }; },
  };
  Object.defineProperty(performance, Symbol.toStringTag, { value: "Performance" });
  define("performance", performance);
}
