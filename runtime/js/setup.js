// The global environment of one function run: the Convex global, the Web
// APIs the convex package and common libraries need, determinism for
// queries and mutations, and the glue the Go side drives (__hull_*).
// Go defines __hull_sync, __hull_async, __hull_log and __hull_cfg (JSON)
// before this script runs.
(() => {
  "use strict";
  const g = globalThis;
  const cfg = JSON.parse(g.__hull_cfg);
  const deterministic = cfg.kind === "query" || cfg.kind === "mutation" || cfg.kind === "analyze";
  const hostSync = g.__hull_sync;
  const hostAsync = g.__hull_async;
  const hostLog = g.__hull_log;
  const asyncStart = g.__hull_async_start;
  const asyncCancel = g.__hull_async_cancel;
  const hostFinished = g.__hull_finished;
  const hostBatchQueued = g.__hull_batch_queued;
  delete g.__hull_batch_queued;
  delete g.__hull_sync;
  delete g.__hull_async;
  delete g.__hull_log;
  delete g.__hull_async_start;
  delete g.__hull_async_cancel;
  delete g.__hull_finished;
  // webPre is what setup.js hands the Web globals (js/web/*.js), which
  // hand back their part of the glue (httpRun).
  const webPre = g.__hull_web_pre ?? {};
  // The engine's continuation data, which js/web/asynccontext.js keeps
  // AsyncLocalStorage stores in; host operations complete in the
  // continuation that started them.
  const getData = g.__hull_continuation_get ?? (() => undefined);
  const setData = g.__hull_continuation_set ?? (() => {});
  delete g.__hull_continuation_get;
  delete g.__hull_continuation_set;
  if (g.__hull_web_pre) g.__hull_web_pre.continuation = { get: getData, set: setData };

  // ---- asynchronous host operations (actions): timers and fetch ----
  // Go runs each operation on its own and hands its completion to
  // __hull_async_done once the job queue is empty.
  const waiting = new Map();
  g.__hull_async_done = (idStr, reply) => {
    const id = Number(idStr);
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    // The completion runs in the continuation of the code that started
    // the operation, as a timer callback does in Node.
    const prev = getData();
    setData(w.data);
    try {
      if (reply[0] === "o") w.ok(JSON.parse(reply.slice(1)));
      else w.err(JSON.parse(reply.slice(1)));
    } finally {
      setData(prev);
    }
  };
  const startOp = (op, arg, ok, err) => {
    const id = asyncStart(op, arg);
    waiting.set(id, { ok, err, data: getData() });
    return id;
  };
  const cancelOp = (id) => {
    if (waiting.delete(id)) asyncCancel(id);
  };
  // The Web globals (fetch's streamed request bodies) start operations of
  // their own; the promise rejects with a TypeError carrying Go's message.
  // A fetch whose init carries bodyPipe sends that body pipe's stream.
  const bodyPipe = Symbol("bodyPipe");
  if (!deterministic && g.__hull_web_pre) {
    g.__hull_web_pre.hostOp = (op, arg) => new Promise((ok, err) => { startOp(op, arg, ok, (e) => err(new TypeError(e.message))); });
    g.__hull_web_pre.bodyPipe = bodyPipe;
  }
  function installTimersAndFetch() {
    // One handle space for timeouts and intervals, as in browsers.
    let nextHandle = 1;
    const active = new Map(); // handle -> op id in flight
    const delayOf = (ms) => String(Math.max(0, Number(ms) || 0));
    g.setTimeout = (f, ms, ...args) => {
      const h = nextHandle++;
      active.set(h, startOp("timer", delayOf(ms), () => {
        active.delete(h);
        if (typeof f === "function") f(...args);
      }, () => active.delete(h)));
      return h;
    };
    g.setInterval = (f, ms, ...args) => {
      const h = nextHandle++;
      const arm = () => {
        active.set(h, startOp("timer", delayOf(ms), () => {
          if (!active.has(h)) return;
          arm();
          if (typeof f === "function") f(...args);
        }, () => active.delete(h)));
      };
      arm();
      return h;
    };
    g.clearTimeout = g.clearInterval = (h) => {
      const id = active.get(h);
      if (id === undefined) return;
      active.delete(h);
      cancelOp(id);
    };
    g.fetch = fetchImpl;
  }
  const bytesToB64 = (u8) => {
    let s = "";
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return g.btoa(s);
  };
  const b64ToBytes = (b64) => {
    const s = g.atob(b64);
    const u8 = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
    return u8;
  };
  // requestParts turns fetch(input, init) into url, method, headers and
  // body bytes, through the Request class when there is one.
  const requestParts = async (input, init) => {
    if (typeof g.Request === "function") {
      const req = input instanceof g.Request && init === undefined ? input : new g.Request(input, init);
      const headers = [];
      req.headers.forEach((v, k) => headers.push([k, v]));
      const hasBody = req.body !== null && req.body !== undefined;
      const body = hasBody ? new Uint8Array(await req.arrayBuffer()) : null;
      return { url: req.url, method: req.method, headers, body, redirect: req.redirect ?? "follow", signal: req.signal ?? init?.signal };
    }
    const url = typeof input === "string" ? input : String(input?.url ?? input);
    const method = (init?.method ?? "GET").toUpperCase();
    const headers = [];
    const h = init?.headers;
    if (h) {
      if (typeof h.forEach === "function" && !Array.isArray(h)) h.forEach((v, k) => headers.push([k, v]));
      else for (const [k, v] of Array.isArray(h) ? h : Object.entries(h)) headers.push([k, String(v)]);
    }
    let body = null;
    const b = init?.body;
    if (typeof b === "string") body = new TextEncoder().encode(b);
    else if (b instanceof ArrayBuffer) body = new Uint8Array(b);
    else if (ArrayBuffer.isView(b)) body = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    else if (b != null) body = new TextEncoder().encode(String(b));
    return { url, method, headers, body, redirect: init?.redirect ?? "follow", signal: init?.signal };
  };
  const readChunk = (handle) => new Promise((resolve, reject) => {
    startOp("fetchRead", String(handle), resolve, (e) => reject(new TypeError(e.message)));
  });
  const cancelBody = (handle) => {
    startOp("fetchCancel", String(handle), () => {}, () => {});
  };
  // The response body streams from Go as it arrives.
  const bodyStream = (handle) => new g.ReadableStream({
    async pull(controller) {
      const c = await readChunk(handle);
      if (c.done) controller.close();
      else controller.enqueue(b64ToBytes(c.chunk));
    },
    cancel() { cancelBody(handle); },
  });
  const readAll = async (handle) => {
    const parts = [];
    let n = 0;
    for (;;) {
      const c = await readChunk(handle);
      if (c.done) break;
      const b = b64ToBytes(c.chunk);
      parts.push(b);
      n += b.length;
    }
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const makeResponse = async (r) => {
    const nullBody = r.status === 101 || r.status === 204 || r.status === 205 || r.status === 304;
    let res;
    if (typeof g.Response === "function" && typeof g.ReadableStream === "function") {
      if (nullBody) cancelBody(r.body);
      res = new g.Response(nullBody ? null : bodyStream(r.body), { status: r.status < 200 ? 200 : r.status, statusText: r.statusText, headers: r.headers });
      if (r.status < 200) Object.defineProperty(res, "status", { value: r.status });
    } else {
      const bytes = await readAll(r.body);
      const headers = new Map(r.headers.map(([k, v]) => [k.toLowerCase(), v]));
      const text = () => Promise.resolve(new TextDecoder().decode(bytes));
      res = {
        status: r.status, statusText: r.statusText, ok: r.status >= 200 && r.status < 300, bodyUsed: false,
        headers: { get: (k) => headers.get(String(k).toLowerCase()) ?? null, has: (k) => headers.has(String(k).toLowerCase()), forEach: (f) => headers.forEach((v, k) => f(v, k)), entries: () => headers.entries() },
        text, json: () => text().then(JSON.parse), arrayBuffer: () => Promise.resolve(bytes.buffer),
      };
    }
    Object.defineProperty(res, "url", { value: r.url, configurable: true });
    Object.defineProperty(res, "redirected", { value: r.redirected, configurable: true });
    return res;
  };
  const fetchImpl = async (input, init) => {
    const p = await requestParts(input, init);
    if (p.signal?.aborted) throw p.signal.reason ?? new Error("The operation was aborted.");
    const arg = JSON.stringify({ url: p.url, method: p.method, headers: p.headers, body: p.body ? bytesToB64(p.body) : null, redirect: p.redirect, bodyPipe: init?.[bodyPipe] ?? 0 });
    const r = await new Promise((resolve, reject) => {
      const id = startOp("fetch", arg, resolve, (e) => reject(new TypeError(e.message)));
      p.signal?.addEventListener?.("abort", () => {
        cancelOp(id);
        reject(p.signal.reason ?? new Error("The operation was aborted."));
      });
    });
    return makeResponse(r);
  };
  delete g.__hull_cfg;

  // QuickJS returns -1n for BigInt.asUintN(64, -1n); fix it.
  BigInt.asUintN = (bits, x) => {
    bits = Number(bits);
    x = BigInt(x);
    if (!bits) return 0n;
    const m = 1n << BigInt(bits);
    const r = x % m;
    return r < 0n ? r + m : r;
  };

  // ---- randomness: seeded in queries and mutations ----
  let s0 = cfg.seed[0] >>> 0, s1 = cfg.seed[1] >>> 0, s2 = cfg.seed[2] >>> 0, s3 = cfg.seed[3] >>> 0;
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const next32 = () => {
    // xoshiro128**
    const r = Math.imul(((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25)), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return r;
  };
  Math.random = () => (next32() * 2 ** 21 + (next32() >>> 11)) / 2 ** 53;

  let setFrozen = () => {};
  // ---- time: frozen in queries and mutations ----
  if (deterministic) {
    const RealDate = Date;
    let frozen = cfg.now;
    setFrozen = (t) => { frozen = t; };
    class FrozenDate extends RealDate {
      constructor(...args) {
        if (args.length === 0) super(frozen);
        else super(...args);
      }
      static now() { return frozen; }
    }
    FrozenDate.parse = RealDate.parse;
    FrozenDate.UTC = RealDate.UTC;
    g.Date = FrozenDate;
  }
  const perfStart = Date.now();
  g.performance = { now: () => (deterministic ? 0 : Date.now() - perfStart), timeOrigin: perfStart };

  g.self = g;
  let envVars = Object.freeze({ ...cfg.env });
  // While analyzing, reads of variables that are not set are recorded:
  // auth.config.js must not depend on one.
  const missingEnv = new Set();
  g.process = {
    env: cfg.kind !== "analyze" ? envVars : new Proxy(envVars, {
      get(target, name) {
        if (typeof name === "string" && !Object.prototype.hasOwnProperty.call(target, name)) missingEnv.add(name);
        return target[name];
      },
    }),
  };
  if (deterministic) {
    const noTimers = (name) => () => {
      throw new Error(`Can't use ${name} in queries and mutations. Please consider using an action.`);
    };
    g.setTimeout = noTimers("setTimeout");
    g.setInterval = noTimers("setInterval");
    g.fetch = () => { throw new Error("Can't use fetch() in queries and mutations. Please consider using an action."); };
  } else {
    installTimersAndFetch();
  }
  g.clearTimeout ??= () => {};
  g.clearInterval ??= () => {};
  // V8's Error.captureStackTrace, which many libraries call.
  if (typeof Error.captureStackTrace !== "function") {
    Error.captureStackTrace = (target) => {
      if (target !== null && typeof target === "object") {
        const stack = new Error().stack ?? "";
        Object.defineProperty(target, "stack", { value: String(stack).split("\n").slice(1).join("\n"), writable: true, configurable: true });
      }
    };
  }
  class WeakRefShim { constructor(t) { this._t = t; } deref() { return this._t; } }
  g.WeakRef = WeakRefShim;
  g.FinalizationRegistry = class { register() {} unregister() {} };

  // inspect renders a thrown value that is not an Error (js/web/console.js
  // formats console output).
  const inspect = (v, depth = 0, seen = new Set()) => {
    switch (typeof v) {
      case "string": return depth === 0 ? `'${v}'` : `'${v}'`;
      case "bigint": return `${v}n`;
      case "undefined": return "undefined";
      case "function": return `[Function: ${v.name || "(anonymous)"}]`;
      case "symbol": return v.toString();
      case "number": return Object.is(v, -0) ? "-0" : String(v);
      case "boolean": return String(v);
    }
    if (v === null) return "null";
    if (v instanceof Error) return v.stack ? `${v.name}: ${v.message}\n${v.stack}` : `${v.name}: ${v.message}`;
    if (seen.has(v)) return "[Circular]";
    if (depth > 4) return Array.isArray(v) ? "[Array]" : "[Object]";
    seen.add(v);
    let out;
    if (Array.isArray(v)) out = `[ ${v.map((x) => inspect(x, depth + 1, seen)).join(", ")} ]`;
    else if (v instanceof ArrayBuffer) out = `ArrayBuffer { byteLength: ${v.byteLength} }`;
    else {
      const keys = Object.keys(v);
      out = keys.length === 0 ? "{}" : `{ ${keys.map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${inspect(v[k], depth + 1, seen)}`).join(", ")} }`;
    }
    seen.delete(v);
    return out;
  };

  // ---- the Convex global ----
  const rejectWith = (reply) => {
    const x = JSON.parse(reply);
    const err = new Error(x.message);
    if (x.data !== undefined) err.data = x.data;
    return err;
  };
  // Module top-level code (import time) may not reach the host.
  // Modules may be evaluated before __hull_start (from cached bytecode), so
  // the import phase lasts until the called module's import settles.
  let importing = true;
  const atImport = (op) => new Error(`Syscall ${op} unsupported at import time`);
  // Point reads (1.0/get) issued without awaiting in between are queued
  // and served as one host call ("hull/getMany") once the job queue is
  // empty (Go calls __hull_flush_batch from its event loop). Any other
  // syscall serves the queue first, so operations keep their order.
  let getBatch = [];
  const flushGets = () => {
    if (getBatch.length === 0) return;
    const batch = getBatch;
    getBatch = [];
    if (batch.length === 1) {
      // A single read: the plain op, nothing to wrap and unwrap.
      const b = batch[0];
      let r;
      try {
        r = hostAsync("1.0/get", b.args);
      } catch (e) {
        b.err(e);
        return;
      }
      if (r[0] === "o") b.ok(r.slice(1));
      else b.err(rejectWith(r.slice(1)));
      return;
    }
    let r;
    try {
      r = hostAsync("hull/getMany", "[" + batch.map((b) => b.args).join(",") + "]");
    } catch (e) {
      for (const b of batch) b.err(e);
      return;
    }
    if (r[0] !== "o") {
      for (const b of batch) b.err(rejectWith(r.slice(1)));
      return;
    }
    const replies = JSON.parse(r.slice(1));
    batch.forEach((b, i) => {
      const x = replies[i];
      if (x.e === undefined) {
        b.ok(x.o);
        return;
      }
      const err = new Error(x.e.message);
      if (x.e.data !== undefined) err.data = x.e.data;
      b.err(err);
    });
  };
  // ctx.storage.store/get in actions: the Blob's bytes cross to the host
  // (and back) through the storage syscalls mutations use.
  const storageJsSyscalls = {
    "storage/storeBlob": async ({ requestId, version, blob, options }) => {
      if (!(blob instanceof g.Blob)) {
        throw new Error("store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input.");
      }
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const arg = { requestId, version, blob: bytesToB64(bytes), contentType: blob.type, sha256: options?.sha256 };
      return JSON.parse(await g.Convex.asyncSyscall("1.0/storageStore", JSON.stringify(arg)));
    },
    "storage/getBlob": async ({ requestId, version, storageId }) => {
      const r = JSON.parse(await g.Convex.asyncSyscall("1.0/storageGet", JSON.stringify({ requestId, version, storageId })));
      if (r === null) return null;
      return new g.Blob([b64ToBytes(r.blob)], { type: r.contentType ?? "" });
    },
  };
  g.__hull_flush_batch = flushGets;
  // Convex.jsSyscall ops are served in JS; the Web globals register theirs
  // (op -> function of the args object).
  const jsSyscalls = new Map(Object.entries(storageJsSyscalls));
  webPre.jsSyscalls = jsSyscalls;
  g.Convex = {
    syscall: (op, args) => {
      if (importing) throw atImport(op);
      flushGets();
      const r = hostSync(op, args);
      if (r[0] === "o") return r.slice(1);
      throw rejectWith(r.slice(1));
    },
    asyncSyscall: (op, args) => {
      if (importing) return Promise.reject(atImport(op));
      if (op === "1.0/get" && hostBatchQueued !== undefined) {
        return new Promise((ok, err) => {
          if (getBatch.length === 0) hostBatchQueued();
          getBatch.push({ args, ok, err });
        });
      }
      flushGets();
      let r;
      try {
        r = hostAsync(op, args);
      } catch (e) {
        return Promise.reject(e);
      }
      if (r[0] === "o") return Promise.resolve(r.slice(1));
      return Promise.reject(rejectWith(r.slice(1)));
    },
    jsSyscall: (op, args) => {
      const f = jsSyscalls.get(op);
      if (f === undefined) throw new Error(`Unknown operation ${op}`);
      return f(args);
    },
  };

  // ---- Convex JSON of thrown ConvexError data ----
  const b64bytes = (bytes) => {
    let s = "";
    for (const x of bytes) s += String.fromCharCode(x);
    return g.btoa(s);
  };
  const toConvexJSON = (v) => {
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "bigint") {
      const dv = new DataView(new ArrayBuffer(8));
      dv.setBigInt64(0, v, true);
      return { $integer: b64bytes(new Uint8Array(dv.buffer)) };
    }
    if (typeof v === "number") {
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      const dv = new DataView(new ArrayBuffer(8));
      dv.setFloat64(0, v, true);
      return { $float: b64bytes(new Uint8Array(dv.buffer)) };
    }
    if (v instanceof ArrayBuffer) return { $bytes: b64bytes(new Uint8Array(v)) };
    if (Array.isArray(v)) return v.map(toConvexJSON);
    if (typeof v === "object") {
      const out = {};
      for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = toConvexJSON(v[k]);
      return out;
    }
    throw new Error(`ConvexError data is not a Convex value: ${typeof v}`);
  };
  const describeError = (e) => {
    if (e && e[Symbol.for("ConvexError")]) {
      // The convex package has already serialized e.data when the error
      // passed through a registered function's wrapper.
      const data = typeof e.data === "string" && e.ConvexErrorSymbol ? e.data : JSON.stringify(toConvexJSON(e.data ?? null));
      return { message: `Uncaught ConvexError: ${e.message}`, data, stack: String(e.stack ?? "") };
    }
    if (e instanceof Error) {
      if (e.name === "InternalError" && e.message === "stack overflow") {
        // V8's wording, which Convex reports.
        return { message: "Uncaught RangeError: Maximum call stack size exceeded", stack: String(e.stack ?? "") };
      }
      return { message: `Uncaught ${e.name}: ${e.message}`, stack: String(e.stack ?? "") };
    }
    return { message: `Uncaught ${inspect(e)}`, stack: "" };
  };

  // __hull_invoke starts fn and records its outcome in __hull_state.
  g.__hull_state = { done: false };
  g.__hull_invoke = (fn, name, kind, argsStr) => {
    getBatch = [];
    let p;
    try {
      // An HTTP action's fn is the router http.js exports.
      if (kind === "httpAction") p = webPre.httpRun(fn, argsStr);
      else if (typeof fn !== "function") throw new Error(`${name} is not a Convex function`);
      else if (kind === "query" && fn.invokeQuery) p = fn.invokeQuery(argsStr);
      else if (kind === "mutation" && fn.invokeMutation) p = fn.invokeMutation(argsStr);
      else if (kind === "action" && fn.invokeAction) p = fn.invokeAction(requestId, argsStr);
      else throw new Error(`${name} is not a registered ${kind}`);
    } catch (e) {
      p = Promise.reject(e);
    }
    Promise.resolve(p).then(
      (v) => { g.__hull_state = { done: true, value: v }; hostFinished(); },
      (e) => { g.__hull_state = { done: true, error: describeError(e) }; hostFinished(); },
    );
  };
  // __hull_outcome reports the run: "p" while pending, "v" and the value's
  // JSON, or "e" and the error's.
  g.__hull_outcome = () => {
    const st = g.__hull_state;
    if (!st.done) return "p";
    if (st.error) return "e" + JSON.stringify(st.error);
    return "v" + (typeof st.value === "string" ? st.value : "null");
  };
  let requestId = cfg.requestId;
  // Engines of modules that export experimental_reuseContext === true are
  // kept for later calls of the same module (Convex's opt-in to context
  // reuse); __hull_reconfigure gives such an engine the next call's time,
  // seed, environment and request id.
  const namespaces = {};
  g.__hull_reusable = (modPath) => namespaces[modPath]?.experimental_reuseContext === true;
  // Its arguments are strings: the time (ms), the four seed words, the
  // request id, and the environment's JSON ("" when unchanged).
  g.__hull_reconfigure = (now, a, b, c, d, reqId, envJSON) => {
    setFrozen(Number(now));
    s0 = Number(a) >>> 0; s1 = Number(b) >>> 0; s2 = Number(c) >>> 0; s3 = Number(d) >>> 0;
    if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
    if (envJSON !== "") {
      envVars = Object.freeze(JSON.parse(envJSON));
      if (cfg.kind !== "analyze") g.process.env = envVars;
    }
    requestId = reqId;
    // No AsyncLocalStorage store carries over from an earlier call of an
    // engine that is reused without a restore.
    setData(undefined);
    g.__hull_state = { done: false };
  };
  // __hull_prepare imports a module ahead of its calls, for an engine that
  // is snapshotted right after (Go restores the snapshot after each call,
  // so every call starts from freshly imported modules).
  const prepared = {};
  // __hull_warm instantiates the built-ins the engine creates lazily on
  // first use, so that a snapshot holds them and calls do not rebuild them.
  g.__hull_warm = () => {
    const seen = new Set();
    const touch = (o, depth) => {
      if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) return;
      seen.add(o);
      for (const k of Reflect.ownKeys(o)) {
        const d = Reflect.getOwnPropertyDescriptor(o, k);
        if (depth > 0 && d && "value" in d) touch(d.value, depth - 1);
      }
      touch(Reflect.getPrototypeOf(o), depth);
    };
    touch(g, 2);
    touch(Promise.resolve(), 1);
    touch(async function* () {}, 1);
  };
  g.__hull_prepare = (modPath) => {
    import(modPath).then(
      (m) => {
        importing = false;
        prepared[modPath] = m;
        if (m.experimental_reuseContext === true) namespaces[modPath] = m;
        g.__hull_state = { done: true, value: "null" };
      },
      (e) => {
        importing = false;
        g.__hull_state = { done: true, error: describeError(e) };
      },
    );
  };
  g.__hull_start = (modPath, exportName, kind, argsStr) => {
    const name = `${modPath.replace(/\.js$/, "")}:${exportName}`;
    const ns = namespaces[modPath] ?? prepared[modPath];
    if (ns) {
      g.__hull_invoke(ns[exportName], name, kind, argsStr);
      return;
    }
    importing = true;
    import(modPath).then(
      (m) => {
        importing = false;
        if (m.experimental_reuseContext === true) namespaces[modPath] = m;
        g.__hull_invoke(m[exportName], name, kind, argsStr);
      },
      (e) => {
        importing = false;
        g.__hull_state = { done: true, error: describeError(e) };
      },
    );
  };

  // __hull_analyze describes one module's exports.
  g.__hull_analyzed = { modules: [], routes: [], schema: null, crons: null, auth: null };
  g.__hull_analyze = (path, m) => {
    const fns = [];
    for (const [name, v] of Object.entries(m)) {
      if (!v || (typeof v !== "function" && typeof v !== "object")) continue;
      let kind = null;
      if (v.isQuery) kind = "query";
      else if (v.isMutation) kind = "mutation";
      else if (v.isAction) kind = "action";
      else if (v.isHttp) kind = "httpAction";
      if (kind === null) continue;
      const args = typeof v.exportArgs === "function" ? v.exportArgs() : null;
      const returns = typeof v.exportReturns === "function" ? v.exportReturns() : null;
      fns.push({ name, kind, visibility: v.isInternal ? "internal" : "public", args, returns });
    }
    g.__hull_analyzed.modules.push({ path, functions: fns });
    const d = m.default;
    if (path === "http.js" && d && d.isRouter && typeof d.getRoutes === "function") {
      const names = new Map();
      for (const [name, v] of Object.entries(m)) if (v && v.isHttp && !names.has(v)) names.set(v, name);
      for (const [p, method, handler] of d.getRoutes()) {
        const prefix = p.endsWith("*");
        const route = { path: prefix ? p.slice(0, -1) : p, method };
        if (prefix) route.pathPrefix = true;
        if (names.has(handler)) route.function = `${path}:${names.get(handler)}`;
        g.__hull_analyzed.routes.push(route);
      }
    }
    if (path === "crons.js" && d && d.isCrons && typeof d.export === "function") g.__hull_analyzed.crons = d.export();
    if (path === "schema.js" && d && typeof d.export === "function") g.__hull_analyzed.schema = d.export();
    if (path === "auth.config.js" && d) g.__hull_analyzed.auth = JSON.stringify(d);
  };
  // __hull_define evaluates a convex.config.js bundle and keeps what its
  // default export's export() returns (a component definition's
  // metadata), or the reason it cannot.
  g.__hull_define = (path, root) => {
    const what = root
      ? "The default export of `convex.config.ts` in your app has an invalid value"
      : "The default export of `convex.config.ts` in this component has an invalid value";
    const fix = root
      ? "Please make sure that you’re exporting the return value of `defineApp()` (`import { defineApp } from 'convex/server'`)."
      : "Please make sure that the component is exporting the return value of `defineComponent()`.";
    const invalid = (msg) => {
      g.__hull_defined = { error: `${what} (${msg}). ${fix}` };
    };
    g.__hull_defined = null;
    import(path).then(
      (m) => {
        if (!("default" in m)) return invalid("missing default export");
        const d = m.default;
        if (d === null || (typeof d !== "object" && typeof d !== "function")) return invalid("the default export is not an object");
        if (Object.keys(m).length !== 1) return invalid("`convex.config.ts` has more than one export");
        if (!("export" in d)) return invalid("missing `export` property on the default export of `convex.config.ts`");
        if (typeof d.export !== "function") return invalid("`app.export` (where `app` is the default export of `convex.config.ts`) is not a function");
        const out = d.export();
        if (out === null || typeof out !== "object") return invalid("`app.export()` (where `app` is the default export of `convex.config.ts`) doesn’t return an object");
        g.__hull_defined = { value: JSON.stringify(out) };
      },
      (e) => {
        g.__hull_defined = { error: describeError(e).message };
      },
    );
  };
  g.__hull_analyze_all = (paths) => analyzeAll(paths).catch((e) => {
    g.__hull_analyzed.error = `Failed to analyze modules: ${describeError(e).message}`;
  });
  const analyzeAll = async (paths) => {
    for (const p of paths) {
      let m;
      missingEnv.clear();
      try {
        m = await import(p);
        if (p === "auth.config.js" && missingEnv.size > 0) {
          g.__hull_analyzed.authMissingEnv = [...missingEnv];
          return;
        }
      } catch (e) {
        g.__hull_analyzed.error = `Failed to analyze ${p}: ${describeError(e).message}`;
        return;
      }
      try {
        g.__hull_analyze(p, m);
      } catch (e) {
        g.__hull_analyzed.error = `Failed to analyze ${p}: ${describeError(e).message}`;
        return;
      }
    }
    g.__hull_analyzed.done = true;
  };
})();
