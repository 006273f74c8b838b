// Live apps: the official ConvexClient over hull's WebSocket sync protocol,
// on SQLite and on PostgreSQL.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Hull, App, backends, subscribeUntil } from "../lib/hull.mjs";

const api = anyApi;

const waitFor = subscribeUntil;

for (const backend of backends()) {
  describe(`live clients on ${backend}`, () => {
    let hull, app;
    const clients = [];
    const client = (opts = {}) => {
      const c = new ConvexClient(hull.url, { unsavedChangesWarning: false, ...opts });
      clients.push(c);
      return c;
    };

    before(async () => {
      hull = await Hull.create(backend);
      app = await App.create("live", hull);
      await app.deploy();
    });

    after(async () => {
      for (const c of clients) await c.close();
      await app?.destroy();
      await hull?.destroy();
    });

    it("a subscription sees another client's mutation", async () => {
      const reader = client();
      const writer = client();
      await waitFor(reader, api.items.list, { list: "a" }, (v) => Array.isArray(v) && v.length === 0, "the empty list");
      const updated = waitFor(reader, api.items.list, { list: "a" }, (v) => v.includes("hello"), "the new item");
      await writer.mutation(api.items.add, { list: "a", text: "hello" });
      assert.deepEqual(await updated, ["hello"]);
      // The writer's own subscription is already up to date when its
      // mutation resolves (read-your-writes).
      await writer.mutation(api.items.add, { list: "a", text: "second" });
      assert.deepEqual(writer.client.localQueryResult("items:list", { list: "a" }) ?? (await writer.query(api.items.list, { list: "a" })), ["hello", "second"]);
    });

    it("an optimistic update is rolled back when its mutation fails", async () => {
      const c = client();
      await waitFor(c, api.items.list, { list: "opt" }, (v) => Array.isArray(v), "the list");
      const seen = [];
      const unsubscribe = c.onUpdate(api.items.list, { list: "opt" }, (v) => seen.push(v));
      await assert.rejects(
        c.mutation(api.items.refuse, { list: "opt", text: "ghost" }, {
          optimisticUpdate: (store, args) => {
            const cur = store.getQuery(api.items.list, { list: args.list }) ?? [];
            store.setQuery(api.items.list, { list: args.list }, [...cur, args.text]);
          },
        }),
        (e) => e.data?.code === "REFUSED",
      );
      await new Promise((r) => setTimeout(r, 100));
      unsubscribe();
      assert.ok(seen.some((v) => v.includes("ghost")), `the optimistic value was shown: ${JSON.stringify(seen)}`);
      assert.deepEqual(seen.at(-1), [], "and then rolled back");
    });

    it("an action's mutation reaches subscribers", async () => {
      const reader = client();
      const c = client();
      await waitFor(reader, api.items.list, { list: "act" }, (v) => Array.isArray(v), "the list");
      const updated = waitFor(reader, api.items.list, { list: "act" }, (v) => v.includes("from action"), "the action's item");
      assert.equal(await c.action(api.items.addViaAction, { list: "act", text: "from action" }), "added");
      await updated;
    });

    it("a paginated list grows live while paging", async () => {
      const http = new ConvexHttpClient(hull.url);
      for (let i = 0; i < 5; i++) await http.mutation(api.items.add, { list: "pages", text: `item ${i}` });
      const c = client();
      let latest;
      let resolveNext;
      const changed = () => new Promise((r) => (resolveNext = r));
      let next = changed();
      const unsubscribe = c.onPaginatedUpdate_experimental(api.items.page, { list: "pages" }, { initialNumItems: 3 }, (v) => {
        latest = v;
        resolveNext?.(v);
      });
      const until = async (ok, what) => {
        const deadline = Date.now() + 15_000;
        while (!(latest && ok(latest))) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(latest)}`);
          await Promise.race([next, new Promise((r) => setTimeout(r, 200))]);
          next = changed();
        }
      };
      await until((v) => v.results.length === 3 && v.status === "CanLoadMore", "the first page");
      latest.loadMore(10);
      await until((v) => v.results.length === 5 && v.status === "Exhausted", "all pages");
      await http.mutation(api.items.add, { list: "pages", text: "item 5" });
      await until((v) => v.results.length === 6, "the new item on the last page");
      assert.deepEqual(latest.results.map((r) => r.text), [0, 1, 2, 3, 4, 5].map((i) => `item ${i}`));
      unsubscribe();
    });

    it("serves the CLI's sync-based commands: env get/list, data, function-spec, run --watch", async () => {
      let r = await app.convex(["env", "set", "COLOR", "teal"]);
      assert.equal(r.code, 0, r.stderr);
      r = await app.convex(["env", "get", "COLOR"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), "teal");
      r = await app.convex(["env", "list"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^COLOR=teal$/m);
      const http = new ConvexHttpClient(hull.url);
      for (const text of ["one", "two", "three"]) await http.mutation(api.items.add, { list: "cli", text });
      r = await app.convex(["data"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /items/);
      r = await app.convex(["data", "items", "--format", "jsonl", "--limit", "2"]);
      assert.equal(r.code, 0, r.stderr);
      const rows = r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      assert.equal(rows.length, 2);
      assert.ok(rows.every((d) => typeof d.text === "string" && typeof d._id === "string"));
      r = await app.convex(["function-spec"]);
      assert.equal(r.code, 0, r.stderr);
      const spec = JSON.parse(r.stdout);
      assert.equal(spec.url, hull.url);
      const add = spec.functions.find((f) => f.identifier === "items.js:add");
      assert.equal(add.functionType, "Mutation");
      assert.equal(add.args.type, "object");
      // run --watch prints the result and then each change.
      // The mutation is sent once the first result is printed; the command
      // ends when the change arrives (or after the timeout).
      let mutated = null;
      const out = await app.convex(["run", "--watch", "counters:get", '{"name":"watched"}'], {
        timeout: 60_000,
        onOutput: (stdout) => {
          if (!mutated && /^0$/m.test(stdout)) mutated = new ConvexHttpClient(hull.url).mutation(api.counters.inc, { name: "watched" });
          return /^1$/m.test(stdout);
        },
      });
      await mutated;
      assert.match(out.stdout, /^0$/m);
      assert.match(out.stdout, /^1$/m);
    });

    it("a push while 100 clients are subscribed disconnects none, and their subscriptions re-run on the new code", async () => {
      const http = new ConvexHttpClient(hull.url);
      await http.mutation(api.items.add, { list: "deploy", text: "x" });
      const many = Array.from({ length: 100 }, () => client());
      await Promise.all(many.map((c) => waitFor(c, api.items.list, { list: "deploy" }, (v) => v?.[0] === "x", "the item", 30_000)));
      const before = many.map((c) => c.connectionState().connectionCount);
      const src = await app.read("convex/items.ts");
      await app.write("convex/items.ts", src.replace(".map((i) => i.text)", ".map((i) => i.text.toUpperCase())"));
      const updated = Promise.all(many.map((c) => waitFor(c, api.items.list, { list: "deploy" }, (v) => v?.[0] === "X", "the new code's result", 60_000)));
      await app.deploy();
      await updated;
      assert.deepEqual(many.map((c) => c.connectionState().connectionCount), before, "no client reconnected");
      assert.ok(many.every((c) => c.connectionState().isWebSocketConnected));
      await app.write("convex/items.ts", src);
      await app.deploy();
      for (const c of many) await c.close();
    });

    it("recovers subscriptions after hull is killed and restarted, with every acknowledged mutation applied once", async () => {
      const reader = client();
      const writer = client();
      await waitFor(reader, api.counters.get, { name: "k" }, (v) => v === 0, "zero");
      for (let i = 0; i < 5; i++) await writer.mutation(api.counters.inc, { name: "k" });
      await waitFor(reader, api.counters.get, { name: "k" }, (v) => v === 5, "five");
      await hull.stop("SIGKILL");
      // Mutations sent while hull is down are held by the client and sent
      // once it reconnects.
      const pending = [writer.mutation(api.counters.inc, { name: "k" }), writer.mutation(api.counters.inc, { name: "k" })];
      await hull.start();
      await Promise.all(pending);
      const v = await waitFor(reader, api.counters.get, { name: "k" }, (v) => v >= 7, "seven");
      assert.equal(v, 7);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await new ConvexHttpClient(hull.url).query(api.counters.get, { name: "k" }), 7);

      // A clean stop (SIGTERM) closes sessions with a reason that makes
      // clients come back as soon as hull does.
      await hull.stop("SIGTERM");
      await hull.start();
      await writer.mutation(api.counters.inc, { name: "k" });
      assert.equal(await waitFor(reader, api.counters.get, { name: "k" }, (v) => v === 8, "eight"), 8);
    });

    it("settles every mutation of 16 writing clients across kill -9 restarts, each acknowledged write applied once", async () => {
      // Each client writes unique items back to back while hull is killed
      // and restarted under it. A mutation whose commit survived a kill
      // but whose response was lost is resent on the next socket and
      // answered from the session's stored outcome; it must resolve like
      // any other.
      const writers = Array.from({ length: 16 }, () => client({ logger: false }));
      await Promise.all(writers.map((c, i) => waitFor(c, api.counters.get, { name: `w${i}` }, (v) => v === 0, "the writer's counter")));
      let stop = false;
      const acked = [];
      const failed = [];
      const progress = writers.map(() => 0);
      const loops = writers.map(async (c, i) => {
        for (let n = 0; !stop; n++) {
          const text = `w${i}-${n}`;
          try {
            await c.mutation(api.items.add, { list: "kill9", text });
            acked.push(text);
            progress[i]++;
          } catch (e) {
            failed.push(`${text}: ${e.message}`);
          }
        }
      });
      const allProgress = async (what) => {
        const from = [...progress];
        const deadline = Date.now() + 30_000;
        while (progress.some((p, i) => p <= from[i])) {
          if (Date.now() > deadline) {
            const stuck = progress.flatMap((p, i) => (p <= from[i] ? [`w${i}`] : []));
            throw new Error(`no mutation of ${stuck.join(", ")} resolved ${what}`);
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const cycles = 3;
      for (let k = 0; k < cycles; k++) {
        await allProgress(k === 0 ? "before the first kill" : `after restart ${k}`);
        await hull.stop("SIGKILL");
        await hull.start();
      }
      await allProgress(`after restart ${cycles}`);
      stop = true;
      let timer;
      const settled = await Promise.race([
        Promise.all(loops).then(() => true),
        new Promise((r) => (timer = setTimeout(() => r(false), 30_000))),
      ]);
      clearTimeout(timer);
      assert.ok(settled, "every mutation promise settles");
      assert.deepEqual(failed, [], "no mutation failed");
      const items = await new ConvexHttpClient(hull.url).query(api.items.list, { list: "kill9" });
      const count = new Map();
      for (const t of items) count.set(t, (count.get(t) ?? 0) + 1);
      assert.deepEqual([...count].filter(([, n]) => n > 1), [], "no write applied twice");
      assert.deepEqual(acked.filter((t) => !count.has(t)), [], "every acknowledged write is present");
    });
  });
}
