// HTTP-action benchmark: the latency of HTTP actions through the whole
// stack (Node's fetch → hull → the router in QuickJS → back), beside raw
// Go net/http handlers on the same server answering the same client in the
// same run, on SQLite and, when HULL_TEST_POSTGRES_URL is set, PostgreSQL.
//
//   node bench/httpaction/bench.mjs     (from the repo root; needs test/e2e's npm packages)
//
// The raw limits are hull's own Go handlers: GET /version (a short text)
// and POST /echo (the body back, read whole then written). The HTTP
// actions are the e2e fixture's routes (test/e2e/fixtures/httpactions).
import { readFile } from "node:fs/promises";
import { Hull, App } from "../../test/e2e/lib/hull.mjs";

const N = Number(process.env.BENCH_N ?? 400);
const BIG = 1 << 20;

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function timeMany(n, f) {
  for (let i = 0; i < Math.max(20, n / 10); i++) await f(); // warm up
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await f();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

async function call(url, init, want) {
  const r = await fetch(url, init);
  const body = new Uint8Array(await r.arrayBuffer());
  if (!r.ok) throw new Error(`${url}: ${r.status} ${new TextDecoder().decode(body)}`);
  if (want !== undefined && body.length !== want) throw new Error(`${url}: ${body.length} bytes, want ${want}`);
}

async function run(backend) {
  const hull = await Hull.create(backend);
  const app = await App.create("httpactions", hull);
  try {
    await app.deploy();
    const site = `${hull.url}/http`;
    await call(`${site}/postMessage`, { method: "POST", body: JSON.stringify({ author: "bench", body: "x" }) });
    const json = JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}`, ok: i % 2 === 0 })) });
    const jsonInit = () => ({ method: "POST", headers: { "content-type": "application/json" }, body: json });
    const big = new Uint8Array(BIG).fill(120);
    const bigInit = () => ({ method: "POST", headers: { "content-type": "application/octet-stream" }, body: big });
    const pairs = [
      ["GET, short text", () => call(`${hull.url}/version`), () => call(`${site}/files/special`)],
      [`POST ${json.length}-byte JSON, answered`, () => call(`${hull.url}/echo`, jsonInit()), () => call(`${site}/echoJson`, jsonInit())],
      ["GET, runQuery (one document)", () => call(`${hull.url}/version`), () => call(`${site}/getMessages`)],
      ["POST 1 MiB, echoed", () => call(`${hull.url}/echo`, bigInit(), BIG), () => call(`${site}/echo`, bigInit(), BIG)],
    ];
    const rows = [];
    // Peak memory while 16 MiB stream through one HTTP action both ways,
    // against the peak before.
    const hwm = async () => Number((await readFile(`/proc/${hull.proc.pid}/status`, "utf8")).match(/VmHWM:\s+(\d+)/)[1]) / 1024;
    await call(`${site}/echo`, bigInit(), BIG); // the route's engine is ready
    const before = await hwm();
    const huge = new Uint8Array(16 << 20).fill(121);
    const t0 = process.hrtime.bigint();
    await call(`${site}/echo`, { method: "POST", body: huge }, huge.length);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const after = await hwm();
    memory.push([backend, (16 / (ms / 1000)).toFixed(1), before.toFixed(1), after.toFixed(1)]);
    // For reference: the query /getMessages runs, called as a function.
    const listCall = JSON.stringify({ path: "messages:list", args: {}, format: "json" });
    const viaAPI = await timeMany(N, () => call(`${hull.url}/api/query`, { method: "POST", headers: { "content-type": "application/json" }, body: listCall }));
    reference.push([backend, pct(viaAPI, 50)]);
    for (const [name, raw, action] of pairs) {
      const n = name.includes("MiB") ? Math.max(20, N / 10) : N;
      // Alternate in blocks so both see the same machine state.
      const r = [], a = [];
      for (let i = 0; i < 4; i++) {
        r.push(...(await timeMany(n / 4, raw)));
        a.push(...(await timeMany(n / 4, action)));
      }
      rows.push([backend, name, pct(r, 50), pct(a, 50), pct(a, 99), pct(a, 50) / pct(r, 50)]);
    }
    return rows;
  } finally {
    await app.destroy();
    await hull.destroy();
  }
}

const rows = [];
const memory = [];
const reference = [];
for (const b of ["sqlite", ...(process.env.HULL_TEST_POSTGRES_URL ? ["postgres"] : [])]) rows.push(...(await run(b)));
console.log(`| backend | request | raw Go handler p50 ms | HTTP action p50 ms | HTTP action p99 ms | ratio p50 |`);
console.log(`|---|---|---|---|---|---|`);
for (const [b, m, raw, p50, p99, ratio] of rows) console.log(`| ${b} | ${m} | ${raw.toFixed(2)} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${ratio.toFixed(2)}x |`);
console.log();
for (const [b, p50] of reference) console.log(`${b}: the query of "runQuery (one document)" as POST /api/query: p50 ${p50.toFixed(2)} ms`);
console.log();
console.log(`| backend | 16 MiB echoed through one HTTP action, MB/s | hull peak RSS before, MiB | peak RSS after, MiB |`);
console.log(`|---|---|---|---|`);
for (const [b, rate, before, after] of memory) console.log(`| ${b} | ${rate} | ${before} | ${after} |`);
