// Limits of the WebSocket sync endpoint through the official ConvexClient
// (and a raw socket where no client would misbehave): the argument limit
// of the HTTP API, the cap on sessions.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Hull, App } from "../lib/hull.mjs";

const api = anyApi;

describe("sync limits on sqlite", () => {
  let hull, app;
  const clients = [];

  before(async () => {
    hull = await Hull.create("sqlite", { HULL_MAX_SYNC_SESSIONS: "4" });
    app = await App.create("live", hull);
    await app.deploy();
  });

  after(async () => {
    for (const c of clients) await c.close();
    await app?.destroy();
    await hull?.destroy();
  });

  it("refuses arguments over 16 MiB on the WebSocket as the HTTP API does, before any function runs", async () => {
    const c = new ConvexClient(hull.url, { unsavedChangesWarning: false, logger: false });
    clients.push(c);
    const big = "x".repeat(20_000_000);
    await assert.rejects(c.mutation(api.items.add, { list: "big", text: big }), /ArgumentsTooLarge/);
    await assert.rejects(c.action(api.items.addViaAction, { list: "big", text: big }), /ArgumentsTooLarge/);
    const queryError = await new Promise((resolve) => {
      const unsubscribe = c.onUpdate(api.items.list, { list: big }, () => {}, (e) => {
        unsubscribe();
        resolve(e);
      });
    });
    assert.match(queryError.message, /ArgumentsTooLarge/);
    // The same arguments over HTTP get the same error.
    const http = new ConvexHttpClient(hull.url);
    await assert.rejects(http.mutation(api.items.add, { list: "big", text: big }), /ArgumentsTooLarge/);
    // The session goes on; nothing was written.
    await c.mutation(api.items.add, { list: "big", text: "small" });
    assert.deepEqual(await c.query(api.items.list, { list: "big" }), ["small"]);
    assert.equal(c.connectionState().connectionCount, 1, "the client never reconnected");
  });

  it("closes a socket past the session cap with a TooManySessions reason, and takes new ones once places free up", async () => {
    const url = hull.url.replace("http", "ws") + "/api/1.48.0/sync";
    const open = () =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once("open", () => {
          ws.send(JSON.stringify({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
          resolve(ws);
        });
        ws.once("error", reject);
      });
    const closed = (ws) => new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    // The first test's client holds one place; fill the rest.
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await open());
    const extra = await open();
    const { code, reason } = await closed(extra);
    assert.equal(code, 1013);
    assert.match(reason, /^TooManySessions/);
    held[0].close();
    await closed(held[0]);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ws = await open();
      const outcome = await Promise.race([closed(ws), new Promise((r) => setTimeout(() => r(null), 500))]);
      if (outcome === null) {
        held.push(ws);
        break;
      }
      assert.ok(Date.now() < deadline, `a freed place was not taken again: ${JSON.stringify(outcome)}`);
    }
    for (const ws of held.slice(1)) ws.close();
  });
});
