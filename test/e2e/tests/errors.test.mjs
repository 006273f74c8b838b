// What callers see of failed functions and refused tokens, through the
// official clients: full messages on a development deployment (the
// default), Convex's redacted "[Request ID: …] Server Error" for callers
// without an admin key on a production one (--production), the same over
// HTTP and WebSocket; a user token hull cannot verify is refused, never
// dropped. Storage plays no part here, so SQLite is enough.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { ConvexError } from "convex/values";
import { anyApi } from "convex/server";
import { Hull, App } from "../lib/hull.mjs";

const api = anyApi;
const redacted = /^\[Request ID: [0-9a-f]{16}\] Server Error$/;

async function post(hull, path, body, headers = {}) {
  const r = await fetch(`${hull.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, headers: r.headers, text, json };
}

// queryError resolves with the error a subscription reports.
function queryError(client, query, args) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no error from the subscription")), 15_000);
    const unsubscribe = client.onUpdate(query, args, () => {}, (err) => {
      clearTimeout(t);
      unsubscribe();
      resolve(err);
    });
  });
}

function quietClient(url) {
  return new ConvexClient(url, { unsavedChangesWarning: false, logger: false });
}

describe("function errors on a production deployment", () => {
  let hull, app, client, admin, ws;

  before(async () => {
    hull = await Hull.create("sqlite", { HULL_PRODUCTION: "1", HULL_LOG_LEVEL: "info" });
    app = await App.create("basic", hull);
    await app.deploy();
    client = new ConvexHttpClient(hull.url, { logger: false });
    admin = new ConvexHttpClient(hull.url, { logger: false });
    admin.setAdminAuth(hull.adminKey);
    ws = quietClient(hull.url);
    await client.mutation("messages:send", { author: "ada", body: "one" });
    await client.mutation("messages:send", { author: "ada", body: "two" });
  });

  after(async () => {
    await ws?.close();
    await app?.destroy();
    await hull?.destroy();
  });

  it("shows an anonymous HTTP caller only the request id of a thrown Error", async () => {
    const err = await client.mutation("messages:failAfterWrite", {}).then(() => null, (e) => e);
    assert.ok(err instanceof Error);
    assert.match(err.message, redacted);

    const r = await post(hull, "/api/mutation", { path: "messages:failAfterWrite", args: {}, format: "json" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, "error");
    assert.match(r.json.errorMessage, redacted);
    assert.ok(r.json.errorMessage.includes(r.headers.get("x-request-id")), "the message names the request id of the response");
    assert.doesNotMatch(r.text, /rolled back|messages\.ts|Uncaught/);
  });

  it("keeps the full message in the server log under that request id", async () => {
    const r = await post(hull, "/api/mutation", { path: "messages:failAfterWrite", args: {}, format: "json" });
    const id = r.headers.get("x-request-id");
    const deadline = Date.now() + 5000;
    while (!hull.output.split("\n").some((l) => l.includes(id) && l.includes("rolled back on purpose"))) {
      assert.ok(Date.now() < deadline, `no log line with request id ${id} and the message:\n${hull.output}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  });

  it("keeps ConvexError data, as Convex does", async () => {
    const err = await client.mutation("messages:send", { author: "ada", body: "" }).then(() => null, (e) => e);
    assert.ok(err instanceof ConvexError, `got ${err}`);
    assert.deepEqual(err.data, { code: "EMPTY", message: "body must not be empty" });
    assert.match(err.message, redacted);
  });

  it("sends no log lines to an anonymous caller", async () => {
    const r = await post(hull, "/api/mutation", { path: "messages:send", args: { author: "ada", body: "logged" }, format: "json" });
    assert.equal(r.json.status, "success", r.text);
    assert.equal(r.json.logLines, undefined, r.text);
  });

  it("shows an admin caller everything", async () => {
    await assert.rejects(admin.mutation("messages:failAfterWrite", {}), /Server Error\nUncaught Error: rolled back on purpose/);
    const r = await post(hull, "/api/mutation", { path: "messages:send", args: { author: "ada", body: "logged" }, format: "json" },
      { authorization: `Convex ${hull.adminKey}` });
    assert.deepEqual(r.json.logLines, ["[LOG] 'sending' 'ada'"]);
  });

  it("redacts over the WebSocket too: mutations and subscriptions", async () => {
    const err = await ws.mutation(api.messages.failAfterWrite, {}).then(() => null, (e) => e);
    assert.ok(err instanceof Error);
    assert.match(err.message, /\] \[Request ID: [0-9a-f]{16}\] Server Error\n\s+Called by client$/);
    assert.doesNotMatch(err.message, /rolled back/);

    const qerr = await queryError(ws, api.messages.uniqueAuthor, { author: "ada" });
    assert.match(qerr.message, /\] \[Request ID: [0-9a-f]{16}\] Server Error\n\s+Called by client$/);
    assert.doesNotMatch(qerr.message, /unique\(\)/);

    const cerr = await ws.mutation(api.messages.send, { author: "ada", body: "" }).then(() => null, (e) => e);
    assert.ok(cerr instanceof ConvexError, `got ${cerr}`);
    assert.deepEqual(cerr.data, { code: "EMPTY", message: "body must not be empty" });
  });
});

describe("function errors on a development deployment", () => {
  let hull, app, client, admin, ws;

  before(async () => {
    hull = await Hull.create("sqlite");
    app = await App.create("basic", hull);
    await app.deploy();
    client = new ConvexHttpClient(hull.url, { logger: false });
    admin = new ConvexHttpClient(hull.url, { logger: false });
    admin.setAdminAuth(hull.adminKey);
    ws = quietClient(hull.url);
    await client.mutation("messages:send", { author: "ada", body: "one" });
    await client.mutation("messages:send", { author: "ada", body: "two" });
  });

  after(async () => {
    await ws?.close();
    await app?.destroy();
    await hull?.destroy();
  });

  it("shows the message and the app's stack frame after the request id", async () => {
    const err = await client.mutation("messages:failAfterWrite", {}).then(() => null, (e) => e);
    assert.match(err.message, /^\[Request ID: [0-9a-f]{16}\] Server Error\nUncaught Error: rolled back on purpose\n\s+at handler \(\.\.\/convex\/messages\.ts:\d+:\d+\)/);
    const werr = await ws.mutation(api.messages.failAfterWrite, {}).then(() => null, (e) => e);
    assert.match(werr.message, /\[Request ID: [0-9a-f]{16}\] Server Error\nUncaught Error: rolled back on purpose/);
    const qerr = await queryError(ws, api.messages.uniqueAuthor, { author: "ada" });
    assert.match(qerr.message, /unique\(\) query returned more than one result/);
  });

  it("refuses a garbage bearer token instead of running the function as nobody", async () => {
    const before = await admin.query("messages:count", {});
    const user = new ConvexHttpClient(hull.url, { logger: false });
    user.setAuth("garbage");
    await assert.rejects(user.query("messages:list", {}), /InvalidAuthHeader.*Could not parse JWT payload/);
    await assert.rejects(user.mutation("messages:send", { author: "mallory", body: "sneaked in" }), /InvalidAuthHeader/);
    await assert.rejects(user.action("messages:list", {}), /InvalidAuthHeader/);
    assert.equal(await admin.query("messages:count", {}), before, "the refused mutation ran");

    const r = await post(hull, "/api/query", { path: "messages:list", args: {} }, { authorization: "Bearer garbage" });
    assert.equal(r.status, 401, r.text);
    assert.deepEqual(r.json, {
      code: "InvalidAuthHeader",
      message: "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.",
    });
  });

  it("refuses a well-formed JWT when no auth provider is configured", async () => {
    const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const token = `${part({ alg: "RS256", typ: "JWT" })}.${part({ iss: "https://auth.example.com", aud: "app", sub: "u1", iat: 1, exp: 4102444800 })}.c2ln`;
    const user = new ConvexHttpClient(hull.url, { logger: false });
    user.setAuth(token);
    await assert.rejects(user.query("messages:list", {}), /NoAuthProvider.*No auth provider found matching the given token \(no providers configured\)/);
  });

  it("still serves anonymous callers", async () => {
    assert.ok((await client.query("messages:list", {})).length >= 2);
  });
});
