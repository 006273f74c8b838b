// Schemas and auth configs the CLI checks the push answers of: a search
// or vector index without filter fields, and a custom JWT provider without
// applicationID, deploy with the official CLI. The push is storage-blind,
// so SQLite is enough.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { Hull, App } from "../lib/hull.mjs";

describe("push shapes", () => {
  let hull, app;

  before(async () => {
    hull = await Hull.create("sqlite");
    app = await App.create("search", hull);
  });

  after(async () => {
    await app?.destroy();
    await hull?.destroy();
  });

  it("deploys indexes without filter fields and a custom JWT provider without applicationID", async () => {
    const r = await app.deploy();
    assert.match(r.stdout + r.stderr, /Deployed Convex functions/);
    const client = new ConvexHttpClient(hull.url, { logger: false });
    await client.mutation("docs:add", { title: "a", body: "hello" });
    assert.deepEqual(await client.query("docs:titles", {}), ["a"]);
  });

  it("redeploys when the indexes change, with filter fields added and removed", async () => {
    const schema = await app.read("convex/schema.ts");
    await app.write("convex/schema.ts", schema.replace(`{ searchField: "body" }`, `{ searchField: "body", filterFields: ["title"] }`));
    const added = await app.deploy();
    assert.match(added.stdout + added.stderr, /Deployed Convex functions/);
    await app.write("convex/schema.ts", schema);
    const removed = await app.deploy();
    assert.match(removed.stdout + removed.stderr, /Deployed Convex functions/);
  });
});
