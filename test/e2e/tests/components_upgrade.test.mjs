// Upgrading and removing a component through the official CLI: a new
// version of a component's schema adds an index over its existing
// documents (backfilled as the app's are) and is validated against them;
// a component no longer used is unmounted with its data kept, and comes
// back with it when used again, as on Convex; the dashboard's
// delete_component deletes an unmounted one with its data. On SQLite and
// PostgreSQL.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { Hull, App, backends } from "../lib/hull.mjs";

const appConfig = (mounted) => `import { defineApp } from "convex/server";
${mounted ? 'import box from "./components/box/convex.config.js";\n' : ""}const app = defineApp();
${mounted ? "app.use(box);\n" : ""}export default app;
`;

const schema = (indexes, docType = "{ label: v.string(), n: v.number() }") => `import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ items: defineTable(${docType})${indexes} });
`;

const lib = `import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const add = mutation({ args: { label: v.string(), n: v.number() }, handler: async (ctx, a) => await ctx.db.insert("items", a) });
export const count = query({ args: {}, handler: async (ctx) => (await ctx.db.query("items").collect()).length });
export const byN = query({
  args: { n: v.number() },
  handler: async (ctx, { n }) => (await ctx.db.query("items").withIndex("by_n", (q) => q.eq("n", n)).collect()).map((i) => i.label),
});
`;

const appFns = `import { components } from "./_generated/api";
import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const add = mutation({ args: { label: v.string(), n: v.number() }, handler: async (ctx, a) => await ctx.runMutation(components.box.lib.add, a) });
export const byN = query({ args: { n: v.number() }, handler: async (ctx, a) => await ctx.runQuery(components.box.lib.byN, a) });
`;

for (const backend of backends()) {
  describe(`component upgrades on ${backend}`, () => {
    let hull, app, client;

    before(async () => {
      hull = await Hull.create(backend);
      app = await App.create("components_bad", hull);
      await mkdir(join(app.dir, "convex", "components", "box"), { recursive: true });
      await app.write("convex/components/box/convex.config.ts", `import { defineComponent } from "convex/server";\nexport default defineComponent("box");\n`);
      await app.write("convex/components/box/lib.ts", lib);
      await app.write("convex/components/box/schema.ts", schema(""));
      await app.write("convex/convex.config.ts", appConfig(true));
      await app.write("convex/use.ts", appFns);
      await app.deploy();
      client = new ConvexHttpClient(hull.url);
      for (let i = 0; i < 50; i++) await client.mutation("use:add", { label: `item${i}`, n: i % 5 });
    });

    after(async () => {
      await app?.destroy();
      await hull?.destroy();
    });

    it("a new index of a component's schema is backfilled over its documents", async () => {
      await assert.rejects(client.query("use:byN", { n: 3 }), /Index items\.by_n not found/);
      await app.write("convex/components/box/schema.ts", schema(`.index("by_n", ["n"])`));
      await app.deploy();
      const labels = await client.query("use:byN", { n: 3 });
      assert.equal(labels.length, 10);
    });

    it("a component schema its documents violate is refused, and the live version stays", async () => {
      await app.write("convex/components/box/schema.ts", schema(`.index("by_n", ["n"])`, "{ label: v.number(), n: v.number() }"));
      const r = await app.convex(["deploy", "-y", "--typecheck", "disable"]);
      assert.notEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /Schema validation failed/);
      await app.write("convex/components/box/schema.ts", schema(`.index("by_n", ["n"])`));
      assert.equal((await client.query("use:byN", { n: 1 })).length, 10);
    });

    it("a component no longer used is unmounted with its data kept, and remounted with it", async () => {
      await app.write("convex/convex.config.ts", appConfig(false));
      await app.write("convex/use.ts", `export {};\n`);
      const gone = await app.deploy();
      assert.match(gone.stdout + gone.stderr, /Unmounted component box\./);
      const call = await app.convex(["run", "--component", "box", "lib:count", "{}"]);
      assert.notEqual(call.code, 0, "an unmounted component runs nothing");
      const tables = await app.convex(["data", "--component", "box"]);
      assert.match(tables.stdout, /items/, "its tables stay");

      await app.write("convex/convex.config.ts", appConfig(true));
      await app.write("convex/use.ts", appFns);
      const back = await app.deploy();
      assert.match(back.stdout + back.stderr, /Remounted component box\./);
      const count = await app.convex(["run", "--component", "box", "lib:count", "{}"]);
      assert.equal(count.stdout.trim(), "50", "its documents came back with it");
      assert.equal((await client.query("use:byN", { n: 4 })).length, 10, "and its indexes");
    });

    it("delete_component refuses a mounted component and deletes an unmounted one with its data", async () => {
      const del = () => fetch(`${hull.url}/api/delete_component`, {
        method: "POST", headers: { Authorization: `Convex ${hull.adminKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ componentId: "box" }),
      });
      const mounted = await del();
      assert.equal(mounted.status, 400);
      assert.match((await mounted.json()).message, /Component must be unmounted before deletion/);

      await app.write("convex/convex.config.ts", appConfig(false));
      await app.write("convex/use.ts", `export {};\n`);
      await app.deploy();
      const deleted = await del();
      assert.equal(deleted.status, 200, await deleted.clone().text());
      const tables = await app.convex(["data", "--component", "box"]);
      assert.notEqual(tables.code, 0, "the component is gone");

      await app.write("convex/convex.config.ts", appConfig(true));
      await app.write("convex/use.ts", appFns);
      const fresh = await app.deploy();
      assert.match(fresh.stdout + fresh.stderr, /Installed component box\./);
      const count = await app.convex(["run", "--component", "box", "lib:count", "{}"]);
      assert.equal(count.stdout.trim(), "0", "a component installed again starts empty");
    });
  });
}
