// Components through the official CLI and client: one fixture app mounts
// seven @convex-dev components (pinned in package.json), each used as its
// README shows, and the test checks what each is for (a rate limit
// refusing, an aggregate count matching, a workpool job completing, a
// migration finishing, a sharded counter counting, an action cache
// serving the second call, a workflow finishing), that a component's
// tables are its own, that clients cannot call a component's functions,
// and the component-aware CLI surfaces. On SQLite and PostgreSQL.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { Hull, App, backends, poll } from "../lib/hull.mjs";


const waitFor = (what, fn, timeoutMs = 60_000) => poll(what, fn, timeoutMs, 100);

for (const backend of backends()) {
  describe(`components on ${backend}`, () => {
    let hull, app, client, admin, deployOut;

    before(async () => {
      hull = await Hull.create(backend);
      app = await App.create("components", hull);
      const env = await app.convex(["env", "set", "APP_SECRET", "s3cret"]);
      assert.equal(env.code, 0, env.stderr);
      const r = await app.deploy();
      deployOut = r.stdout + r.stderr;
      client = new ConvexHttpClient(hull.url);
      admin = new ConvexHttpClient(hull.url);
      admin.setAdminAuth(hull.adminKey);
    });

    // inComponent calls a function of a component instance as an admin
    // (what npx convex run --component sends).
    const inComponent = (path, fn, args = {}) => admin.function(fn, path, args);

    after(async () => {
      await app?.destroy();
      await hull?.destroy();
    });

    async function run(args, { ok = true } = {}) {
      const r = await app.convex(["run", ...args]);
      if (ok) assert.equal(r.code, 0, `npx convex run ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
      return r;
    }

    it("installs every component instance, nested ones included", () => {
      for (const path of ["rateLimiter", "rateLimiter/batchWorker", "aggregate", "emailWorkpool", "migrations",
        "shardedCounter", "actionCache", "workflow", "workflow/workpool", "workflow/workpool/batchWorker", "notes"]) {
        assert.match(deployOut, new RegExp(`Installed component ${path}\\.`), `deploy output names ${path}`);
      }
    });

    it("rate-limiter: a limit refuses once its tokens are spent, and a throwing limit rolls the mutation back", async () => {
      assert.deepEqual(await client.mutation("limits:burst", { user: "ann", n: 4 }), [true, true, true, false]);
      assert.equal(await client.query("limits:check", { user: "ann" }), false, "check sees the spent bucket");
      assert.equal(await client.query("limits:check", { user: "bob" }), true, "another key has its own bucket");
      assert.equal((await client.mutation("limits:signUp", {})).ok, true);
      assert.equal((await client.mutation("limits:signUp", {})).ok, true);
      const refused = await client.mutation("limits:signUp", {});
      assert.equal(refused.ok, false);
      assert.ok(refused.retryAfter > 0, "a refusal says when to retry");
      await assert.rejects(client.mutation("limits:signUpOrThrow", { name: "eve" }), /RateLimited|rate limit/i);
      const plans = await client.query("migrations:plans", {});
      assert.equal(plans.length, 0, "the user inserted before the refusal was rolled back");
    });

    it("a component's tables are not readable through the app's ctx.db", async () => {
      assert.equal(await client.query("limits:peekComponentTable", {}), 0);
      const tables = await app.convex(["data"]);
      assert.doesNotMatch(tables.stdout, /rateLimits/, "npx convex data lists the app's tables only");
      const mine = await app.convex(["data", "--component", "rateLimiter"]);
      assert.equal(mine.code, 0, mine.stderr);
      assert.match(mine.stdout, /rateLimits/);
      const rows = await app.convex(["data", "--component", "rateLimiter", "rateLimits", "--format", "jsonLines"]);
      assert.equal(rows.code, 0, rows.stderr);
      const keys = rows.stdout.trim().split("\n").map((l) => JSON.parse(l).key);
      assert.ok(keys.includes("ann"), `the component's rows: ${rows.stdout}`);
    });

    it("aggregate: the count and sum match the table", async () => {
      const ids = [];
      for (const [player, value] of [["a", 10], ["b", 60], ["c", 80]]) {
        ids.push(await client.mutation("leaderboard:addScore", { player, value }));
      }
      assert.deepEqual(await client.query("leaderboard:stats", {}), { count: 3, sum: 150, above: 2, tableCount: 3 });
      await client.mutation("leaderboard:removeScore", { id: ids[1] });
      assert.deepEqual(await client.query("leaderboard:stats", {}), { count: 2, sum: 90, above: 1, tableCount: 2 });
    });

    it("workpool: an enqueued action completes and its onComplete runs", async () => {
      const id = await client.mutation("emails:signUp", { to: "ann@example.com" });
      const sent = await waitFor("the onComplete mutation", async () => {
        const s = await client.query("emails:sent", {});
        return s.find((e) => e.to === "ann@example.com");
      });
      assert.equal(sent.sent, true, "the action succeeded");
      const status = await waitFor("the work to be finished", async () => {
        const st = await client.query("emails:status", { id });
        return st.state === "finished" && st;
      });
      assert.equal(status.state, "finished");
    });

    it("migrations: a migration run from the CLI finishes over every document", async () => {
      await client.mutation("migrations:addUsers", { n: 7 });
      await run(["migrations:run", JSON.stringify({ fn: "migrations:setDefaultPlan" })]);
      const plans = await waitFor("the migration to finish", async () => {
        const p = await client.query("migrations:plans", {});
        return p.length === 7 && p.every((x) => x === "free") && p;
      });
      assert.equal(plans.length, 7);
      const st = await inComponent("migrations", "lib:getStatus", {});
      assert.ok(st.some((m) => m.name === "migrations:setDefaultPlan" && m.isDone), JSON.stringify(st));
    });

    it("sharded-counter: adds and subtracts across shards", async () => {
      await client.mutation("counter:check", { n: 3 });
      await client.mutation("counter:check", { n: 1 });
      await client.mutation("counter:uncheck", {});
      assert.equal(await client.query("counter:count", {}), 5);
    });

    it("a subscription to an app query that reads a component updates when the component's data changes", async () => {
      const live = new ConvexClient(hull.url, { unsavedChangesWarning: false });
      try {
        const seen = [];
        const done = new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`counts seen: ${seen}`)), 30_000);
          live.onUpdate("counter:count", {}, (n) => {
            seen.push(n);
            if (seen.length === 1) client.mutation("counter:check", { n: 10 }).catch(reject);
            if (n === seen[0] + 11) {
              clearTimeout(t);
              resolve();
            }
          });
        });
        await done;
        await client.mutation("counter:check", { n: -12 }); // check also adds one: back to where it was
      } finally {
        await live.close();
      }
    });

    it("action-cache: the second fetch is served from the cache", async () => {
      const first = await client.action("cached:vectorOf", { text: "hello" });
      const second = await client.action("cached:vectorOf", { text: "hello" });
      assert.deepEqual(first, [5, 104]);
      assert.deepEqual(second, first);
      assert.equal(await client.query("cached:calls", {}), 1, "the action ran once");
    });

    it("workflow: a workflow runs its steps and its onComplete records the result", async () => {
      await client.mutation("greet:kickoffWorkflow", { name: "James" });
      const greetings = await waitFor("the workflow to complete", async () => {
        const g = await client.query("greet:greetings", {});
        return g.length > 0 && g;
      });
      assert.deepEqual(greetings, ["The query says... Hi James! The action says... Hi back!"]);
    });

    it("clients cannot call a component's functions; admins can with --component", async () => {
      await assert.rejects(client.query("lib:checkRateLimit", { name: "x", config: { kind: "fixed window", rate: 1, period: 1000 } }),
        /Could not find public function for 'lib:checkRateLimit'/);
      const res = await fetch(`${hull.url}/api/query`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ path: "lib:getValue", args: {}, componentPath: "rateLimiter", format: "json" }),
      });
      assert.equal(res.status, 403, "componentPath needs an admin key");
      const ok = await run(["--component", "shardedCounter", "public:count", JSON.stringify({ name: "checkboxes" })]);
      assert.equal(ok.stdout.trim(), "5");
      const missing = await run(["--component", "shardedCounter", "public:nope", "{}"], { ok: false });
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr + missing.stdout, /Could not find function/);
      assert.match(missing.stderr + missing.stdout, /public:count/, "the CLI lists the component's functions");
    });

    it("a component of the app's own: calls nest in the caller's transaction and its data stays its own", async () => {
      const added = await client.mutation("local:addNote", { text: "first" });
      assert.equal(added.appSees, null, "the app's ctx.db.get finds nothing by the component's id");
      await assert.rejects(client.mutation("local:addNoteThenFail", { text: "rolled back" }), /changed my mind/);
      assert.deepEqual(await client.query("local:notes", {}), ["first"], "the failed mutation left nothing in the component");
      const beforeApp = await client.query("local:appScores", {});
      assert.equal(await inComponent("notes", "lib:scoresSeen"), 1, "the component's scores table is its own");
      assert.equal(await client.query("local:appScores", {}), beforeApp, "and the app's is untouched");
    });

    it("a component's HTTP routes are served under the prefix its parent mounted them at", async () => {
      const r = await fetch(`${hull.url}/http/notes/hello`);
      assert.equal(r.status, 200, await r.clone().text());
      const body = await r.json();
      assert.equal(body.path, "/notes/hello", "request.url is the full URL at the site origin");
      assert.ok(body.notes.includes("first"), "the route's runQuery reads the component's table");
      assert.match(body.site, /\/notes$/, "CONVEX_SITE_URL includes the component's prefix");
      const none = await fetch(`${hull.url}/http/elsewhere`);
      assert.equal(none.status, 404);
    });

    it("a component sees the environment its parent bound, not the app's variables", async () => {
      assert.deepEqual(await inComponent("notes", "lib:env"), { greeting: "hello from the app", secret: null });
    });

    it("a handle the app creates lets the component call back into the app", async () => {
      assert.equal(await client.mutation("local:viaHandle", { text: "cb" }), "recorded");
      const users = await app.convex(["data", "users", "--format", "jsonLines"]);
      assert.match(users.stdout, /callback:cb/);
    });

    it("a component's storage, scheduler and crons are its own", async () => {
      const id = await client.action("local:storeInComponent", { text: "filedata" });
      assert.equal(typeof id, "string");
      assert.equal(await client.query("local:appFiles", {}), 0, "the app's _storage does not list the component's file");
      assert.deepEqual(await inComponent("notes", "lib:files"), [8]);
      await inComponent("notes", "lib:scheduleBump");
      await waitFor("the component's scheduled mutation", async () =>
        (await inComponent("notes", "lib:jobs")).includes("lib.js:bump success"));
      await waitFor("the component's cron to tick", async () => (await inComponent("notes", "lib:ticks")) > 0);
    });

    it("calling a component function that does not exist, or is internal, fails with Convex's message", async () => {
      await assert.rejects(client.query("local:callMissing", {}), /InvalidReference: Child component "notes" does not export \["lib", "nope"\]/);
      await assert.rejects(client.query("local:callSecret", {}), /does not export \["lib", "secret"\]/);
    });

    it("function-spec describes the app's functions", async () => {
      const r = await app.convex(["function-spec"]);
      assert.equal(r.code, 0, r.stderr);
      const spec = JSON.parse(r.stdout);
      const ids = spec.functions.map((f) => f.identifier);
      assert.ok(ids.includes("limits.js:burst"), ids.join(","));
      assert.ok(!ids.some((i) => i.startsWith("lib.js:")), "component functions are not the app's");
    });

    it("a function handle kept in a component's table still works after a restart", async () => {
      await client.mutation("local:keepHandle", {});
      await hull.stop();
      await hull.start();
      assert.equal(await client.mutation("local:callKept", { text: "after restart" }), "recorded");
    });

    it("the function log labels executions by component", async () => {
      await client.action("cached:vectorOf", { text: "log me" });
      const res = await fetch(`${hull.url}/api/stream_function_logs?cursor=0`, { headers: { Authorization: `Convex ${hull.adminKey}` } });
      const body = await res.json();
      const paths = new Set(body.entries.map((e) => e.componentPath));
      assert.ok(paths.has(null), "the app's executions have componentPath null");
      assert.ok(paths.has("actionCache"), `component executions carry their path: ${[...paths]}`);
    });
  });
}
