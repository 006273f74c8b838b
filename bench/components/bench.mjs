// Component-call benchmark: the latency (and the server's CPU time) of a
// query and a mutation that call one function nested in the app, beside
// the same calls crossing into a component that runs the same function,
// measured in the same run, interleaved, on SQLite and, when
// HULL_TEST_POSTGRES_URL is set, PostgreSQL. The limit: crossing into a
// component costs at most 1.25x the same nested call within the app (p50).
//
//   node bench/components/bench.mjs          (from the repo root; needs test/e2e's npm packages)
import { readFileSync } from "node:fs";
import { Hull, App } from "../../test/e2e/lib/hull.mjs";

const N = Number(process.env.BENCH_N ?? 300);
const LIMIT = 1.25;

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

// cpuMs is the CPU time (user + system) the process has used, in ms, on
// Linux (clock ticks of 10 ms); NaN elsewhere.
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

async function call(hull, kind, path, args) {
  const r = await fetch(`${hull.url}/api/${kind}`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ path, args, format: "json" }),
  });
  const body = await r.json();
  if (body.status !== "success") throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body.value;
}

// pair times a and b interleaved (a, b, a, b, ...) so both see the same
// machine; CPU is measured over separate runs of each.
async function pair(hull, a, b) {
  for (let i = 0; i < 30; i++) {
    await a();
    await b();
  }
  const ta = [], tb = [];
  for (let i = 0; i < N; i++) {
    for (const [f, out] of i % 2 ? [[a, ta], [b, tb]] : [[b, tb], [a, ta]]) {
      const t = process.hrtime.bigint();
      await f();
      out.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const cpu = async (f) => {
    const before = cpuMs(hull.proc.pid);
    for (let i = 0; i < N; i++) await f();
    return (cpuMs(hull.proc.pid) - before) / N;
  };
  return { ta, tb, ca: await cpu(a), cb: await cpu(b) };
}

const f2 = (x) => x.toFixed(2);

async function run(backend) {
  const hull = await Hull.create(backend);
  const app = await App.create("components_bench", hull);
  try {
    await app.deploy();
    const rows = [];
    for (const [kind, what, inApp, inComp] of [
      ["query", "query calling a query", "calls:readInApp", "calls:readInComponent"],
      ["mutation", "mutation calling a mutation", "calls:incInApp", "calls:incInComponent"],
    ]) {
      const r = await pair(hull, () => call(hull, kind, inApp, { name: "c" }), () => call(hull, kind, inComp, { name: "c" }));
      rows.push({ what, ...r });
    }
    console.log(`\n${backend} (${N} calls each, interleaved; ms)`);
    console.log("| call | in the app p50 / p95 | into a component p50 / p95 | ratio p50 (limit ≤ 1.25) | server CPU per call, app / component |");
    console.log("|---|---|---|---|---|");
    for (const r of rows) {
      const ratio = pct(r.tb, 50) / pct(r.ta, 50);
      console.log(`| ${r.what} | ${f2(pct(r.ta, 50))} / ${f2(pct(r.ta, 95))} | ${f2(pct(r.tb, 50))} / ${f2(pct(r.tb, 95))} | ${f2(ratio)} ${ratio <= LIMIT ? "met" : "NOT met"} | ${f2(r.ca)} / ${f2(r.cb)} |`);
    }
  } finally {
    await app.destroy();
    await hull.destroy();
  }
}

await run("sqlite");
if (process.env.HULL_TEST_POSTGRES_URL) await run("postgres");
