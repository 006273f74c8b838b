// Index backfill: a push that adds an index to a table with documents
// waits in wait_for_schema while the index backfills in the background,
// reports progress there, and succeeds; the index then answers queries.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { Hull, App, backends } from "../lib/hull.mjs";

const docs = 20_000;

const indexedSchema = `import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  items: defineTable({ n: v.number(), tag: v.string() }).index("by_tag", ["tag"]).index("by_n", { fields: ["n"], staged: true }),
});
`;

const byTag = `
export const byTag = query({
  args: { tag: v.string() },
  handler: async (ctx, { tag }) => (await ctx.db.query("items").withIndex("by_tag", (q) => q.eq("tag", tag)).collect()).length,
});
`;

for (const backend of backends()) {
  describe(`index backfill on ${backend}`, () => {
    let hull, app, client;

    before(async () => {
      hull = await Hull.create(backend, { HULL_LOG_LEVEL: "info" });
      app = await App.create("backfill", hull);
      await app.deploy();
      client = new ConvexHttpClient(hull.url);
      for (let from = 0; from < docs; from += 1000) {
        await client.mutation("items:seed", { from, count: 1000 });
      }
    });

    after(async () => {
      await app?.destroy();
      await hull?.destroy();
    });

    it("a push adding an index reports backfill progress, waits for it and succeeds", async () => {
      const admin = new ConvexHttpClient(hull.url);
      admin.setAdminAuth(hull.adminKey);
      assert.equal(await admin.query("_system/cli/tableSize:default", { tableName: "items" }), docs);
      await app.write("convex/schema.ts", indexedSchema);
      await app.write("convex/items.ts", (await app.read("convex/items.ts")) + byTag);
      const r = await app.deploy();
      const out = r.stdout + r.stderr;
      assert.match(out, /items\.by_tag/);
      assert.match(out, /Deployed Convex functions/);
      assert.match(hull.output, /index backfill in progress/, "wait_for_schema never reported progress");
      const counts = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => client.query("items:byTag", { tag: `t${i}` })));
      assert.equal(counts.reduce((a, b) => a + b, 0), docs);
      assert.equal(counts[3], Math.floor(docs / 7) + (docs % 7 > 3 ? 1 : 0));
    });
  });
}
