// The stock image option (BACKEND=convex), for routing only: the stock
// ghcr.io/get-convex/convex-backend image cannot run here, so hull — which
// speaks the same API — stands in for it behind the development stand-in,
// and a recording server stands in for the stock dashboard. The Worker
// must send the API, HTTP actions and the sync WebSocket to the backend's
// port 3210 unchanged, health to /version, and the dashboard's host to the
// dashboard's container.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { Hull, App, Worker, through, freePort, waitFor, eventually, ConvexClient, ConvexHttpClient, anyApi } from "./lib/kit.mjs";

const api = anyApi;

// request sends a GET with a chosen Host header (fetch cannot set it).
function request(port, path, host) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("BACKEND=convex routing", () => {
  let hull, worker, app, dashboard, port;
  const seen = [];

  before(async () => {
    dashboard = http.createServer((req, res) => {
      seen.push({ path: req.url, host: req.headers["x-forwarded-host"] });
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>stock dashboard</html>");
    });
    const dport = await freePort();
    await new Promise((r) => dashboard.listen(dport, "127.0.0.1", r));
    hull = await Hull.create("sqlite");
    port = await freePort();
    worker = await Worker.start({
      hull,
      port,
      sleepAfter: "1s",
      vars: { BACKEND: "convex", DASHBOARD_HOST: "dash.example.test", PUBLIC_ORIGIN: `http://127.0.0.1:${port}`, HULL_DEV_DASHBOARD_URL: `http://127.0.0.1:${dport}` },
      dashboard: true,
    });
    app = through(await App.create("live", hull), worker.url);
    await app.deploy();
  });

  after(async () => {
    await worker?.dispose();
    await app?.destroy();
    await hull?.destroy();
    await new Promise((r) => dashboard?.close(r));
  });

  it("the CLI, queries and the sync WebSocket reach the backend unchanged", async () => {
    const c = new ConvexHttpClient(worker.url);
    await c.mutation(api.counters.inc, { name: "stock" });
    const sub = new ConvexClient(worker.url, { unsavedChangesWarning: false });
    try {
      assert.equal(await waitFor(sub, api.counters.get, { name: "stock" }, (n) => n === 1, "the value"), 1);
    } finally {
      await sub.close();
    }
  });

  it("HTTP actions go to the backend under /http", async () => {
    const r = await worker.fetch("/http/anything");
    assert.ok(r.headers.get("X-Hull-Version"), "the backend answered");
    await r.body?.cancel();
  });

  it("/healthz asks the backend's /version", async () => {
    const r = await worker.fetch("/healthz");
    assert.equal(r.status, 200);
    assert.equal((await r.text()).trim(), (await (await fetch(`${hull.url}/version`)).text()).trim());
  });

  it("/dashboard on the API's host redirects to DASHBOARD_HOST", async () => {
    const r = await worker.fetch("/dashboard", { redirect: "manual" });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get("location"), "https://dash.example.test/");
  });

  it("every path on DASHBOARD_HOST goes to the dashboard's container", async () => {
    for (const path of ["/", "/data", "/api/current_deployment", "/_next/static/app.js"]) {
      const r = await request(port, path, "dash.example.test");
      assert.equal(r.status, 200, `${path}: ${r.body}`);
      assert.match(r.body, /stock dashboard/);
    }
    // (The stand-in's start probe asks /version first.)
    const forwarded = seen.filter((s) => s.path !== "/version");
    assert.deepEqual(forwarded.map((s) => s.path), ["/", "/data", "/api/current_deployment", "/_next/static/app.js"]);
    assert.ok(forwarded.every((s) => s.host === "dash.example.test"));
  });

  it("the stock backend cannot say when its next job is due, so it is kept awake", async () => {
    const s = await eventually(async () => {
      const s = await worker.status(hull.adminKey);
      return s.plan && s;
    }, "an idle decision");
    assert.equal(s.backend, "convex");
    assert.equal(s.plan.decision, "stay");
    assert.match(s.plan.reason, /cannot report when its next job is due/);
  });
});
