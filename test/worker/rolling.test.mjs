// Rolling deploys: `wrangler deploy` activates the new Worker before the
// container is replaced, so a Worker meets an older container (and after a
// rollback, a newer one). Both pairs keep working.
//
// The older container is hull as it answered before the Worker kit: no
// X-Hull-Version on its answers and no GET /api/hull/next_due. A proxy in
// front of today's hull takes both away, which is all the Worker can see
// of a version.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { Hull, App, Worker, through, eventually, waitFor, freePort, ConvexClient, ConvexHttpClient, anyApi } from "./lib/kit.mjs";

const api = anyApi;

// olderHull serves target as a hull without the version header and the
// next-due endpoint would.
async function olderHull(target) {
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    if (req.url.startsWith("/api/hull/next_due")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "NotFound", message: `no route for GET ${req.url}` }));
      return;
    }
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      const headers = { ...ur.headers };
      delete headers["x-hull-version"];
      res.writeHead(ur.statusCode, headers);
      ur.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  server.on("upgrade", (req, socket, head) => {
    const up = net.connect(Number(t.port), t.hostname, () => {
      up.write(`${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`);
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

describe("a Worker newer than its container", () => {
  let hull, old, worker, app;
  const clients = [];

  before(async () => {
    hull = await Hull.create("sqlite");
    old = await olderHull(hull.url);
    worker = await Worker.start({ hull, url: old.url, sleepAfter: "1s", vars: { SLEEP_POLICY: "scheduled" } });
    app = through(await App.create("live", hull), worker.url);
  });

  after(async () => {
    for (const c of clients) await c.close();
    await worker?.dispose();
    await old?.close();
    await app?.destroy();
    await hull?.destroy();
  });

  it("deploys, queries, mutations and subscriptions keep working", async () => {
    await app.deploy();
    const c = new ConvexHttpClient(worker.url);
    await c.mutation(api.counters.inc, { name: "old" });
    assert.equal(await c.query(api.counters.get, { name: "old" }), 1);
    const sub = new ConvexClient(worker.url, { unsavedChangesWarning: false });
    clients.push(sub);
    await waitFor(sub, api.counters.get, { name: "old" }, (n) => n === 1, "the first value");
    const next = waitFor(sub, api.counters.get, { name: "old" }, (n) => n === 2, "the update");
    await c.mutation(api.counters.inc, { name: "old" });
    assert.equal(await next, 2);
    await sub.close();
    clients.pop();
  });

  it("the Worker sees no version and keeps the container awake instead of missing scheduled work", async () => {
    const s = await eventually(async () => {
      const s = await worker.status(hull.adminKey);
      return s.plan && s;
    }, "an idle decision");
    assert.equal(s.hullVersion, null);
    assert.equal(s.plan.decision, "stay");
    assert.match(s.plan.reason, /next-due endpoint/);
    assert.equal(s.running, true);
  });
});

describe("a container newer than its Worker", () => {
  let hull, app;

  before(async () => {
    hull = await Hull.create("sqlite", { HULL_LOG_LEVEL: "info" });
    app = await App.create("live", hull);
    await app.deploy();
  });

  after(async () => {
    await app?.destroy();
    await hull?.destroy();
  });

  it("serves a Worker that sends no version, or an old one, and says so in its log", async () => {
    const call = (headers) =>
      fetch(`${hull.url}/api/query`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ path: "counters:get", args: { name: "x" }, format: "json" }) });
    for (const headers of [{}, { "X-Hull-Worker-Version": "0.0.1" }]) {
      const r = await call(headers);
      assert.equal(r.status, 200);
      assert.equal((await r.json()).value, 0);
      assert.ok(r.headers.get("X-Hull-Version"));
    }
    await eventually(() => hull.output.includes("older than this hull supports"), "the warning about the old Worker", 5000);
  });
});
