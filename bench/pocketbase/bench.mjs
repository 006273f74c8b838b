// PocketBase comparison: records created per second and their latency at
// 1, 16 and 64 clients, hull beside PocketBase in the same run, plus the
// database layer's own commit rate at 64 writers, and each server's
// footprint (binary, idle RSS, cold start to first query).
//
//   node bench/pocketbase/bench.mjs      (from the repo root; needs test/e2e's npm packages, go, the Go module proxy)
//
// PocketBase is built for this run only, from its public Go module, into a
// temp dir: the stock program (examples/base: SQLite in WAL mode with
// synchronous=NORMAL, which syncs at checkpoints, not at every commit) and
// the same server with synchronous=FULL set in its DSN pragmas (a sync of
// the log per commit, as hull's SQLite store does). Environment:
// BENCH_PB_VERSION (v0.39.11), BENCH_D (ms per cell, 5000), BENCH_WARM (ms,
// 1000), BENCH_CLIENTS (1,16,64), BENCH_ROUNDS (1), BENCH_COLD (cold starts, 7),
// BENCH_SKIP_V8=1 (also skips "hull V8 tiered": the V8 build with --js-engine tiered), BENCH_RUNTIME=0 (skip bench/runtime's RSS per pooled
// engine), BENCH_PERF=DIR (perf profiles of hull under the 64-client
// loads, summarized into DIR/<server>-<ws|http>64.txt).
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat, mkdir } from "node:fs/promises";
import { tmpdir, homedir, loadavg } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../test/e2e/lib/hull.mjs";
import { PocketBase, Hull, buildPocketBase, buildHull, coldStart, strippedSize } from "./servers.mjs";
import { record } from "./perf.mjs";
import { drive, status, pocketBaseClients, hullHttpClients, hullSocketClients } from "./load.mjs";

const run = promisify(execFile);
const VERSION = process.env.BENCH_PB_VERSION ?? "v0.39.11";
const D = Number(process.env.BENCH_D ?? 5000);
const WARM = Number(process.env.BENCH_WARM ?? 1000);
const CLIENTS = (process.env.BENCH_CLIENTS ?? "1,16,64").split(",").map(Number);
const COLD = Number(process.env.BENCH_COLD ?? 7);
const PERF = process.env.BENCH_PERF;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mib = (kib) => (kib / 1024).toFixed(1);
const mb = (b) => (b / 1e6).toFixed(1);
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// footprint times a server's cold starts, then reads its idle RSS.
async function footprint(server) {
  const cold = await coldStart(server, COLD);
  await sleep(2000);
  return { name: server.name, bin: server.bin, ready: median(cold.ready), cold: median(cold.first), coldMax: Math.max(...cold.first), idle: status(server.pid, "VmRSS") };
}

// cell runs one load on one server and logs its result.
async function cell(server, client, make, n) {
  const clients = await make(server.url, n);
  let profiled;
  const perf =
    PERF && n === 64 && server.name.startsWith("hull")
      ? (ms) => (profiled = record(PERF, `${server.name.replace(/ /g, "-")}-${client.includes("WebSocket") ? "ws" : "http"}64`, server.pid, ms))
      : undefined;
  try {
    const r = await drive(clients, server.pid, WARM, D, perf);
    await profiled;
    console.error(`${server.name}, ${client}, ${n} clients: ${r.rate.toFixed(0)} creates/s, p50 ${r.p50.toFixed(2)} ms, load ${loadavg()[0].toFixed(1)}`);
    return { server: server.name, client, n, ...r, load: loadavg()[0] };
  } finally {
    for (const c of clients) c.close();
  }
}

// measureAll sets every server up and measures its footprint, then runs
// the cells ROUNDS times, each round every client count in turn on every
// server, so that the servers compared in a row ran minutes apart at most
// under the same machine load; a cell keeps its median round by rate.
async function measureAll(servers) {
  const feet = [];
  for (const [s] of servers) {
    await s.setup();
    feet.push(await footprint(s));
  }
  const runs = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of CLIENTS) {
      for (const [s, loads] of servers) {
        for (const [client, make] of loads) {
          const r = await cell(s, client, make, n);
          const key = `${s.name}|${client}|${n}`;
          runs.set(key, [...(runs.get(key) ?? []), r]);
        }
      }
    }
  }
  for (const [i, [s]] of servers.entries()) {
    feet[i].loaded = status(s.pid, "VmRSS");
    feet[i].peak = status(s.pid, "VmHWM");
  }
  const rows = [...runs.values()].map((rs) => [...rs].sort((a, b) => a.rate - b.rate)[Math.floor(rs.length / 2)]);
  const order = (r) => servers.findIndex(([s]) => s.name === r.server) * 1000 + r.n;
  const loadIndex = (r) => servers.find(([s]) => s.name === r.server)[1].findIndex(([c]) => c === r.client);
  rows.sort((a, b) => order(a) - order(b) || loadIndex(a) - loadIndex(b));
  return { rows, feet };
}

// dbLayer runs bench/commit at 64 writers and returns its rows.
async function dbLayer(dir) {
  const bin = join(dir, "commit");
  await run("go", ["build", "-o", bin, "./bench/commit"], { cwd: repoRoot, env: { ...process.env, CGO_ENABLED: "0" } });
  const { stdout } = await run(bin, ["-backend", "sqlite", "-clients", "64", "-d", "3s"], { cwd: repoRoot, maxBuffer: 1 << 24 });
  const out = {};
  for (const line of stdout.split("\n")) {
    const f = line.split("|").map((s) => s.trim());
    if (f[2] === "64" && ["insert one document", "patch own document"].includes(f[1])) out[f[1]] = { rate: Number(f[3]), raw: Number(f[4]) };
  }
  return out;
}

// pooledEngineRSS runs bench/runtime for one engine and returns its "RSS
// per idle pooled runtime" line.
async function pooledEngineRSS(engine) {
  const args = ["run", ...(engine === "v8" ? ["-tags", "hull_v8"] : []), "./bench/runtime", "-engine", engine, "-n", "40", "-auth-bundle", ""];
  const env = { ...process.env, CGO_ENABLED: engine === "v8" ? "1" : "0" };
  const { stdout } = await run("go", args, { cwd: repoRoot, env, maxBuffer: 1 << 24 });
  const m = stdout.match(/RSS per idle pooled runtime <= 5 MiB: ([\d.]+) MiB/);
  return m ? Number(m[1]) : NaN;
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "–");
const verdict = (ok) => (ok ? "met" : "NOT met");

async function main() {
  const work = await mkdtemp(join(tmpdir(), "hull-bench-pocketbase-"));
  try {
    console.error(`building PocketBase ${VERSION} and hull…`);
    const pbDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "hull-bench-pocketbase", VERSION);
    await mkdir(pbDir, { recursive: true });
    const pb = await buildPocketBase(VERSION, pbDir);
    const hull = await buildHull(process.env.BENCH_SKIP_V8 === "1");
    if (PERF) await mkdir(PERF, { recursive: true });

    const pbLoads = [["REST create (fetch, keep-alive)", pocketBaseClients]];
    const hullLoads = [
      ["ConvexHttpClient", hullHttpClients],
      ["ConvexClient (WebSocket)", hullSocketClients],
    ];
    const servers = [
      [new PocketBase("PocketBase stock", pb.stock), pbLoads],
      [new PocketBase("PocketBase fsync", pb.fsync), pbLoads],
      [new Hull("hull QuickJS", hull.quickjs, "quickjs"), hullLoads],
      ...(hull.v8 ? [[new Hull("hull V8", hull.v8, "v8"), hullLoads]] : []),
      ...(hull.v8 ? [[new Hull("hull V8 tiered", hull.v8, "tiered"), hullLoads]] : []),
    ];
    let rows, feet;
    try {
      ({ rows, feet } = await measureAll(servers));
    } finally {
      for (const [s] of servers) await s.destroy();
    }
    console.error("database layer (bench/commit, 64 writers)…");
    const db = await dbLayer(work);
    const pooled = {};
    if (process.env.BENCH_RUNTIME !== "0") {
      for (const e of ["quickjs", ...(hull.v8 ? ["v8"] : [])]) {
        console.error(`bench/runtime -engine ${e} (RSS per pooled engine)…`);
        pooled[e] = await pooledEngineRSS(e);
      }
    }
    await report(rows, feet, db, pooled);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function report(rows, feet, db, pooled) {
  const of = (server, n) => rows.find((r) => r.server === server && r.n === n);
  console.log(`PocketBase ${VERSION}, ${D / 1000} s per cell after ${WARM / 1000} s of warm-up, ${ROUNDS} round(s) (median by rate); one Node.js process drives every client\n`);
  console.log("| server | client | clients | creates/s | p50 ms | p99 ms | server CPU µs/create | server cores busy | driver CPU µs/create | load avg | vs PB fsync | vs PB stock |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const f = of("PocketBase fsync", r.n);
    const s = of("PocketBase stock", r.n);
    console.log(
      `| ${r.server} | ${r.client} | ${r.n} | ${fmt(r.rate)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.serverCpuUs)} | ${fmt(r.serverCores, 2)} | ${fmt(r.clientCpuUs)} | ${fmt(r.load, 1)} | ` +
        `${f ? fmt(r.rate / f.rate, 2) + "x" : ""} | ${s ? fmt(r.rate / s.rate, 2) + "x" : ""} |`,
    );
  }
  console.log("\n| floor | hull | limit | ratio | verdict |");
  console.log("|---|---|---|---|---|");
  for (const r of rows.filter((r) => r.server.startsWith("hull"))) {
    const f = of("PocketBase fsync", r.n);
    const s = of("PocketBase stock", r.n);
    if (f) console.log(`| creates/s ≥ 1× PocketBase fsync: ${r.server}, ${r.client}, ${r.n} clients | ${fmt(r.rate)} | ${fmt(f.rate)} | ${fmt(r.rate / f.rate, 2)}x | ${verdict(r.rate >= f.rate)} |`);
    if (s) console.log(`| moonshot ≥ 1× PocketBase stock: ${r.server}, ${r.client}, ${r.n} clients | ${fmt(r.rate)} | ${fmt(s.rate)} | ${fmt(r.rate / s.rate, 2)}x | ${verdict(r.rate >= s.rate)} |`);
  }
  const ins = db["insert one document"];
  const pat = db["patch own document"];
  for (const r of rows.filter((r) => r.client.includes("WebSocket") && r.n === 64)) {
    if (ins) console.log(`| 64 WebSocket clients ≥ 0.5× database layer, insert one document (64 writers): ${r.server} | ${fmt(r.rate)} | ${fmt(ins.rate)} | ${fmt(r.rate / ins.rate, 2)}x | ${verdict(r.rate >= 0.5 * ins.rate)} |`);
    if (pat) console.log(`| (for reference) the same against the database layer patching own documents (64 writers): ${r.server} | ${fmt(r.rate)} | ${fmt(pat.rate)} | ${fmt(r.rate / pat.rate, 2)}x | |`);
  }
  if (ins) console.log(`\ndatabase layer at 64 writers (bench/commit, SQLite): insert ${fmt(ins.rate)}/s, patch ${fmt(pat?.rate)}/s; raw one-row SQLite transactions ${fmt(ins.raw)}/s`);

  console.log("\n| server | binary MB | stripped MB | idle RSS MiB | RSS after the loads MiB | peak RSS MiB | RSS per idle pooled engine MiB | cold start to ready p50 ms | cold start to first query p50 ms | max ms | cold start ≤ 100 ms |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const f of feet) {
    const size = (await stat(f.bin)).size;
    // A tiered server pools QuickJS engines unless a function needs V8.
    const engine = { "hull QuickJS": "quickjs", "hull V8": "v8", "hull V8 tiered": "quickjs" }[f.name];
    const pool = engine ? fmt(pooled[engine], 2) : "";
    const floor = engine ? verdict(f.cold <= 100) : "";
    console.log(
      `| ${f.name} | ${mb(size)} | ${mb(await strippedSize(f.bin))} | ${mib(f.idle)} | ${mib(f.loaded)} | ${mib(f.peak)} | ${pool} | ${fmt(f.ready, 1)} | ${fmt(f.cold, 1)} | ${fmt(f.coldMax, 1)} | ${floor} |`,
    );
  }
}

await main();
