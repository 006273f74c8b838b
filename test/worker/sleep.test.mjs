// Sleeping without losing work: the Durable Object's idle countdown, the
// SLEEP_POLICY choices, open WebSockets keeping the container awake, and
// the wake-up alarm set from hull's next due job — run by the development
// stand-in, which shares every decision with the real Container class.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Hull, Worker, workerFixture, through, eventually, waitFor, ConvexClient, ConvexHttpClient, anyApi } from "./lib/kit.mjs";

const api = anyApi;

describe("sleep and wake", () => {
  let hull, app;
  const workers = [];
  const start = async (vars) => {
    const w = await Worker.start({ hull, sleepAfter: "1s", vars });
    workers.push(w);
    return w;
  };

  before(async () => {
    hull = await Hull.create("sqlite");
    app = await workerFixture("sleepy", hull);
    await app.deploy();
  });

  after(async () => {
    for (const w of workers) await w.dispose();
    await app?.destroy();
    await hull?.destroy();
  });

  it("SLEEP_POLICY=never keeps the container awake", async () => {
    const w = await start({ SLEEP_POLICY: "never" });
    assert.equal((await w.fetch("/version")).status, 200);
    const s = await eventually(async () => {
      const s = await w.status(hull.adminKey);
      return s.history.some((p) => p.decision === "stay") && s;
    }, "an idle decision");
    assert.equal(s.running, true);
    assert.match(s.plan.reason, /SLEEP_POLICY=never/);
  });

  it("SLEEP_POLICY=always sleeps when idle, and the next request starts it again", async () => {
    const w = await start({ SLEEP_POLICY: "always" });
    assert.equal((await w.fetch("/version")).status, 200);
    const s = await eventually(async () => {
      const s = await w.status(hull.adminKey);
      return !s.running && s;
    }, "the container to sleep");
    assert.equal(s.plan.decision, "sleep");
    assert.equal(s.plan.wakeAt, null);
    const health = await (await w.fetch("/healthz")).json();
    assert.equal(health.status, "sleeping", "a health check does not wake it");
    assert.equal((await w.status(hull.adminKey)).running, false);
    assert.equal(await new ConvexHttpClient(w.url).query(api.jobs.runs, { tag: "none" }), 0);
    assert.equal((await w.status(hull.adminKey)).running, true);
  });

  it("an open WebSocket keeps the container awake; closing it lets it sleep", async () => {
    const w = await start({ SLEEP_POLICY: "always" });
    const client = new ConvexClient(w.url, { unsavedChangesWarning: false });
    try {
      await waitFor(client, api.jobs.runs, { tag: "ws" }, (n) => n === 0, "the first result");
      await new Promise((r) => setTimeout(r, 3000)); // three idle periods
      const s = await w.status(hull.adminKey);
      assert.equal(s.running, true);
      assert.deepEqual(s.history, [], "no idle decision while the socket is open");
    } finally {
      await client.close();
    }
    await eventually(async () => !(await w.status(hull.adminKey)).running, "the container to sleep once the socket closed");
  });

  it("with nothing scheduled it sleeps without an alarm", async () => {
    const w = await start({ SLEEP_POLICY: "scheduled" });
    assert.equal((await w.fetch("/version")).status, 200);
    const s = await eventually(async () => {
      const s = await w.status(hull.adminKey);
      return !s.running && s;
    }, "the container to sleep");
    assert.deepEqual([s.plan.decision, s.plan.reason, s.plan.wakeAt], ["sleep", "nothing is scheduled", null]);
    assert.equal(s.nextDue.nextDueMs, null, "the Worker's own admin key was accepted by hull");
  });

  it("a job due within SLEEP_AFTER keeps it awake until the job has run", async () => {
    // Idle after 6 s with the job due at 9 s: it stays awake for it.
    const w = await start({ SLEEP_POLICY: "scheduled", SLEEP_AFTER: "6s" });
    await new ConvexHttpClient(w.url).mutation(api.jobs.later, { delayMs: 9000, tag: "soon" });
    const stayed = await eventually(async () => (await w.status(hull.adminKey)).history.find((p) => p.decision === "stay"), "the stay decision", 20_000);
    assert.match(stayed.reason, /due in \d+ s/);
    await eventually(async () => (await new ConvexHttpClient(hull.url).query(api.jobs.runs, { tag: "soon" })) === 1, "the job to run", 30_000);
    await eventually(async () => !(await w.status(hull.adminKey)).running, "sleep once it ran", 30_000);
  });

  it("with SLEEP_POLICY=scheduled it asks hull for the next due job and sets the alarm before it", async () => {
    const w = await start({ SLEEP_POLICY: "scheduled", WAKE_LEAD: "2s" });
    const probe = await fetch(`${hull.url}/api/hull/next_due`, { headers: { Authorization: `Convex ${hull.adminKey}` } });
    assert.equal(probe.status, 200, await probe.text());
    const c = new ConvexHttpClient(w.url);
    await c.mutation(api.jobs.later, { delayMs: 10_000, tag: "alarm" });
    const due = (await (await fetch(`${hull.url}/api/hull/next_due`, { headers: { Authorization: `Convex ${hull.adminKey}` } })).json()).nextDueMs;
    assert.equal(typeof due, "number");

    const slept = await eventually(async () => {
      const s = await w.status(hull.adminKey);
      return s.history.find((p) => p.decision === "sleep");
    }, "the sleep decision");
    assert.equal(slept.wakeAt, due - 2000, "the alarm is set WAKE_LEAD before the job");

    const woke = await eventually(async () => {
      const s = await w.status(hull.adminKey);
      return s.history.find((p) => p.decision === "wake");
    }, "the wake-up alarm", 30_000);
    assert.ok(woke.at >= due - 2000 - 50, `woke at ${woke.at}, before the alarm time ${due - 2000}`);
    await eventually(async () => (await new ConvexHttpClient(hull.url).query(api.jobs.runs, { tag: "alarm" })) === 1, "the job to run");
    const after = await eventually(async () => {
      const s = await w.status(hull.adminKey);
      const last = s.history.at(-1);
      return last.decision === "sleep" && last.reason === "nothing is scheduled" && s;
    }, "sleep once nothing is scheduled");
    assert.equal(after.plan.wakeAt, null);
  });
});
