// Bad input through the CLI and the HTTP API: each gets a clear error and
// the running version and every other call stay untouched.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { brotliCompressSync } from "node:zlib";
import { ConvexHttpClient } from "convex/browser";
import { Hull, App } from "../lib/hull.mjs";

describe("bad input on sqlite", () => {
  let hull, app, client;

  before(async () => {
    hull = await Hull.create("sqlite");
    app = await App.create("basic", hull);
    await app.deploy();
    client = new ConvexHttpClient(hull.url);
    await client.mutation("messages:send", { author: "keep", body: "still here" });
  });

  after(async () => {
    await app?.destroy();
    await hull?.destroy();
  });

  async function stillServing() {
    const all = await client.query("messages:list", {});
    assert.ok(all.some((m) => m.body === "still here"));
  }

  async function post(path, body, headers = {}) {
    const r = await fetch(`${hull.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Convex ${hull.adminKey}`, ...headers },
      body,
    });
    const text = await r.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: r.status, text, json };
  }

  it("rejects a corrupt push body", async () => {
    const r = await post("/api/deploy2/start_push", Buffer.from("this is not brotli"), { "content-encoding": "br" });
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}: ${r.text}`);
    assert.equal(typeof r.json?.message, "string");
    await stillServing();
  });

  it("rejects a truncated push body", async () => {
    const full = brotliCompressSync(Buffer.from(JSON.stringify({ adminKey: hull.adminKey, dryRun: false, functions: "convex/" })));
    const r = await post("/api/deploy2/start_push", full.subarray(0, full.length - 3), { "content-encoding": "br" });
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}: ${r.text}`);
    await stillServing();
  });

  it("refuses a decompression bomb without exhausting memory", async () => {
    const bomb = brotliCompressSync(Buffer.alloc(300 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < 1024 * 1024);
    const r = await post("/api/deploy2/start_push", bomb, { "content-encoding": "br" });
    assert.equal(r.status, 413, r.text);
    await stillServing();
  });

  it("names an unknown module hash", async () => {
    const body = {
      adminKey: hull.adminKey, dryRun: false, functions: "convex/", forCodegen: false,
      appDefinition: { definition: null, dependencies: [], schema: null, changedModules: [], udfServerVersion: "1.48.0",
        unchangedModuleHashes: [{ path: "ghost.js", environment: "isolate", sha256: "00".repeat(32) }] },
      componentDefinitions: [], nodeDependencies: [],
    };
    const r = await post("/api/deploy2/start_push", brotliCompressSync(Buffer.from(JSON.stringify(body))), { "content-encoding": "br" });
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.message, /ghost\.js/);
    await stillServing();
  });

  it("refuses a finish_push naming a module that was never pushed", async () => {
    const body = {
      adminKey: hull.adminKey, dryRun: false, message: null,
      startPush: { environmentVariables: {}, hullVersion: { modules: [{ path: "forged.js", environment: "isolate", sha256: "ab".repeat(32) }], functions: {}, udfServerVersion: "1.48.0", functionsDir: "convex/" } },
    };
    const r = await post("/api/deploy2/finish_push", JSON.stringify(body));
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.message, /forged\.js/);
    await stillServing();
  });

  it("fails a deploy whose module throws at import, keeping the old version", async () => {
    const bad = await App.create("basic", hull);
    try {
      await bad.write("convex/broken.ts", `import { query } from "./_generated/server";\nthrow new Error("boom at import");\nexport const x = query({ handler: async () => 1 });\n`);
      const r = await bad.convex(["deploy", "-y", "--typecheck", "disable"]);
      assert.notEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /boom at import/);
      await stillServing();
    } finally {
      await bad.destroy();
    }
  });

  it("names a variable auth.config.ts needs that is not set, then deploys once it is", async () => {
    const auth = await App.create("basic", hull);
    try {
      await auth.write("convex/auth.config.ts", `export default { providers: [{ domain: process.env.AUTH_ISSUER_URL, applicationID: "convex" }] };\n`);
      let r = await auth.convex(["deploy", "-y", "--typecheck", "disable"]);
      assert.notEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /AUTH_ISSUER_URL/);
      assert.match(r.stdout + r.stderr, /env set/);
      await stillServing();
      r = await auth.convex(["env", "set", "AUTH_ISSUER_URL", "https://issuer.example"]);
      assert.equal(r.code, 0, r.stderr);
      await auth.deploy();
      await stillServing();
    } finally {
      await auth.destroy();
    }
  });

  it("fails a push whose schema the existing data violates, naming the document, and keeps the old version", async () => {
    const strict = await App.create("basic", hull);
    try {
      const schema = await strict.read("convex/schema.ts");
      await strict.write("convex/schema.ts", schema.replace("likes: v.number(),", "likes: v.string(),"));
      const r = await strict.convex(["deploy", "-y", "--typecheck", "disable"]);
      assert.notEqual(r.code, 0);
      const out = r.stdout + r.stderr;
      assert.match(out, /Schema validation failed/);
      assert.match(out, /Document with ID "[0-9a-z]{32}" in table "messages"/);
      assert.match(out, /likes/);
      assert.doesNotMatch(out, /Unexpected Error/);
      await stillServing();
      assert.ok((await client.mutation("messages:send", { author: "after", body: "failed push", likes: 2 })).length > 0);
    } finally {
      await strict.destroy();
    }
  });

  it("ends a function that loops forever and keeps serving", async () => {
    const loop = await App.create("basic", hull);
    try {
      await loop.write("convex/loop.ts", `import { query } from "./_generated/server";\nexport const forever = query({ args: {}, handler: async () => { for (;;) {} } });\n`);
      await loop.deploy();
      await assert.rejects(client.query("loop:forever", {}), /time|limit|interrupt/i);
      await stillServing();
    } finally {
      await loop.destroy();
    }
  });

  it("rejects an admin key of another instance", async () => {
    const other = await Hull.create("sqlite");
    try {
      const r = await fetch(`${hull.url}/api/update_environment_variables`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Convex ${other.adminKey}` },
        body: JSON.stringify({ changes: [{ name: "X", value: "1" }] }),
      });
      assert.equal(r.status, 401);
      const body = await r.json();
      assert.equal(body.code, "BadAdminKey");
    } finally {
      await other.destroy();
    }
  });

  it("reports bad function paths and bad args clearly", async () => {
    let r = await post("/api/query", JSON.stringify({ path: "", args: {} }));
    assert.equal(r.status, 400);
    r = await post("/api/query", JSON.stringify({ path: "messages:list", args: { x: { $integer: "bad" } }, format: "convex_encoded_json" }));
    assert.equal(r.status, 400, r.text);
    r = await post("/api/query", "{not json");
    assert.equal(r.status, 400, r.text);
    await stillServing();
  });
});
