// ---- console: Node-style formatting ----
const identRe = /^[A-Za-z_$][\w$]*$/;
const quoteStr = (s) => {
  const q = !s.includes("'") ? "'" : !s.includes('"') ? '"' : !s.includes("`") ? "`" : "'";
  return q + s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(new RegExp(q, "g"), "\\" + q) + q;
};
const ctorName = (v) => {
  const p = Object.getPrototypeOf(v);
  if (p === null) return null;
  return typeof p.constructor === "function" ? p.constructor.name : "";
};
const fnLabel = (v) => {
  if (/^class[\s{]/.test(Function.prototype.toString.call(v))) return `[class ${v.name || "(anonymous)"}]`;
  const kind = v.constructor?.name === "AsyncFunction" ? "AsyncFunction" : v.constructor?.name === "GeneratorFunction" ? "GeneratorFunction" : "Function";
  return `[${kind}${v.name ? ": " + v.name : " (anonymous)"}]`;
};
const inspectKey = (k) => (typeof k === "symbol" ? `[${k.toString()}]` : identRe.test(k) ? k : quoteStr(k));
// wrap joins entries on one line when they fit, else one per line.
const wrap = (prefix, open, entries, close, indent) => {
  if (entries.length === 0) return `${prefix}${open}${close}`;
  const line = `${prefix}${open} ${entries.join(", ")} ${close}`;
  if (line.length + indent <= 72 && !line.includes("\n")) return line;
  const pad = " ".repeat(indent + 2);
  return `${prefix}${open}\n${pad}${entries.join(",\n" + pad)}\n${" ".repeat(indent)}${close}`;
};
const inspectValue = (v, opts, depth, seen, indent) => {
  switch (typeof v) {
    case "string": return depth === 0 && opts.bareStrings ? v : quoteStr(v);
    case "bigint": return `${v}n`;
    case "number": return Object.is(v, -0) ? "-0" : String(v);
    case "undefined": case "boolean": return String(v);
    case "symbol": return v.toString();
  }
  if (v === null) return "null";
  if (typeof v === "function" && Object.keys(v).length === 0) return fnLabel(v);
  if (v instanceof Error) {
    const head = `${v.name}: ${v.message}`;
    const stack = String(v.stack ?? "");
    return stack.startsWith(head) ? stack.trimEnd() : stack ? `${head}\n${stack.trimEnd()}` : head;
  }
  if (seen.includes(v)) return "[Circular *1]";
  const name = ctorName(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
  if (v instanceof RegExp) return String(v);
  if (v instanceof Promise) return "Promise { <unknown> }";
  if (v instanceof WeakMap || v instanceof WeakSet) return `${name} { <items unknown> }`;
  if (typeof g.URL === "function" && v instanceof g.URL) return `URL '${v.href}'`;
  if (depth > opts.depth) return Array.isArray(v) ? "[Array]" : `[${name || "Object"}]`;
  const inner = [...seen, v];
  const sub = (x) => inspectValue(x, opts, depth + 1, inner, indent + 2);
  const props = (skipIndices) => Object.keys(v).filter((k) => !skipIndices || !/^\d+$/.test(k)).map((k) => `${inspectKey(k)}: ${sub(v[k])}`);
  if (Array.isArray(v)) {
    const items = [];
    for (let i = 0; i < Math.min(v.length, 100); i++) items.push(i in v ? sub(v[i]) : "<1 empty item>");
    if (v.length > 100) items.push(`... ${v.length - 100} more item${v.length - 100 > 1 ? "s" : ""}`);
    return wrap(name === "Array" ? "" : `${name}(${v.length}) `, "[", [...items, ...props(true)], "]", indent);
  }
  if (v instanceof ArrayBuffer) {
    const b = [...new Uint8Array(v, 0, Math.min(v.byteLength, 50))].map((x) => x.toString(16).padStart(2, "0")).join(" ");
    return `ArrayBuffer { [Uint8Contents]: <${b}${v.byteLength > 50 ? ` ... ${v.byteLength - 50} more bytes` : ""}>, byteLength: ${v.byteLength} }`;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const items = Array.from(v.slice(0, 100), (x) => (typeof x === "bigint" ? `${x}n` : String(x)));
    if (v.length > 100) items.push(`... ${v.length - 100} more items`);
    return wrap(`${name}(${v.length}) `, "[", items, "]", indent);
  }
  if (v instanceof Map) return wrap(`Map(${v.size}) `, "{", [...v].map(([k, x]) => `${sub(k)} => ${sub(x)}`), "}", indent);
  if (v instanceof Set) return wrap(`Set(${v.size}) `, "{", [...v].map(sub), "}", indent);
  const own = props(false);
  for (const s of Object.getOwnPropertySymbols(v)) {
    if (Object.getOwnPropertyDescriptor(v, s).enumerable) own.push(`${inspectKey(s)}: ${sub(v[s])}`);
  }
  if (typeof v === "function") return wrap(fnLabel(v) + " ", "{", own, "}", indent);
  const prefix = name === null ? "[Object: null prototype] " : name === "Object" ? "" : `${name || "Object"} `;
  return wrap(prefix, "{", own, "}", indent);
};
const inspect = (v, opts = {}) => inspectValue(v, { depth: 2, ...opts }, 0, [], 0);
// formatArgs applies a format string; without one, every argument is
// inspected (strings quoted, as Convex logs them) unless bare says the
// first string is plain text.
const formatArgs = (args, bare = false) => {
  if (typeof args[0] !== "string" || !/%[sdifjoOc%]/.test(args[0])) {
    return args.map((a, i) => (bare && i === 0 && typeof a === "string" ? a : inspect(a))).join(" ");
  }
  let i = 1;
  let out = args[0].replace(/%([sdifjoOc%])/g, (m, d) => {
    if (d === "%") return "%";
    if (i >= args.length) return m;
    const a = args[i++];
    switch (d) {
      case "s": return typeof a === "string" ? a : typeof a === "bigint" ? `${a}n` : typeof a === "symbol" ? String(a) : typeof a === "object" && a !== null ? inspect(a, { depth: 1 }) : inspect(a);
      case "d": return typeof a === "bigint" ? `${a}n` : typeof a === "object" && a !== null ? "NaN" : inspect(Number(a));
      case "i": return typeof a === "bigint" ? `${a}n` : typeof a === "object" && a !== null ? "NaN" : String(parseInt(a, 10));
      case "f": return typeof a === "symbol" ? "NaN" : String(parseFloat(a));
      case "j": try { return JSON.stringify(a); } catch { return "[Circular]"; }
      case "o": return inspect(a, { depth: 4 });
      case "O": return inspect(a);
      case "c": return "";
    }
    return m;
  });
  for (; i < args.length; i++) out += " " + inspect(args[i]);
  return out;
};
{
  const timers = new Map();
  const counts = new Map();
  let groupIndent = "";
  const emit = (level, text) => hostLog(level, groupIndent ? text.split("\n").map((l) => groupIndent + l).join("\n") : text);
  const elapsed = (label) => `${label}: ${(DateNow() - timers.get(label)).toFixed(3)}ms`;
  const console = {
    log: (...a) => emit("LOG", formatArgs(a)),
    info: (...a) => emit("INFO", formatArgs(a)),
    warn: (...a) => emit("WARN", formatArgs(a)),
    error: (...a) => emit("ERROR", formatArgs(a)),
    debug: (...a) => emit("DEBUG", formatArgs(a)),
    trace: (...a) => emit("LOG", "Trace" + (a.length ? ": " + formatArgs(a) : "")),
    dir: (v, options) => emit("LOG", inspect(v, { depth: options?.depth ?? 2 })),
    dirxml: (...a) => emit("LOG", formatArgs(a)),
    table: (...a) => emit("LOG", formatArgs(a)),
    assert: (cond, ...a) => {
      if (cond) return;
      emit("ERROR", a.length === 0 ? "Assertion failed" : typeof a[0] === "string" ? `Assertion failed: ${formatArgs(a, true)}` : `Assertion failed ${formatArgs(a)}`);
    },
    count: (label = "default") => {
      label = String(label);
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      emit("LOG", `${label}: ${n}`);
    },
    countReset: (label = "default") => {
      if (!counts.has(String(label))) emit("WARN", `Count for '${label}' does not exist`);
      counts.set(String(label), 0);
    },
    time: (label = "default") => {
      label = String(label);
      if (timers.has(label)) { emit("WARN", `Timer '${label}' already exists`); return; }
      timers.set(label, DateNow());
    },
    timeLog: (label = "default", ...a) => {
      label = String(label);
      if (!timers.has(label)) { emit("WARN", `Timer '${label}' does not exist`); return; }
      emit("LOG", elapsed(label) + (a.length ? " " + formatArgs(a) : ""));
    },
    timeEnd: (label = "default") => {
      label = String(label);
      if (!timers.has(label)) { emit("WARN", `Timer '${label}' does not exist`); return; }
      emit("LOG", elapsed(label));
      timers.delete(label);
    },
    group: (...a) => { if (a.length) emit("LOG", formatArgs(a)); groupIndent += "  "; },
    groupCollapsed: (...a) => { if (a.length) emit("LOG", formatArgs(a)); groupIndent += "  "; },
    groupEnd: () => { groupIndent = groupIndent.slice(2); },
    clear: () => {},
  };
  Object.defineProperty(console, Symbol.toStringTag, { value: "console" });
  define("console", console);
}
