// First-light benchmark: HTTP function-call latency beside a raw HTTP echo
// of the same size on the same server, and cold start (process start to
// the first successful query of a deployed app), on SQLite and, when
// HULL_TEST_POSTGRES_URL is set, PostgreSQL.
//
//   node bench/firstlight/bench.mjs          (from the repo root; needs test/e2e's npm packages)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Hull, App } from "../../test/e2e/lib/hull.mjs";

const N = Number(process.env.BENCH_N ?? 400);

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function timeMany(n, f) {
  for (let i = 0; i < 20; i++) await f(); // warm up
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await f();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

// cpuMs is the CPU time (user + system) the process has used, in ms, on
// Linux (clock ticks of 10 ms); NaN elsewhere. CPU per call moves far
// less than latency when the machine is shared.
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

// timeCalls is timeMany with the server's CPU time per call.
async function timeCalls(hull, n, f) {
  const before = cpuMs(hull.proc.pid);
  const out = await timeMany(n, f);
  out.cpu = (cpuMs(hull.proc.pid) - before) / (n + 20);
  return out;
}

async function post(url, body) {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await r.text();
  if (!r.ok) throw new Error(`${url}: ${r.status} ${text}`);
  return text;
}

async function coldStart(hull, tries) {
  const out = [];
  const body = JSON.stringify({ path: "counters:env", args: { name: "X" }, format: "convex_encoded_json" });
  for (let i = 0; i < tries; i++) {
    await hull.stop();
    const t = process.hrtime.bigint();
    const bin = process.env.HULL_BIN ?? (await import("../../test/e2e/lib/hull.mjs")).hullBin();
    hull.proc = spawn(await bin, hull.args(), { env: hull.env, stdio: ["ignore", "ignore", "ignore"] });
    hull.exited = new Promise((res) => hull.proc.once("exit", (code, signal) => res({ code, signal })));
    for (;;) {
      try {
        const r = await fetch(`${hull.url}/api/query`, { method: "POST", headers: { "content-type": "application/json" }, body });
        if (r.ok && (await r.json()).status === "success") break;
      } catch {}
      await new Promise((r) => setTimeout(r, 1));
    }
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

async function run(backend) {
  const hull = await Hull.create(backend);
  const app = await App.create("basic", hull);
  try {
    await app.deploy();
    const id = JSON.parse(await post(`${hull.url}/api/mutation`, JSON.stringify({ path: "messages:send", args: { author: "b", body: "x" }, format: "convex_encoded_json" }))).value;
    for (let i = 0; i < 20; i++) {
      await post(`${hull.url}/api/mutation`, JSON.stringify({ path: "messages:send", args: { author: "list20", body: `row ${i} of the indexed list`, likes: i }, format: "convex_encoded_json" }));
    }
    const listq = JSON.stringify({ path: "messages:byAuthor", args: { author: "list20" }, format: "convex_encoded_json" });
    const trivial = JSON.stringify({ path: "counters:env", args: { name: "X" }, format: "convex_encoded_json" });
    const getq = JSON.stringify({ path: "messages:get", args: { id }, format: "convex_encoded_json" });
    const echo = await timeCalls(hull, N, () => post(`${hull.url}/echo`, trivial));
    const q = await timeCalls(hull, N, () => post(`${hull.url}/api/query`, trivial));
    const g = await timeCalls(hull, N, () => post(`${hull.url}/api/query`, getq));
    const l = await timeCalls(hull, N, () => post(`${hull.url}/api/query`, listq));
    const cold = await coldStart(hull, 7);
    const limit = backend === "sqlite" ? 100 : 300;
    const cpu = (xs) => (Number.isNaN(xs.cpu) ? "" : xs.cpu.toFixed(2));
    return [
      [backend, "HTTP echo (raw limit)", pct(echo, 50), pct(echo, 99), "1.00x", cpu(echo), ""],
      [backend, "HTTP trivial query", pct(q, 50), pct(q, 99), `${(pct(q, 50) / pct(echo, 50)).toFixed(2)}x`, cpu(q), ""],
      [backend, "HTTP query with ctx.db.get", pct(g, 50), pct(g, 99), `${(pct(g, 50) / pct(echo, 50)).toFixed(2)}x`, cpu(g), ""],
      [backend, "HTTP indexed list query, 20 rows", pct(l, 50), pct(l, 99), `${(pct(l, 50) / pct(echo, 50)).toFixed(2)}x`, cpu(l), `${(pct(l, 50) / pct(g, 50)).toFixed(2)}x the get query`],
      [backend, "cold start to first query", pct(cold, 50), Math.max(...cold), "", "", `floor ${limit} ms: ${pct(cold, 50) <= limit ? "met" : "NOT met"}`],
    ];
  } finally {
    await app.destroy();
    await hull.destroy();
  }
}

const rows = [];
for (const b of ["sqlite", ...(process.env.HULL_TEST_POSTGRES_URL ? ["postgres"] : [])]) rows.push(...(await run(b)));
console.log(`| backend | measurement | p50 ms | p99/max ms | ratio to echo | server CPU ms/call | note |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const [b, m, p50, p99, ratio, cpu, note] of rows) console.log(`| ${b} | ${m} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${ratio} | ${cpu} | ${note} |`);
