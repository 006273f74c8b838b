// Cloudflare kit benchmark, three tables:
//
//  1. The Worker hop: query latency through the Worker and its Durable
//     Object (Miniflare/workerd, the development stand-in forwarding to
//     hull) beside the same query sent to hull directly, same run; and a
//     mutation over the sync WebSocket both ways (the Durable Object
//     relays every message).
//  2. Cold start in the empty root: hull built with the Dockerfile's
//     command, started under chroot in a root holding only the binary, CA
//     certificates and /tmp, to its first successful query — beside the
//     same binary started normally.
//  3. Memory: hull's RSS idle after a deploy, and its peak under 64 HTTP
//     writers plus 1,000 open subscriptions, beside the instance types'
//     memory.
//
//   node bench/worker/bench.mjs     (from the repo root, as root for chroot;
//                                    npm ci in test/e2e and deploy/cloudflare;
//                                    HULL_TEST_POSTGRES_URL for PostgreSQL)
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { Hull, App, Worker, through, freePort, ConvexClient, ConvexHttpClient, anyApi, kitUnits, hullBin } from "../../test/worker/lib/kit.mjs";
import { buildAsTheImageDoes, emptyRoot, firstQuery, removeRoot, startInRoot, waitReady } from "../../test/worker/lib/emptyroot.mjs";

const N = Number(process.env.BENCH_N ?? 1000);
const COLD = Number(process.env.BENCH_COLD ?? 10);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 15);
const api = anyApi;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => x.toFixed(2).padStart(8);

async function timeMany(n, f) {
  for (let i = 0; i < 50; i++) await f();
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await f();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

function rss(pid) {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)[1]);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

// cpuMs is the CPU time (user + system) the process has used, in ms.
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

function postgresURL() {
  if (!process.env.HULL_TEST_POSTGRES_URL) return undefined;
  const u = new URL(process.env.HULL_TEST_POSTGRES_URL);
  u.pathname = "/";
  u.search = "";
  return u.toString();
}

async function hop(backend) {
  const hull = await Hull.create(backend);
  const worker = await Worker.start({ hull });
  // The production Backend class on @cloudflare/containers, with only the
  // container runtime stood in for (its ports forward to hull).
  const real = await Worker.start({ hull, realContainer: true, vars: { DATABASE_URL: "postgres://u:p@db.example/x" } });
  const app = through(await App.create("live", hull), worker.url);
  await app.deploy();
  const body = JSON.stringify({ path: "counters:get", args: { name: "bench" }, format: "json" });
  const query = (base) => async () => {
    const r = await fetch(`${base}/api/query`, { method: "POST", headers: { "content-type": "application/json" }, body });
    if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
    await r.arrayBuffer();
  };
  // Alternate the two in blocks so machine noise hits both alike.
  const direct = [], through_ = [], throughReal = [];
  for (let b = 0; b < 10; b++) {
    direct.push(...(await timeMany(N / 10, query(hull.url))));
    through_.push(...(await timeMany(N / 10, query(worker.url))));
    throughReal.push(...(await timeMany(N / 10, query(real.url))));
  }
  const cd = new ConvexClient(hull.url, { unsavedChangesWarning: false });
  const cw = new ConvexClient(worker.url, { unsavedChangesWarning: false });
  const cr = new ConvexClient(real.url, { unsavedChangesWarning: false });
  const wsDirect = [], wsThrough = [], wsReal = [];
  for (let b = 0; b < 10; b++) {
    wsDirect.push(...(await timeMany(N / 40, () => cd.mutation(api.counters.inc, { name: "ws" }))));
    wsThrough.push(...(await timeMany(N / 40, () => cw.mutation(api.counters.inc, { name: "ws" }))));
    wsReal.push(...(await timeMany(N / 40, () => cr.mutation(api.counters.inc, { name: "ws" }))));
  }
  await cd.close();
  await cw.close();
  await cr.close();
  await real.dispose();
  await worker.dispose();
  await app.destroy();
  await hull.destroy();
  return { direct, through: through_, throughReal, wsDirect, wsThrough, wsReal };
}

async function coldStarts(image, storage) {
  const k = await kitUnits();
  const instance = `bench-${randomBytes(4).toString("hex")}`;
  const secret = randomBytes(32).toString("hex");
  const vars = { INSTANCE_NAME: instance, INSTANCE_SECRET: secret, DO_NOT_REQUIRE_SSL: "1" };
  if (storage === "postgres") vars.DATABASE_URL = postgresURL();
  const env = { PATH: "/usr/local/bin", ...k.hullProfile.containerEnv(vars, "") };
  const root = await emptyRoot(image.bin);
  let p = await startInRoot(root, env);
  await waitReady(p);
  const keyProc = spawn(await hullBin(), ["keys", "admin"], { env: { INSTANCE_NAME: instance, INSTANCE_SECRET: secret } });
  let adminKey = "";
  keyProc.stdout.on("data", (d) => (adminKey += d));
  await new Promise((r) => keyProc.once("exit", r));
  const app = await App.create("live", { url: p.url, adminKey: adminKey.trim() });
  await app.deploy();
  await new ConvexHttpClient(p.url).mutation(api.counters.inc, { name: "cold" });
  const idle = rss(p.proc.pid);
  await p.stop("SIGTERM");
  const body = JSON.stringify({ path: "counters:get", args: { name: "cold" }, format: "json" });
  const inRoot = [], onHost = [];
  for (let i = 0; i < COLD; i++) {
    p = await startInRoot(root, env);
    inRoot.push((await firstQuery(p, body)).ms);
    await p.stop("SIGTERM");
    // The same binary and environment, started normally (the limit).
    const port = await freePort();
    const t0 = process.hrtime.bigint();
    const proc = spawn(image.bin, ["serve"], { env: { ...env, HULL_DATA_DIR: `${root}/tmp/hull-data`, PORT: String(port), HULL_INTERFACE: "127.0.0.1" }, stdio: "ignore" });
    const exited = new Promise((r) => proc.once("exit", r));
    const host = { proc, url: `http://127.0.0.1:${port}`, t0, output: "" };
    onHost.push((await firstQuery(host, body)).ms);
    proc.kill("SIGTERM");
    await exited;
  }
  // Memory under load, on the empty-root process.
  p = await startInRoot(root, env);
  await waitReady(p);
  const load = await memoryUnderLoad(p);
  await p.stop("SIGTERM");
  await app.destroy();
  await removeRoot(root);
  return { inRoot, onHost, idle, load };
}

async function memoryUnderLoad(p) {
  const subs = [];
  let subErrors = 0;
  for (let i = 0; i < 200; i++) {
    const c = new ConvexClient(p.url, { unsavedChangesWarning: false });
    for (let j = 0; j < 5; j++) c.onUpdate(api.counters.get, { name: `sub-${j}` }, () => {}, () => subErrors++);
    subs.push(c);
  }
  await new Promise((r) => setTimeout(r, 2000));
  const http = new ConvexHttpClient(p.url);
  const cpu0 = cpuMs(p.proc.pid);
  const t0 = Date.now();
  const deadline = Date.now() + LOAD_SECONDS * 1000;
  let calls = 0;
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss(p.proc.pid).rss);
  }, 100);
  await Promise.all(
    Array.from({ length: 64 }, async (_, i) => {
      while (Date.now() < deadline) {
        // One writer in eight changes a subscribed counter (200 clients
        // watch each), the rest their own.
        await http.mutation(api.counters.inc, { name: i % 8 === 0 ? `sub-${i % 5}` : `w${i}` });
        await http.query(api.items.list, { list: `w${i}` });
        calls += 2;
      }
    }),
  );
  clearInterval(sampler);
  const cores = (cpuMs(p.proc.pid) - cpu0) / (Date.now() - t0);
  const after = rss(p.proc.pid);
  for (const c of subs) await c.close();
  if (subErrors > 0) {
    const lines = p.output.split("\n").filter((l) => /"level":"(ERROR|WARN)"/.test(l));
    console.error(`${subErrors} subscription errors under load; hull's warnings and errors:\n${lines.slice(0, 5).join("\n")}`);
  }
  return { peak: Math.max(peak, after.rss), hwm: after.hwm, after: after.rss, calls, seconds: LOAD_SECONDS, cores, subErrors };
}

const backends = ["sqlite", ...(process.env.HULL_TEST_POSTGRES_URL ? ["postgres"] : [])];
console.log(`bench/worker: N=${N} queries per path, ${COLD} cold starts, ${LOAD_SECONDS} s of load; node ${process.version}\n`);

console.log("1. The Worker hop (Miniflare/workerd + Durable Object stand-in), query over HTTP and mutation over the sync WebSocket");
console.log("(Worker: the DevBackend stand-in; Container: the production Backend class on @cloudflare/containers, runtime stood in for)");
console.log("backend   path                   p50 ms   p99 ms  p50 ratio  p50 added");
for (const b of backends) {
  const r = await hop(b);
  const rows = [
    ["HTTP query direct", r.direct, r.direct],
    ["HTTP query Worker", r.through, r.direct],
    ["HTTP query Container", r.throughReal, r.direct],
    ["WS mutation direct", r.wsDirect, r.wsDirect],
    ["WS mutation Worker", r.wsThrough, r.wsDirect],
    ["WS mutation Container", r.wsReal, r.wsDirect],
  ];
  for (const [name, xs, base] of rows) {
    console.log(`${b.padEnd(9)} ${name.padEnd(21)} ${ms(pct(xs, 50))} ${ms(pct(xs, 99))} ${(pct(xs, 50) / pct(base, 50)).toFixed(2).padStart(9)}x ${ms(pct(xs, 50) - pct(base, 50))}`);
  }
}

if (process.env.BENCH_ONLY === "hop") process.exit(0);

const image = await buildAsTheImageDoes();
console.log(`\n2. Cold start to the first query (spawn to the first 200 of /api/query); image binary ${(image.bytes / 2 ** 20).toFixed(1)} MiB, gzip ${(image.gzipBytes / 2 ** 20).toFixed(1)} MiB`);
console.log("backend   where                         p50 ms    min ms    max ms  p50 ratio");
const mem = [];
for (const b of backends) {
  const r = await coldStarts(image, b);
  console.log(`${b.padEnd(9)} empty root (chroot, nonroot)  ${ms(pct(r.inRoot, 50))}  ${ms(Math.min(...r.inRoot))}  ${ms(Math.max(...r.inRoot))} ${(pct(r.inRoot, 50) / pct(r.onHost, 50)).toFixed(2).padStart(9)}x`);
  console.log(`${b.padEnd(9)} host (the limit)              ${ms(pct(r.onHost, 50))}  ${ms(Math.min(...r.onHost))}  ${ms(Math.max(...r.onHost))}      1.00x`);
  mem.push([b, r]);
}

console.log(`\n3. hull's memory (RSS, MiB) in the empty root; load = 64 HTTP writers/readers for ${LOAD_SECONDS} s + 200 WebSocket clients holding 1,000 subscriptions`);
console.log("backend   idle after deploy   peak under load   calls/s   CPU (cores)   of lite (256 MiB)   of basic (1 GiB)");
for (const [b, r] of mem) {
  const peak = Math.max(r.load.peak, r.load.hwm);
  console.log(`${b.padEnd(9)} ${r.idle.rss.toFixed(1).padStart(17)} ${peak.toFixed(1).padStart(17)} ${(r.load.calls / r.load.seconds).toFixed(0).padStart(9)} ${r.load.cores.toFixed(2).padStart(13)} ${(peak / 256).toFixed(2).padStart(18)}x ${(peak / 1024).toFixed(2).padStart(17)}x`);
}
await removeRoot(image.dir);
process.exit(0);
