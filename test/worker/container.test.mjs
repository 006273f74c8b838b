// The production Durable Object class — Backend on @cloudflare/containers —
// in workerd, with only the container runtime replaced by a stand-in whose
// ports forward to a real hull (lib/fake-container.ts): the helper's start
// and readiness loop, its HTTP and WebSocket relaying, its activity timer
// and alarm schedules all run as they do on Cloudflare, with the kit's
// hooks on them.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Hull, Worker, workerFixture, through, eventually, waitFor, freePort, secretOf, ConvexClient, ConvexHttpClient, anyApi } from "./lib/kit.mjs";

const api = anyApi;

describe("the Backend class on @cloudflare/containers", () => {
  let hull, app, worker;

  before(async () => {
    hull = await Hull.create("sqlite");
    worker = await Worker.start({
      hull,
      realContainer: true,
      sleepAfter: "2s",
      vars: { SLEEP_POLICY: "scheduled", WAKE_LEAD: "2s", DATABASE_URL: "postgres://u:p@db.example/x", COLD_START_TIMEOUT: "10s" },
    });
    app = through(await workerFixture("sleepy", hull), worker.url);
  });

  after(async () => {
    await worker?.dispose();
    await app?.destroy();
    await hull?.destroy();
  });

  it("a request starts the container with the deployment's environment, and the CLI deploys through it", async () => {
    await app.deploy();
    const f = await worker.fakeContainer();
    assert.equal(f.running, true);
    assert.ok(f.starts >= 1);
    assert.equal(f.env.INSTANCE_NAME, hull.instanceName);
    assert.equal(f.env.INSTANCE_SECRET, await secretOf(hull));
    assert.equal(f.env.DATABASE_URL, "postgres://u:p@db.example/x");
    assert.equal(f.env.PUBLIC_ORIGIN, worker.url);
    assert.equal(f.env.HULL_TRUSTED_PROXIES, "0.0.0.0/0,::/0");
    assert.equal(f.env.HULL_PRODUCTION, "1");
    assert.equal(f.env.SLEEP_AFTER, undefined, "the Worker's own settings stay with the Worker");
  });

  it("queries and a WebSocket subscription go through the helper's relay", async () => {
    const c = new ConvexHttpClient(worker.url);
    assert.equal(await c.query(api.jobs.runs, { tag: "none" }), 0);
    const sub = new ConvexClient(worker.url, { unsavedChangesWarning: false });
    try {
      await waitFor(sub, api.jobs.runs, { tag: "ws" }, (n) => n === 0, "the first result");
      // The open socket keeps the container awake past SLEEP_AFTER.
      await new Promise((r) => setTimeout(r, 4500));
      assert.equal((await worker.fakeContainer()).running, true);
      assert.deepEqual((await worker.fakeContainer()).signals, []);
    } finally {
      await sub.close();
    }
  });

  it("idle, it sleeps with SIGTERM after asking hull for the next job, and the alarm starts it again before the job", async () => {
    const c = new ConvexHttpClient(worker.url);
    await c.mutation(api.jobs.later, { delayMs: 12_000, tag: "real" });
    const before = (await worker.fakeContainer()).starts;
    const slept = await eventually(async () => {
      const f = await worker.fakeContainer();
      return !f.running && f.signals.includes(15) && f;
    }, "SIGTERM once idle", 20_000);
    assert.ok(slept);
    const s = await worker.status(hull.adminKey);
    const plan = s.history.find((p) => p.decision === "sleep" && p.wakeAt !== null);
    assert.ok(plan, JSON.stringify(s.history));
    const woke = await eventually(async () => {
      const f = await worker.fakeContainer();
      return f.starts > before && f;
    }, "the wake-up start", 30_000);
    assert.equal(woke.running, true);
    await eventually(async () => (await new ConvexHttpClient(hull.url).query(api.jobs.runs, { tag: "real" })) === 1, "the job to run", 30_000);
  });

  it("a container that never opens its port answers 503 within COLD_START_TIMEOUT", async () => {
    const closed = await freePort();
    const w = await Worker.start({
      hull,
      url: `http://127.0.0.1:${closed}`,
      realContainer: true,
      vars: { COLD_START_TIMEOUT: "2s", DATABASE_URL: "postgres://u:p@db.example/x" },
    });
    try {
      const r = await w.fetch("/api/query", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      assert.equal(r.status, 503);
      const body = await r.json();
      assert.equal(body.error, "ColdStartTimeout", JSON.stringify(body));
      assert.ok(Number(r.headers.get("Retry-After")) > 0);
      assert.equal(typeof body.retryAfter, "number");
    } finally {
      await w.dispose();
    }
  });
});
