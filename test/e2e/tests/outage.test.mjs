// A PostgreSQL outage, with the official clients: the server of a test's
// own is stopped mid-test and started again. While it is down, calls get
// 503 + Retry-After with a generic reason (nothing about hosts, ports or
// users), /readyz says not ready while /healthz stays live, and WebSocket
// clients retry on their own; once it is back everything recovers and
// what was retried lands exactly once.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Hull, App, backends } from "../lib/hull.mjs";
import { PgCluster } from "../lib/pg.mjs";

const api = anyApi;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function post(hull, path, body) {
  const r = await fetch(`${hull.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, headers: r.headers, text, json };
}

// until polls f until it returns a truthy value.
async function until(what, f, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function within(promise, ms, what) {
  let t;
  const timeout = new Promise((_, reject) => (t = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(t));
}

const status = async (hull, path) => (await fetch(`${hull.url}${path}`)).status;

describe("a PostgreSQL outage", { skip: !backends().includes("postgres") && "needs PostgreSQL" }, () => {
  let pg, hull, app, client, ws, watcher;

  before(async () => {
    pg = await PgCluster.start();
    hull = await Hull.create("postgres", { DATABASE_URL: pg.url });
    app = await App.create("basic", hull);
    await app.deploy();
    client = new ConvexHttpClient(hull.url, { logger: false });
    ws = new ConvexClient(hull.url, { unsavedChangesWarning: false, logger: false });
    watcher = new ConvexClient(hull.url, { unsavedChangesWarning: false, logger: false });
    await client.mutation("messages:send", { author: "ada", body: "before" });
    await ws.mutation(api.messages.send, { author: "ada", body: "ws before" });
  });

  after(async () => {
    await ws?.close();
    await watcher?.close();
    await app?.destroy();
    await hull?.destroy();
    await pg?.stop();
  });

  it("answers 503 without details while the database is down, and recovers when it is back", async () => {
    await pg.pause();
    const leaks = [pg.port, "127.0.0.1", "user=", "database=", "postgres", "dial", "failed to connect"];

    const q = await post(hull, "/api/query", { path: "messages:list", args: {} });
    assert.equal(q.status, 503, q.text);
    assert.ok(Number(q.headers.get("retry-after")) > 0, `Retry-After ${q.headers.get("retry-after")}`);
    assert.equal(q.json.code, "StorageUnavailable", q.text);
    for (const leak of leaks) assert.ok(!q.text.includes(leak), `the query answer shows ${leak}: ${q.text}`);

    const m = await post(hull, "/api/mutation", { path: "messages:send", args: { author: "ada", body: "during" } });
    assert.equal(m.status, 503, m.text);
    assert.equal(m.json.code, "StorageUnavailable", m.text);
    for (const leak of leaks) assert.ok(!m.text.includes(leak), `the mutation answer shows ${leak}: ${m.text}`);

    await assert.rejects(client.query("messages:list", {}), (e) => /StorageUnavailable/.test(e.message) && !e.message.includes(pg.port));

    // A function cannot catch the failure and answer as if all were well.
    const swallowed = await post(hull, "/api/query", { path: "outage:listOrEmpty", args: {} });
    assert.equal(swallowed.status, 503, swallowed.text);

    await until("/readyz to say not ready", async () => (await status(hull, "/readyz")) === 503);
    assert.equal(await status(hull, "/healthz"), 200, "/healthz is liveness: it stays 200");

    // A WebSocket mutation sent now waits (the client reconnects and
    // resends) instead of failing; a subscription made now gets its result
    // once the database is back.
    let settled = false;
    const pending = ws.mutation(api.messages.send, { author: "ws", body: "queued" });
    pending.then(() => (settled = true), () => (settled = true));
    const seen = [];
    const unsubscribe = watcher.onUpdate(api.messages.list, {}, (v) => seen.push(v.map((x) => x.body)));
    await sleep(2000);
    assert.equal(settled, false, "the mutation settled while the database was down");
    assert.match(hull.output, /postgres: the server is unreachable/, "the log has the outage");

    await pg.resume();
    const id = await within(pending, 60_000, "the resent mutation");
    assert.equal(typeof id, "string");
    await until("/readyz to say ready", async () => (await status(hull, "/readyz")) === 200);

    const bodies = (await client.query("messages:list", {})).map((x) => x.body);
    assert.deepEqual(bodies.filter((b) => b === "queued"), ["queued"], `the resent mutation landed once: ${bodies}`);
    assert.ok(!bodies.includes("during"), "a mutation answered 503 was committed");
    assert.ok(bodies.includes("before") && bodies.includes("ws before"));
    await until("the subscription's result", () => seen.some((b) => b.includes("queued")), 60_000);
    unsubscribe();
    await client.mutation("messages:send", { author: "ada", body: "after" });
  });
});
