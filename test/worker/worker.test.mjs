// The Worker in front of a real hull, driven through the official convex
// CLI and clients: deploys, queries, mutations and a WebSocket
// subscription all go through the Worker and its Durable Object, on
// SQLite and on PostgreSQL.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Hull, App, backends, Worker, through, waitFor, ConvexClient, ConvexHttpClient, anyApi } from "./lib/kit.mjs";

const api = anyApi;

for (const backend of backends()) {
  describe(`the Worker in front of hull on ${backend}`, () => {
    let hull, worker, app;
    const clients = [];

    before(async () => {
      hull = await Hull.create(backend);
      worker = await Worker.start({ hull });
      app = through(await App.create("live", hull), worker.url);
      await app.deploy();
    });

    after(async () => {
      for (const c of clients) await c.close();
      await worker?.dispose();
      await app?.destroy();
      await hull?.destroy();
    });

    it("the CLI deploys through the Worker", async () => {
      // before() deployed; a second deploy of the same code is a no-op push.
      const r = await app.convex(["deploy", "-y", "--typecheck", "disable"]);
      assert.equal(r.code, 0, r.stderr);
    });

    it("queries and mutations go through the Worker", async () => {
      const c = new ConvexHttpClient(worker.url);
      await c.mutation(api.counters.inc, { name: "w" });
      await c.mutation(api.counters.inc, { name: "w" });
      assert.equal(await c.query(api.counters.get, { name: "w" }), 2);
      // The same data is there when hull is asked directly.
      assert.equal(await new ConvexHttpClient(hull.url).query(api.counters.get, { name: "w" }), 2);
    });

    it("a WebSocket subscription through the Worker updates after a mutation", async () => {
      const reader = new ConvexClient(worker.url, { unsavedChangesWarning: false });
      const writer = new ConvexClient(worker.url, { unsavedChangesWarning: false });
      clients.push(reader, writer);
      await waitFor(reader, api.items.list, { list: "ws" }, (v) => Array.isArray(v) && v.length === 0, "the empty list");
      const updated = waitFor(reader, api.items.list, { list: "ws" }, (v) => v.includes("through the worker"), "the new item");
      await writer.mutation(api.items.add, { list: "ws", text: "through the worker" });
      assert.deepEqual(await updated, ["through the worker"]);
      // A mutation made directly on hull reaches the subscriber behind the Worker too.
      const again = waitFor(reader, api.items.list, { list: "ws" }, (v) => v.length === 2, "the direct item");
      await new ConvexHttpClient(hull.url).mutation(api.items.add, { list: "ws", text: "direct" });
      assert.deepEqual(await again, ["through the worker", "direct"]);
    });

    it("hull sees the public origin the Worker reports", async () => {
      const r = await worker.fetch("/api/v1/get_canonical_urls", { headers: { Authorization: `Convex ${hull.adminKey}` } });
      assert.equal(r.status, 200);
      const urls = await r.json();
      assert.equal(urls.convexCloudUrl, worker.url);
      assert.equal(urls.convexSiteUrl, `${worker.url}/http`);
    });

    it("a client cannot set the hop headers the Worker owns", async () => {
      const r = await worker.fetch("/api/v1/get_canonical_urls", {
        headers: { Authorization: `Convex ${hull.adminKey}`, "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "X-Hull-Kit-Route": "status" },
      });
      assert.equal(r.status, 200);
      assert.equal((await r.json()).convexCloudUrl, worker.url);
    });

    it("the Worker and hull exchange their versions", async () => {
      const direct = await (await fetch(`${hull.url}/version`)).text();
      const r = await worker.fetch("/version");
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("X-Hull-Version"), direct.trim());
      const s = await worker.status(hull.adminKey);
      assert.equal(s.hullVersion, direct.trim());
      assert.equal(s.kitVersion, direct.trim(), "the kit ships with the hull of the same version");
    });

    it("paths outside the deployment get the Worker's 404, API paths hull's", async () => {
      const outside = await worker.fetch("/wp-login.php");
      assert.equal(outside.status, 404);
      assert.equal(outside.headers.get("X-Hull-Version"), null, "the container never saw it");
      assert.equal((await outside.json()).error, "NotFound");
      const api404 = await worker.fetch("/api/no_such_endpoint");
      assert.equal(api404.status, 404);
      assert.ok(api404.headers.get("X-Hull-Version"), "hull answered");
      assert.equal((await api404.json()).code, "NotFound");
    });

    it("/http, /dashboard and /metrics are forwarded to hull", async () => {
      // hull answers these paths itself: the answer carries X-Hull-Version,
      // which the Worker's own answers never do.
      for (const path of ["/http/hello", "/dashboard/", "/dashboard", "/metrics"]) {
        const r = await worker.fetch(path);
        assert.ok(r.headers.get("X-Hull-Version"), `${path} reached hull (status ${r.status})`);
        await r.body?.cancel();
      }
      // The built-in dashboard's page loads through the Worker.
      const page = await worker.fetch("/dashboard/");
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<div id="root">|<script/);
    });

    it("/healthz answers from hull while it runs", async () => {
      const r = await worker.fetch("/healthz");
      assert.equal(r.status, 200);
      assert.ok(r.headers.get("X-Hull-Version"));
      assert.equal((await r.json()).status, "ready");
    });

    it("the status route needs this deployment's admin key", async () => {
      assert.equal((await worker.fetch("/_hull/status")).status, 401);
      const wrong = await worker.fetch("/_hull/status", { headers: { Authorization: "Convex other|0123" } });
      assert.equal(wrong.status, 401);
      const s = await worker.status(hull.adminKey);
      assert.equal(s.backend, "hull");
      assert.equal(s.running, true);
      assert.equal(s.origin, worker.url);
    });
  });
}
