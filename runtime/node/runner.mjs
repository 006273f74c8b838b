// hull's Node.js runner. hull starts `node runner.mjs` as a child process
// and exchanges length-prefixed JSON frames with it (runtime/node/frame.go):
// requests arrive on fd 3, everything the runner says leaves on fd 4, so
// what user code prints on stdout and stderr cannot corrupt the stream.
//
// The runner runs one action at a time. It imports the action's module
// from the code version's folder (once per set of environment variables,
// as Convex's Node executor does), calls invokeAction, and forwards every
// Convex.asyncSyscall to hull, so a Node action reaches exactly the host
// code an action in the default runtime reaches. It also analyzes modules
// at push time: import them, describe the Convex functions they export.
import net from "node:net";
import path from "node:path";
import { Console } from "node:console";
import { Writable } from "node:stream";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect } from "node:util";

const MAX_FRAME = 64 * 1024 * 1024;
// A run's console output beyond this many lines is dropped here; hull
// reports the overflow (Convex keeps 256 lines per execution).
const MAX_LOG_LINES = 257;
const MAX_LOG_LINE = 32 * 1024 + 64;

const fromHull = new net.Socket({ fd: 3, readable: true, writable: false });
const toHull = new net.Socket({ fd: 4, readable: false, writable: true });
// hull closing its end (or exiting) ends the runner.
fromHull.on("end", () => process.exit(0));
fromHull.on("error", () => process.exit(0));
toHull.on("error", () => process.exit(0));

function send(msg) {
  let body = Buffer.from(JSON.stringify(msg), "utf8");
  if (body.length > MAX_FRAME) {
    const what = msg.t === "analyzed" ? "analysis" : "result";
    body = Buffer.from(JSON.stringify({
      t: msg.t, run: msg.run,
      error: { message: `Uncaught Error: the action's ${what} is ${body.length} bytes, more than the ${MAX_FRAME} hull accepts`, frames: "" },
    }));
  }
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  toHull.write(Buffer.concat([head, body]));
}

// ---- reading frames ----
let chunks = [];
let have = 0;
let need = -1;
function take(n) {
  const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
  const rest = all.subarray(n);
  chunks = rest.length ? [rest] : [];
  have = rest.length;
  return all.subarray(0, n);
}
fromHull.on("data", (chunk) => {
  chunks.push(chunk);
  have += chunk.length;
  for (;;) {
    if (need < 0) {
      if (have < 4) return;
      need = take(4).readUInt32BE(0);
      if (need > MAX_FRAME) process.exit(70);
    }
    if (have < need) return;
    const body = take(need);
    need = -1;
    let msg;
    try {
      msg = JSON.parse(body.toString("utf8"));
    } catch {
      process.exit(70);
    }
    dispatch(msg);
  }
});

function dispatch(msg) {
  switch (msg.t) {
    case "run":
      runAction(msg);
      break;
    case "analyze":
      analyze(msg);
      break;
    case "reply":
      settle(msg);
      break;
  }
}

// ---- the run in progress ----
// current is the run whose console output and syscalls are being served:
// { id, requestId, active (syscalls allowed), logs, pending, rejections,
// finished }.
let current = null;

// ---- console: each line goes to hull with its level ----
const sink = (level) => new Writable({
  decodeStrings: false,
  write(text, _encoding, done) {
    const run = current;
    if (run) run.logs++;
    if (!run || run.logs <= MAX_LOG_LINES) {
      let msg = String(text);
      if (msg.endsWith("\n")) msg = msg.slice(0, -1);
      if (msg.length > MAX_LOG_LINE) msg = msg.slice(0, MAX_LOG_LINE);
      send({ t: "log", run: run ? run.id : 0, level, msg, ts: Date.now() });
    }
    done();
  },
});
const consoleAt = (level) => new Console({ stdout: sink(level), stderr: sink(level) });
const logConsole = consoleAt("LOG");
const levels = { info: consoleAt("INFO"), debug: consoleAt("DEBUG"), warn: consoleAt("WARN"), error: consoleAt("ERROR") };
logConsole.info = levels.info.info;
logConsole.debug = levels.debug.debug;
logConsole.warn = levels.warn.warn;
logConsole.error = levels.error.error;
logConsole.assert = levels.error.assert;
globalThis.console = logConsole;

// ---- environment: only the deployment's variables, plus a few basics ----
const baseEnv = {};
for (const k of ["PATH", "LANG", "TZ", "HOME", "TMPDIR"]) {
  if (process.env[k] !== undefined) baseEnv[k] = process.env[k];
}
// useEnv sets process.env for a run and returns a key naming the set:
// modules are imported once per key, since their top-level code may read
// the variables.
function useEnv(env) {
  process.env = { ...baseEnv, ...env };
  const entries = Object.entries(env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256").update(JSON.stringify(entries)).digest("hex").slice(0, 16);
}

// Bundled CommonJS code calls a bare require and may use module, exports,
// __dirname and __filename.
function setupGlobals(file) {
  globalThis.require = createRequire(file);
  const m = { exports: {} };
  globalThis.module = m;
  globalThis.exports = m.exports;
  globalThis.__filename = file;
  globalThis.__dirname = path.dirname(file);
}

// ---- errors as Convex reports them ----
const b64 = (u8) => Buffer.from(u8).toString("base64");
function toConvexJSON(v) {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "bigint") {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(v);
    return { $integer: b64(b) };
  }
  if (typeof v === "number") {
    if (Number.isFinite(v) && !Object.is(v, -0)) return v;
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    return { $float: b64(b) };
  }
  if (v instanceof ArrayBuffer) return { $bytes: b64(new Uint8Array(v)) };
  if (Array.isArray(v)) return v.map(toConvexJSON);
  if (typeof v === "object") {
    const out = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = toConvexJSON(v[k]);
    return out;
  }
  throw new Error(`ConvexError data is not a Convex value: ${typeof v}`);
}

const frameRE = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
// appFrames keeps the stack frames in the app's own code (mapped to its
// sources by --enable-source-maps), written relative to the modules
// folder as the default runtime writes them: "../convex/messages.ts".
function appFrames(e, modulesDir) {
  let stack;
  try {
    stack = String(e?.stack ?? "");
  } catch {
    return "";
  }
  const root = path.dirname(modulesDir) + path.sep;
  let out = "";
  for (const line of stack.split("\n")) {
    const m = frameRE.exec(line);
    if (!m) continue;
    let file = m[2];
    if (file.startsWith("file://")) {
      try {
        file = fileURLToPath(file.replace(/\?.*$/, ""));
      } catch {
        continue;
      }
    }
    if (!file.startsWith(root) || file.includes(`${path.sep}node_modules${path.sep}`) || file.includes(`${path.sep}_generated${path.sep}`)) continue;
    const rel = path.relative(modulesDir, file).split(path.sep).join("/");
    const name = (m[1] ?? "").replace(/^async /, "");
    out += name && name !== "<anonymous>" ? `\n    at ${name} (${rel}:${m[3]}:${m[4]})` : `\n    at ${rel}:${m[3]}:${m[4]}`;
  }
  return out;
}

function describe(e, modulesDir) {
  if (e !== null && typeof e === "object" && Symbol.for("ConvexError") in e) {
    let data;
    try {
      // The convex package serialized the data when the error passed
      // through a registered function's wrapper.
      data = typeof e.data === "string" && e.ConvexErrorSymbol ? e.data : JSON.stringify(toConvexJSON(e.data ?? null));
    } catch (err) {
      return { message: `Uncaught Error: ${err.message}`, frames: "" };
    }
    return { message: `Uncaught ConvexError: ${e.message}`, data, frames: appFrames(e, modulesDir) };
  }
  if (e instanceof Error || (e !== null && typeof e === "object" && typeof e.message === "string" && typeof e.name === "string")) {
    return { message: `Uncaught ${e.name}: ${e.message}`, frames: appFrames(e, modulesDir) };
  }
  return { message: `Uncaught ${inspect(e)}`, frames: "" };
}

// ---- syscalls: every asynchronous one goes to hull ----
let nextSyscall = 1;
const waiting = new Map();
const leftover = "Leftover state detected. This typically happens if there are dangling promises from a previous request. Did you forget to await your promises?";

function hostCall(op, args) {
  const run = current;
  if (!run || !run.active) return Promise.reject(new Error(`Syscall ${op} is not allowed at import time or outside an action`));
  if (typeof args !== "string") return Promise.reject(new Error(`Syscall ${op} takes its arguments as a JSON string`));
  if (args.length > MAX_FRAME - 1024) return Promise.reject(new Error(`The arguments of ${op} are too large (${args.length} bytes)`));
  try {
    const rid = JSON.parse(args)?.requestId;
    if (rid !== undefined && rid !== run.requestId) return Promise.reject(new Error(leftover));
  } catch {
    return Promise.reject(new Error(`Syscall ${op} takes its arguments as a JSON string`));
  }
  const id = nextSyscall++;
  run.pending.set(id, op);
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject, run });
    send({ t: "sys", run: run.id, id, op, args });
  });
}

function settle(msg) {
  const w = waiting.get(msg.id);
  if (!w) return;
  waiting.delete(msg.id);
  w.run.pending.delete(msg.id);
  if (msg.err) {
    const err = new Error(msg.err.message);
    if (msg.err.data !== undefined) err.data = msg.err.data;
    w.reject(err);
  } else {
    w.resolve(msg.ok);
  }
}

// Files go through upload and download URLs, as Convex's Node executor
// moves them.
async function storeBlob(args) {
  const blob = args?.blob;
  if (!(blob instanceof Blob)) {
    throw new Error("store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input.");
  }
  const url = JSON.parse(await hostCall("1.0/storageGenerateUploadUrl", JSON.stringify({ requestId: args.requestId, version: args.version })));
  const headers = { "Content-Type": blob.type };
  if (args.options?.sha256 !== undefined) headers.Digest = `sha-256=${args.options.sha256}`;
  const r = await fetch(url, { method: "POST", body: blob, headers });
  if (!r.ok) throw new Error(`Error uploading file: ${await r.text()}`);
  const body = await r.json();
  if (body.storageId === undefined) throw new Error("Did not get a storageId in store blob response");
  return body.storageId;
}

async function getBlob(args) {
  const url = JSON.parse(await hostCall("1.0/storageGetUrl", JSON.stringify({ requestId: args.requestId, storageId: args.storageId, version: args.version })));
  if (url === null) return null;
  return await (await fetch(url)).blob();
}

globalThis.Convex = {
  syscall(op) {
    switch (op) {
      case "1.0/queryCleanup":
      case "1.0/queryStream":
      case "1.0/db/normalizeId":
        throw new Error("The Convex database object is being used outside of a Convex query or mutation. Did you mean to use `ctx.runQuery` or `ctx.runMutation` to access the database?");
    }
    throw new Error(`Unknown operation ${op}`);
  },
  asyncSyscall: hostCall,
  jsSyscall(op, args) {
    switch (op) {
      case "storage/storeBlob":
        return storeBlob(args);
      case "storage/getBlob":
        return getBlob(args);
    }
    throw new Error(`Unknown operation ${op}`);
  },
};

// ---- failures outside the action's own promise ----
process.on("unhandledRejection", (reason) => {
  if (current && current.active) current.rejections.push(reason);
});
process.on("uncaughtException", (e) => {
  // The process may be in any state now: the run fails and hull retires
  // the process.
  const run = current;
  if (run && !run.finished) {
    finish(run, { error: describe(e, run.dir), retire: true });
    return;
  }
  process.stderr.write(`Uncaught exception outside an action: ${e?.stack ?? e}\n`, () => process.exit(1));
});

function finish(run, result) {
  if (run.finished) return;
  run.finished = true;
  run.active = false;
  for (const op of new Set(run.pending.values())) {
    let name = op.replace(/^1\.0\//, "").replace(/^actions\//, "");
    if (name.startsWith("storage")) name = "storage " + name.slice("storage".length);
    logConsole.warn(`You have an outstanding ${name} call. Operations should be awaited or they might not run. Not awaiting promises might result in unexpected failures. See https://docs.convex.dev/functions/actions#dangling-promises for more information.`);
  }
  if (current === run) current = null;
  send({ t: "done", run: run.id, ...result });
}

async function runAction(msg) {
  const run = { id: msg.run, requestId: msg.requestId, dir: msg.dir, active: false, logs: 0, pending: new Map(), rejections: [], finished: false };
  current = run;
  let result;
  try {
    const file = path.join(msg.dir, msg.module);
    const key = useEnv(msg.env);
    setupGlobals(file);
    const ns = await import(`${pathToFileURL(file).href}?env=${key}`);
    const fn = ns[msg.export];
    if (!fn || !fn.isAction || typeof fn.invokeAction !== "function") {
      throw new Error(`\`${msg.export}\` wasn't registered as a Convex action in \`${msg.module}\``);
    }
    run.active = true;
    const value = await fn.invokeAction(msg.requestId, msg.args);
    // Rejections nobody handled are reported after the microtasks drain.
    await new Promise((r) => setImmediate(r));
    if (run.rejections.length > 0) throw run.rejections[0];
    if (typeof value !== "string") throw new Error(`Action \`${msg.export}\` did not return a string (returned \`${String(value)}\`)`);
    result = { value };
  } catch (e) {
    result = { error: describe(e, msg.dir) };
  }
  finish(run, result);
}

function describeExports(ns) {
  const fns = [];
  for (const [name, v] of Object.entries(ns)) {
    if (!v || (typeof v !== "function" && typeof v !== "object")) continue;
    let kind = null;
    if (v.isAction && typeof v.invokeAction === "function") kind = "action";
    else if (v.isQuery) kind = "query";
    else if (v.isMutation) kind = "mutation";
    else if (v.isHttp) kind = "httpAction";
    if (kind === null) continue;
    const args = typeof v.exportArgs === "function" ? v.exportArgs() : null;
    const returns = typeof v.exportReturns === "function" ? v.exportReturns() : null;
    fns.push({ name, kind, visibility: v.isInternal ? "internal" : "public", args, returns });
  }
  return fns;
}

async function analyze(msg) {
  const run = { id: msg.run, requestId: "", dir: msg.dir, active: false, logs: 0, pending: new Map(), rejections: [], finished: false };
  current = run;
  useEnv(msg.env);
  const modules = [];
  for (const p of msg.modules) {
    const file = path.join(msg.dir, p);
    try {
      setupGlobals(file);
      const ns = await import(pathToFileURL(file).href);
      modules.push({ path: p, functions: describeExports(ns) });
    } catch (e) {
      const d = describe(e, msg.dir);
      current = null;
      send({ t: "analyzed", run: run.id, error: { message: `Failed to analyze ${p}: ${d.message}`, frames: d.frames } });
      return;
    }
  }
  current = null;
  send({ t: "analyzed", run: run.id, modules });
}

send({ t: "ready", node: process.version });
