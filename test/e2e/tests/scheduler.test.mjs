// Scheduled functions and crons through the official client and CLI: a
// mutation schedules a mutation and an action and each runs once; cancel
// works; a job due in 2 s survives kill -9 and runs after the restart; a
// 1-second cron runs and its runs are visible; scheduling mistakes and an
// invalid cron spec fail where they are made. On SQLite and PostgreSQL.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { Hull, App, backends, poll } from "../lib/hull.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const waitFor = (what, fn, timeoutMs = 30_000) => poll(what, fn, timeoutMs, 50);

for (const backend of backends()) {
  describe(`scheduler on ${backend}`, () => {
    let hull, app, client;

    before(async () => {
      hull = await Hull.create(backend);
      app = await App.create("scheduler", hull);
      await app.deploy();
      client = new ConvexHttpClient(hull.url);
    });

    after(async () => {
      await app?.destroy();
      await hull?.destroy();
    });

    const runs = (tag) => client.query("jobs:runs", { tag });

    async function data(table) {
      const r = await app.convex(["data", table, "--format", "json", "--limit", "1000"]);
      assert.equal(r.code, 0, `npx convex data ${table}:\n${r.stdout}\n${r.stderr}`);
      // The CLI prints int64 values as 123n.
      return JSON.parse(r.stdout.replace(/(:\s*-?\d+)n\b/g, "$1"));
    }

    it("runs a mutation and an action scheduled by a mutation, each once", async () => {
      const ids = await client.mutation("jobs:scheduleBoth", { tag: "both" });
      await waitFor("both jobs to succeed", async () => {
        const [m, a] = await Promise.all([client.query("jobs:job", { id: ids.mutation }), client.query("jobs:job", { id: ids.action })]);
        return m?.state.kind === "success" && a?.state.kind === "success";
      });
      await sleep(300); // a second run would show by now
      const [m, a] = await Promise.all([runs("both-mutation"), runs("both-action")]);
      assert.equal(m.length, 1, "the mutation ran once");
      assert.equal(a.length, 1, "the action ran once");
      assert.equal(m[0].job, ids.mutation, "getRequestMetadata().scheduledFunctionId is the job");
      assert.equal(a[0].job, ids.action, "a mutation the action calls sees the action's job");

      const job = await client.query("jobs:job", { id: ids.mutation });
      assert.equal(job.name, "jobs.js:record");
      assert.deepEqual(job.args, [{ tag: "both-mutation" }]);
      assert.equal(typeof job.scheduledTime, "number");
      assert.ok(job.completedTime >= job.scheduledTime);
      assert.deepEqual(Object.keys(job).sort(), ["_creationTime", "_id", "args", "completedTime", "name", "scheduledTime", "state"]);

      const listed = await data("_scheduled_functions");
      assert.ok(listed.some((j) => j._id === ids.action && j.state.kind === "success"), "npx convex data lists the jobs");
    });

    it("updates a subscription to a job as it runs", async () => {
      const id = await client.mutation("jobs:scheduleLater", { tag: "watched", delayMs: 500 });
      const live = new ConvexClient(hull.url, { unsavedChangesWarning: false });
      try {
        const seen = [];
        await new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`states seen: ${seen}`)), 30_000);
          live.onUpdate("jobs:job", { id }, (job) => {
            seen.push(job?.state.kind);
            if (job?.state.kind === "success") {
              clearTimeout(t);
              resolve();
            }
          });
        });
        assert.equal(seen[0], "pending");
      } finally {
        await live.close();
      }
    });

    it("runs a job scheduled from an action", async () => {
      const id = await client.action("jobs:scheduleFromAction", { tag: "from-action" });
      await waitFor("the job to run", async () => (await runs("from-action")).length === 1);
      assert.equal((await client.query("jobs:job", { id })).state.kind, "success");
    });

    it("cancels a pending job", async () => {
      const id = await client.mutation("jobs:scheduleLater", { tag: "canceled", delayMs: 1500 });
      assert.equal((await client.query("jobs:job", { id })).state.kind, "pending");
      await client.mutation("jobs:cancel", { id });
      const job = await client.query("jobs:job", { id });
      assert.equal(job.state.kind, "canceled");
      assert.equal(typeof job.completedTime, "number");
      await sleep(2500);
      assert.equal((await runs("canceled")).length, 0, "a canceled job never runs");
    });

    it("fails clearly when a mutation schedules an unknown function or bad arguments", async () => {
      await assert.rejects(client.mutation("jobs:scheduleUnknown", {}), /InvalidScheduledFunction.*doesNotExist/s);
      await assert.rejects(client.mutation("jobs:scheduleBadArgs", {}), /ArgumentValidationError/);
      await assert.rejects(client.mutation("jobs:scheduleAt", { tag: "far", at: Date.now() + 10 * 366 * 86400_000 }), /InvalidScheduledFunctionDelay/);
    });

    it("reports the next due time to an admin", async () => {
      const unauthorized = await fetch(`${hull.url}/api/hull/next_due`);
      assert.equal(unauthorized.status, 401);
      const r = await fetch(`${hull.url}/api/hull/next_due`, { headers: { authorization: `Convex ${hull.adminKey}` } });
      assert.equal(r.status, 200);
      const { nextDueMs } = await r.json();
      // The 1-second cron is always due within about a second.
      assert.equal(typeof nextDueMs, "number");
      assert.ok(nextDueMs < Date.now() + 60_000, `nextDueMs ${nextDueMs}`);
    });

    it("runs a job due in 2 s after hull is killed with SIGKILL and restarted", async () => {
      const at = Date.now() + 2000;
      const id = await client.mutation("jobs:scheduleAt", { tag: "survivor", at });
      await hull.stop("SIGKILL");
      await sleep(Math.max(0, at - Date.now()) + 500);
      await hull.start();
      await waitFor("the job to run after the restart", async () => (await runs("survivor")).length === 1);
      const job = await client.query("jobs:job", { id });
      assert.equal(job.state.kind, "success");
      assert.equal(job.scheduledTime, at);
      await sleep(300);
      assert.equal((await runs("survivor")).length, 1, "it ran once");
    });

    it("fails an action that was running when hull was killed, and never runs it again", async () => {
      const id = await client.mutation("jobs:scheduleSlow", { tag: "interrupted" });
      await waitFor("the action to start", async () => (await client.query("jobs:job", { id })).state.kind === "inProgress");
      await hull.stop("SIGKILL");
      await hull.start();
      const job = await waitFor("the action to be failed", async () => {
        const j = await client.query("jobs:job", { id });
        return j.state.kind === "failed" && j;
      });
      assert.equal(job.state.error, "Transient error while executing action");
      assert.equal((await runs("interrupted")).length, 0);
    });

    it("runs a 1-second cron and shows its runs", async () => {
      const before = (await runs("tick")).length;
      await waitFor("two more cron runs", async () => (await runs("tick")).length >= before + 2);
      const crons = await data("_cron_jobs");
      const tick = crons.find((c) => c.name === "tick");
      assert.ok(tick, `_cron_jobs lists the cron: ${JSON.stringify(crons)}`);
      assert.equal(tick.cronSpec.udfPath, "jobs.js:record");
      assert.ok(crons.some((c) => c.name === "nightly"));
      const logs = await data("_cron_job_logs");
      const ticks = logs.filter((l) => l.name === "tick");
      assert.ok(ticks.length >= 1 && ticks.length <= 5, `${ticks.length} logs kept`);
      assert.ok(ticks.some((l) => l.status.type === "success"), JSON.stringify(ticks));
      const runsOfTick = await runs("tick");
      assert.ok(runsOfTick.every((r) => r.job === null), "a cron run is not a scheduled function");
    });

    it("refuses a push with an invalid cron spec and keeps the running crons", async () => {
      const good = await app.read("convex/crons.ts");
      await app.write("convex/crons.ts", good.replace(`crons.daily("nightly", { hourUTC: 3, minuteUTC: 30 }`, `crons.cron("nightly", "61 25 * * *"`));
      const r = await app.convex(["deploy", "-y", "--typecheck", "disable"]);
      await app.write("convex/crons.ts", good);
      assert.notEqual(r.code, 0, "the push must fail");
      assert.match(r.stdout + r.stderr, /InvalidCron[\s\S]*nightly[\s\S]*invalid cron expression/);
      const before = (await runs("tick")).length;
      await waitFor("the existing cron to keep running", async () => (await runs("tick")).length > before);
    });
  });
}
