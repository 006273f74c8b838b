// First light: deploy a fixture app with the official CLI, then call it with
// ConvexHttpClient, on SQLite and on PostgreSQL.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { ConvexError } from "convex/values";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Hull, App, backends } from "../lib/hull.mjs";

for (const backend of backends()) {
  describe(`first light on ${backend}`, () => {
    let hull, app, client, admin;

    before(async () => {
      hull = await Hull.create(backend);
      app = await App.create("basic", hull);
      const r = await app.deploy();
      assert.match(r.stdout + r.stderr, /Deployed Convex functions/);
      client = new ConvexHttpClient(hull.url);
      admin = new ConvexHttpClient(hull.url);
      admin.setAdminAuth(hull.adminKey);
    });

    after(async () => {
      await app?.destroy();
      await hull?.destroy();
    });

    it("runs mutations and reads them back through every query form", async () => {
      const a = await client.mutation("messages:send", { author: "ada", body: "hello", channel: "general", likes: 3 });
      const b = await client.mutation("messages:send", { author: "bob", body: "hi", channel: "general", likes: 7 });
      const c = await client.mutation("messages:send", { author: "ada", body: "again", channel: "random", likes: 5 });
      assert.equal(typeof a, "string");
      assert.equal(a.length, 32);

      const all = await client.query("messages:list", {});
      assert.deepEqual(all.map((m) => m.body), ["hello", "hi", "again"]);
      assert.ok(all.every((m) => typeof m._creationTime === "number" && m._creationTime > 0));
      assert.ok(all[0]._creationTime < all[1]._creationTime);

      const desc = await client.query("messages:listDesc", { limit: 2 });
      assert.deepEqual(desc.map((m) => m.body), ["again", "hi"]);

      const byAda = await client.query("messages:byAuthor", { author: "ada" });
      assert.deepEqual(byAda.map((m) => m._id), [a, c]);

      const popular = await client.query("messages:popularIn", { channel: "general", minLikes: 4 });
      assert.deepEqual(popular.map((m) => m._id), [b]);
      const popularAll = await client.query("messages:popularIn", { channel: "general", minLikes: 0 });
      assert.deepEqual(popularAll.map((m) => m._id), [b, a]);

      const f = await client.query("messages:filtered", { body: "hi" });
      assert.equal(f._id, b);
      assert.equal(await client.query("messages:filtered", { body: "nope" }), null);

      const one = await client.query("messages:uniqueAuthor", { author: "bob" });
      assert.equal(one._id, b);
      await assert.rejects(client.query("messages:uniqueAuthor", { author: "ada" }), /unique\(\) query returned more than one result/);

      const got = await client.query("messages:get", { id: a });
      assert.equal(got.body, "hello");

      assert.equal(await client.mutation("messages:like", { id: a }), 4);
      assert.equal((await client.query("messages:get", { id: a })).likes, 4);
      await client.mutation("messages:rename", { id: b, body: "renamed" });
      assert.equal((await client.query("messages:get", { id: b })).body, "renamed");
      await client.mutation("messages:remove", { id: c });
      assert.equal(await client.query("messages:get", { id: c }), null);
    });

    it("paginates without skipping or repeating", async () => {
      for (let i = 0; i < 7; i++) await client.mutation("messages:send", { author: "pager", body: `p${i}` });
      const expected = (await client.query("messages:list", {})).map((m) => m._id);
      const seen = [];
      let cursor = null;
      for (let pages = 0; pages < 20; pages++) {
        const r = await client.query("messages:page", { cursor, numItems: 3 });
        seen.push(...r.page.map((m) => m._id));
        assert.equal(typeof r.continueCursor, "string");
        if (r.isDone) break;
        cursor = r.continueCursor;
      }
      assert.deepEqual(seen, expected);
      await assert.rejects(client.query("messages:page", { cursor: "forged-cursor", numItems: 3 }), /InvalidCursor/);
    });

    it("rolls back a mutation that throws and keeps ConvexError data", async () => {
      const before = await admin.function("messages:count", undefined, {});
      await assert.rejects(client.mutation("messages:failAfterWrite", {}), /rolled back on purpose/);
      assert.equal(await admin.function("messages:count", undefined, {}), before);
      try {
        await client.mutation("messages:send", { author: "x", body: "" });
        assert.fail("expected a ConvexError");
      } catch (e) {
        assert.ok(e instanceof ConvexError, `expected ConvexError, got ${e}`);
        assert.deepEqual(e.data, { code: "EMPTY", message: "body must not be empty" });
      }
    });

    it("rolls back a nested mutation that fails while its caller commits", async () => {
      const msg = await client.mutation("messages:callsNestedFail", {});
      assert.match(msg, /nested boom/);
      assert.equal((await client.query("messages:byAuthor", { author: "nested" })).length, 0);
      assert.equal((await client.query("messages:byAuthor", { author: "outer" })).length, 1);
    });

    it("validates args and return values", async () => {
      await assert.rejects(client.mutation("messages:send", { author: 1, body: "x" }), /ArgumentValidationError/);
      await assert.rejects(client.mutation("messages:send", { body: "x" }), /ArgumentValidationError/);
      await assert.rejects(client.query("counters:wrongReturn", {}), /ReturnsValidationError/);
    });

    it("runs an action that calls queries and mutations, with int64 values", async () => {
      const r = await client.action("counters:bumpTwiceViaAction", { name: "c1" });
      assert.equal(r.before, null);
      assert.equal(r.after, 2n);
      assert.equal(typeof r.total, "number");
      assert.equal(await client.query("counters:read", { name: "c1" }), 2n);
    });

    it("returns the console lines of a run and of the runs it calls, in order", async () => {
      const r = await fetch(`${hull.url}/api/mutation`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path: "counters:logOuter", args: {}, format: "convex_encoded_json" }) });
      const body = await r.json();
      assert.equal(body.status, "success", JSON.stringify(body));
      assert.deepEqual(body.logLines, ["[LOG] 'outer before'", "[LOG] 'inner'", "[INFO] 'outer after'"]);
    });

    it("refuses internal functions to the public and allows them to admins", async () => {
      await assert.rejects(client.query("messages:count", {}), /Could not find public function/);
      assert.equal(typeof (await admin.function("messages:count", undefined, {})), "number");
    });

    it("runs code importing zod", async () => {
      assert.deepEqual(await client.query("validated:parse", { email: "a@b.co", age: 3 }), { ok: true, email: "a@b.co" });
      const bad = await client.query("validated:parse", { email: "nope", age: -1 });
      assert.equal(bad.ok, false);
      assert.deepEqual(bad.issues.sort(), ["age", "email"]);
    });

    it("supports npx convex run, env set and process.env", async () => {
      let r = await app.convex(["env", "set", "GREETING", "bonjour"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await client.query("counters:env", { name: "GREETING" }), "bonjour");
      r = await app.convex(["run", "counters:env", '{"name":"GREETING"}']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /bonjour/);
      r = await app.convex(["run", "messages:count"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.trim(), /^\d+$/);
      r = await app.convex(["env", "remove", "GREETING"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await client.query("counters:env", { name: "GREETING" }), null);
      await assert.rejects(admin.function("messages:nope", undefined, {}), /Could not find function for 'messages:nope'/);
    });

    it("redeploys a changed function and serves the new code", async () => {
      await app.write("convex/extra.ts", `import { query } from "./_generated/server";\nexport const version = query({ args: {}, handler: async () => "v2" });\n`);
      const r = await app.deploy();
      assert.match(r.stdout + r.stderr, /Deployed/);
      assert.equal(await client.query("extra:version", {}), "v2");
      const d = await app.convex(["dev", "--once", "--typecheck", "disable"]);
      assert.equal(d.code, 0, d.stdout + d.stderr);
      assert.equal(await client.query("extra:version", {}), "v2");
    });

    it("exposes the deployment URLs to functions and the CLI", async () => {
      assert.equal(await client.query("counters:env", { name: "CONVEX_CLOUD_URL" }), hull.url);
      assert.equal(await client.query("counters:env", { name: "CONVEX_SITE_URL" }), `${hull.url}/http`);
      const r = await fetch(`${hull.url}/api/v1/get_canonical_urls`, { headers: { authorization: `Convex ${hull.adminKey}` } });
      assert.deepEqual(await r.json(), { convexCloudUrl: hull.url, convexSiteUrl: `${hull.url}/http` });
    });

    it("streams function logs to npx convex logs", async () => {
      const logs = app.convex(["logs", "--history", "5"], { timeout: 8_000 });
      // The CLI may take seconds to start on a loaded machine: log once a
      // second until it exits, so one line lands after it connected.
      let running = true;
      const sending = (async () => {
        await new Promise((r) => setTimeout(r, 1_000));
        while (running) {
          await client.mutation("messages:send", { author: "logger", body: "log me" });
          await new Promise((r) => setTimeout(r, 1_000));
        }
      })();
      const r = await logs;
      running = false;
      await sending;
      assert.equal(r.code, null, `npx convex logs exited early: ${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /sending' 'logger'/);
      assert.doesNotMatch(r.stderr, /403|Forbidden/);
    });

    it("serves /api/run and the clean json format", async () => {
      await client.mutation("counters:bump", { name: "fmt", by: 41n });
      let r = await fetch(`${hull.url}/api/run/counters/read`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ args: { name: "fmt" } }) });
      assert.deepEqual(await r.json(), { status: "success", value: "41" });
      r = await fetch(`${hull.url}/api/query`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path: "counters:read", args: { name: "fmt" }, format: "convex_encoded_json" }) });
      assert.deepEqual(await r.json(), { status: "success", value: { $integer: "KQAAAAAAAAA=" } });
      r = await fetch(`${hull.url}/api/query`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path: "counters:read", args: { name: "fmt" }, format: "yaml" }) });
      assert.equal(r.status, 400);
      assert.equal((await r.json()).code, "BadFormat");
      r = await fetch(`${hull.url}/api/query`, { method: "OPTIONS", headers: { origin: "http://app.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type,convex-client" } });
      assert.ok(r.status < 300);
      assert.equal(r.headers.get("access-control-allow-origin"), "http://app.example");
    });

    it("reports an added index with its table's document count before deploying", async () => {
      const schema = await app.read("convex/schema.ts");
      await app.write("convex/schema.ts", schema.replace('.index("by_author", ["author"])', '.index("by_author", ["author"])\n    .index("by_body", ["body"])'));
      try {
        const out = join(app.dir, "push-request");
        const w = await app.convex(["deploy", "-y", "--typecheck", "disable", "--write-push-request", out]);
        assert.equal(w.code, 0, w.stdout + w.stderr);
        const body = await readFile(`${out}.json`, "utf8");
        const r = await fetch(`${hull.url}/api/deploy2/evaluate_schema`, { method: "POST", headers: { "content-type": "application/json", authorization: `Convex ${hull.adminKey}` }, body });
        const ev = await r.json();
        assert.equal(r.status, 200, JSON.stringify(ev));
        const ix = ev.componentSchemaEvaluations[""].indexes.find((i) => i.name === "messages.by_body");
        assert.equal(ix.change, "added");
        assert.equal(ix.numDocs, (await admin.function("messages:count", undefined, {})));
        assert.ok(ix.numDocs > 0);
        assert.equal(ix.needsBackfill, true);
      } finally {
        await app.write("convex/schema.ts", schema);
      }
    });

    it("answers query_ts and query_at_ts", async () => {
      const r = await fetch(`${hull.url}/api/query_ts`, { method: "POST" });
      assert.equal(r.status, 200);
      const { ts } = await r.json();
      assert.equal(typeof ts, "string");
      const q = await fetch(`${hull.url}/api/query_at_ts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ path: "messages:list", args: {}, ts, format: "convex_encoded_json" }),
      });
      const body = await q.json();
      assert.equal(body.status, "success", JSON.stringify(body));
      assert.ok(Array.isArray(body.value));
    });

    it("rejects a wrong admin key with 401", async () => {
      const r = await fetch(`${hull.url}/api/update_environment_variables`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Convex wrong|key" },
        body: JSON.stringify({ changes: [] }),
      });
      assert.equal(r.status, 401);
      const body = await r.json();
      assert.equal(typeof body.code, "string");
      assert.equal(typeof body.message, "string");
    });
  });
}
