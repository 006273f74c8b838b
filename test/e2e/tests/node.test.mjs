// "use node" actions: deployed with the official CLI (an external package
// from convex.json's node.externalPackages, installed by hull at push),
// run in Node.js child processes, called through the official clients;
// a crashing and a hanging action fail with a reason and the pool
// recovers; a restart with an empty disk rebuilds everything from the
// database; without Node.js the push names what to install.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { ConvexHttpClient, ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Hull, App, backends } from "../lib/hull.mjs";

const api = anyApi;
const sha256 = (s) => createHash("sha256").update(s).digest("hex");

for (const backend of backends()) {
  describe(`Node actions on ${backend}`, () => {
    let hull, app, client;

    before(async () => {
      hull = await Hull.create(backend, { HULL_ACTION_TIMEOUT: "4s" });
      app = await App.create("nodeapp", hull);
      const env = await app.convex(["env", "set", "GREETING", "hello"]);
      assert.equal(env.code, 0, env.stdout + env.stderr);
      await app.deploy();
      client = new ConvexHttpClient(hull.url);
    });

    after(async () => {
      await app?.destroy();
      await hull?.destroy();
    });

    it("uses node:crypto, an external and a bundled npm package, a mutation and a query", async () => {
      const r = await client.action(api.nodeActions.digest, { text: "abc" });
      assert.equal(r.digest, sha256("abc"));
      assert.equal(r.count, 1);
      assert.equal(r.twoDays, 2 * 24 * 3600 * 1000);
      assert.equal(r.day, "2030-01-02");
      assert.equal(r.random, 8);
      assert.equal(r.greeting, "hello");
      assert.equal(r.nodeMajor, Number(process.versions.node.split(".")[0]));
      assert.ok(r.msPath.startsWith(hull.dataDir), `ms resolved to ${r.msPath}, not to the packages hull installed`);
      assert.deepEqual(await client.query(api.digests.of, { text: "abc" }), [sha256("abc")]);
    });

    it("shows its console output as the function's log lines", async () => {
      const res = await fetch(`${hull.url}/api/action`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ path: "nodeActions:digest", args: { text: "logged" } }),
      });
      const body = await res.json();
      assert.equal(body.status, "success", JSON.stringify(body));
      assert.ok(body.logLines.includes("[LOG] digested logged"), JSON.stringify(body.logLines));
    });

    it("is called over the WebSocket, from a default-runtime action and from another Node action", async () => {
      const ws = new ConvexClient(hull.url);
      try {
        assert.equal((await ws.action(api.nodeActions.digest, { text: "ws" })).digest, sha256("ws"));
      } finally {
        await ws.close();
      }
      assert.equal(await client.action(api.digests.viaDefaultRuntime, { text: "nested" }), sha256("nested"));
      assert.equal(await client.action(api.nodeActions.chained, { text: "chained" }), sha256("chained"));
    });

    it("passes ConvexError data to the client and validates arguments", async () => {
      await assert.rejects(client.action(api.nodeActions.refuses, {}), (e) => {
        assert.deepEqual(e.data, { code: "NOPE", n: 1 });
        return true;
      });
      await assert.rejects(client.action(api.nodeActions.digest, { text: 5 }), /ArgumentValidationError/);
    });

    it("fails an action whose process exits, with the reason, and runs the next one", async () => {
      await assert.rejects(client.action(api.nodeActions.crash, {}), /Node\.js process running the action exited unexpectedly \(exit code 3\)/);
      assert.equal((await client.action(api.nodeActions.digest, { text: "after crash" })).digest, sha256("after crash"));
    });

    it("fails an action that never yields at the time limit, and runs the next one", async () => {
      await assert.rejects(client.action(api.nodeActions.spin, {}), /timed out \(maximum duration: 4s\)/);
      assert.equal((await client.action(api.nodeActions.digest, { text: "after spin" })).digest, sha256("after spin"));
    });

    it("refuses a query in a \"use node\" file with Convex's message, keeping the live version", async () => {
      const bad = await App.create("nodeapp", hull);
      try {
        await bad.write("convex/nodeQuery.ts", `"use node";\nimport { query } from "./_generated/server";\nexport const q = query({ args: {}, handler: async () => 1 });\n`);
        const r = await bad.convex(["deploy", "-y", "--typecheck", "disable"]);
        assert.notEqual(r.code, 0);
        assert.match(r.stdout + r.stderr, /`q` defined in `nodeQuery\.js` is a Query function\. Only actions can be defined in Node\.js/);
        assert.equal((await client.action(api.nodeActions.digest, { text: "still live" })).digest, sha256("still live"));
      } finally {
        await bad.destroy();
      }
    });

    it("rebuilds its code and packages from the database after a restart with an empty disk", async () => {
      await hull.stop();
      await rm(join(hull.dataDir, "node"), { recursive: true, force: true });
      await hull.start();
      const r = await client.action(api.nodeActions.digest, { text: "cold" });
      assert.equal(r.digest, sha256("cold"));
      assert.equal(r.twoDays, 2 * 24 * 3600 * 1000);
    });
  });
}

describe("convex.json's node.nodeVersion", () => {
  let hull, app;
  const major = Number(process.versions.node.split(".")[0]);

  before(async () => {
    hull = await Hull.create("sqlite");
    app = await App.create("nodeapp", hull);
  });

  after(async () => {
    await app?.destroy();
    await hull?.destroy();
  });

  it("is refused when the Node.js hull runs has another major version, and accepted when it matches", async () => {
    await app.write("convex.json", JSON.stringify({ node: { externalPackages: ["ms"], nodeVersion: String(major + 2) } }));
    const r = await app.convex(["deploy", "-y", "--typecheck", "disable"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, new RegExp(`UnsupportedNodeVersion: convex.json sets node.nodeVersion to "${major + 2}", but the Node.js hull runs .* is v${major}\\.`));
    await app.write("convex.json", JSON.stringify({ node: { externalPackages: ["ms"], nodeVersion: String(major) } }));
    await app.deploy();
    const client = new ConvexHttpClient(hull.url);
    assert.equal((await client.action(api.nodeActions.digest, { text: "v" })).digest, sha256("v"));
  });
});

describe("a push with Node actions where Node.js is missing", () => {
  let hull, app;

  before(async () => {
    hull = await Hull.create("sqlite", { PATH: "/nonexistent" });
    app = await App.create("nodeapp", hull);
  });

  after(async () => {
    await app?.destroy();
    await hull?.destroy();
  });

  it("fails, naming the module and what to install", async () => {
    const r = await app.convex(["deploy", "-y", "--typecheck", "disable"]);
    assert.notEqual(r.code, 0);
    const out = r.stdout + r.stderr;
    assert.match(out, /NodeJsUnavailable/);
    assert.match(out, /nodeActions\.js uses "use node"/);
    assert.match(out, /Install Node\.js 20 or newer/);
  });
});
