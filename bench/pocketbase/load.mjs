// Load of the PocketBase comparison: N clients creating one record each,
// back to back, and what the server spent on it (from /proc, Linux).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { e2eDir } from "../../test/e2e/lib/hull.mjs";

const require = createRequire(join(e2eDir, "package.json"));
const { ConvexHttpClient, ConvexClient } = require("convex/browser");

// cpuSeconds is the CPU time (user + system) pid has used.
export function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

// status reads one "Vm…" line of /proc/pid/status, in KiB.
export function status(pid, field) {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith(field + ":"));
  return Number(line.split(/\s+/)[1]);
}

const BODY = "A record of the benchmark: two text fields and a number, the same shape on both servers.";

function record(client, seq) {
  return { title: `post ${client}-${seq}`, body: BODY, n: seq };
}

// pocketBaseClients are n REST clients of PocketBase's create endpoint
// over Node's fetch (keep-alive, one connection per client in flight).
export function pocketBaseClients(url, n) {
  const endpoint = `${url}/api/collections/posts/records`;
  return Array.from({ length: n }, (_, i) => ({
    async create(seq) {
      const r = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(record(i, seq)) });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`create: ${r.status} ${text}`);
    },
    close() {},
  }));
}

// hullHttpClients are n official ConvexHttpClients running the mutation.
export function hullHttpClients(url, n) {
  return Array.from({ length: n }, (_, i) => {
    const c = new ConvexHttpClient(url);
    return { create: (seq) => c.mutation("posts:create", record(i, seq)), close() {} };
  });
}

// hullSocketClients are n official ConvexClients (one WebSocket each)
// running the mutation.
export async function hullSocketClients(url, n) {
  const out = Array.from({ length: n }, (_, i) => {
    const c = new ConvexClient(url, { unsavedChangesWarning: false, logger: false });
    return { create: (seq) => c.mutation("posts:create", record(i, seq)), close: () => c.close() };
  });
  // Connected before the clock starts.
  await Promise.all(out.map((c, i) => c.create(-1 - i)));
  return out;
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

// drive runs the clients back to back for warmMs, then measures for
// durMs: creates/s, latency percentiles (ms), and CPU per create of the
// server (pid) and of this process, in µs. onMeasure, when given, is
// called as the measured window opens, with its length.
export async function drive(clients, pid, warmMs, durMs, onMeasure) {
  let measuring = false;
  let done = false;
  const lat = [];
  let firstErr;
  const loops = clients.map(async (c) => {
    for (let seq = 0; !done && !firstErr; seq++) {
      const t = process.hrtime.bigint();
      try {
        await c.create(seq);
      } catch (e) {
        firstErr ??= e;
        return;
      }
      if (measuring && !done) lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  });
  await new Promise((r) => setTimeout(r, warmMs));
  const cpu0 = cpuSeconds(pid);
  const self0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  measuring = true;
  onMeasure?.(durMs);
  await new Promise((r) => setTimeout(r, durMs));
  done = true;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds(pid) - cpu0;
  const self = process.cpuUsage(self0);
  await Promise.all(loops);
  if (firstErr) throw firstErr;
  const n = lat.length;
  return {
    rate: n / secs,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    serverCpuUs: (cpu * 1e6) / n,
    clientCpuUs: (self.user + self.system) / n,
    serverCores: cpu / secs,
  };
}
