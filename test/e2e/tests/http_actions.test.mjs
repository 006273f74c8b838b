// HTTP actions: the fixture's http.ts router deployed with the official
// CLI and called over HTTP under /http, at the site port and at the site
// origin's host, on SQLite and on PostgreSQL.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Hull, App, backends, freePort } from "../lib/hull.mjs";

const api = anyApi;
const enc = new TextEncoder();
const dec = new TextDecoder();

// readChunk reads from a response body reader until want bytes arrived.
async function readBytes(reader, want) {
  let got = "";
  while (got.length < want) {
    const { done, value } = await reader.read();
    if (done) break;
    got += dec.decode(value, { stream: true });
  }
  return got;
}

// rawGet sends a GET with a Host header of our choosing (fetch will not).
function rawGet(port, host, path) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

for (const backend of backends()) {
  describe(`HTTP actions on ${backend}`, () => {
    let hull, app, site, sitePort, client, beforePush;

    before(async () => {
      sitePort = await freePort();
      hull = await Hull.create(backend, { HULL_SITE_PORT: String(sitePort), CONVEX_SITE_ORIGIN: "http://actions.test" });
      site = `${hull.url}/http`;
      const r = await fetch(`${site}/getMessages`);
      beforePush = { status: r.status, body: await r.text() };
      app = await App.create("httpactions", hull);
      await app.deploy();
      client = new ConvexHttpClient(hull.url);
    });

    after(async () => {
      await app?.destroy();
      await hull?.destroy();
    });

    it("an exact route writes with runMutation and another reads with runQuery", async () => {
      const post = await fetch(`${site}/postMessage`, { method: "POST", body: JSON.stringify({ author: "alice", body: "hello" }) });
      assert.equal(post.status, 200);
      assert.equal(await post.text(), "");
      const get = await fetch(`${site}/getMessages`);
      assert.equal(get.status, 200);
      assert.equal(get.headers.get("content-type"), "application/json");
      assert.deepEqual(await get.json(), [{ author: "alice", body: "hello" }]);
      assert.deepEqual(await client.query(api.messages.list, {}), [{ author: "alice", body: "hello" }]);
    });

    it("a prefix route matches below it, and an exact route wins over it", async () => {
      await client.mutation(api.messages.send, { author: "bob smith", body: "hi from bob" });
      const r = await fetch(`${site}/getAuthorMessages/bob%20smith`);
      assert.deepEqual(await r.json(), { author: "bob smith", bodies: ["hi from bob"] });
      assert.equal(await (await fetch(`${site}/files/special`)).text(), "the exact route");
      assert.equal(await (await fetch(`${site}/files/special/more`)).text(), "the prefix route for /files/special/more");
      assert.equal((await fetch(`${site}/getAuthorMessages`)).status, 404, "a prefix needs its trailing slash");
    });

    it("one path answers several methods, HEAD runs GET, and other methods are not routed", async () => {
      for (const method of ["GET", "PUT", "PATCH", "DELETE"]) {
        const body = method === "GET" ? undefined : `${method.toLowerCase()} body`;
        const r = await fetch(`${site}/resource`, { method, body });
        assert.equal(r.status, 200, method);
        assert.equal(r.headers.get("x-method"), method);
        assert.equal(await r.text(), body ? `${method} ${body}` : method);
      }
      const head = await fetch(`${site}/resource`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("x-method"), "HEAD");
      assert.equal(await head.text(), "");
      const post = await fetch(`${site}/resource`, { method: "POST", body: "x" });
      assert.equal(post.status, 404);
      assert.equal(await post.text(), "No matching routes found");
    });

    it("a streamed request body is echoed back chunk by chunk while it is sent", async () => {
      let controller;
      const body = new ReadableStream({ start(c) { controller = c; } });
      controller.enqueue(enc.encode("first;"));
      const r = await fetch(`${site}/echo`, { method: "POST", body, duplex: "half" });
      assert.equal(r.status, 200);
      const reader = r.body.getReader();
      assert.equal(await readBytes(reader, 6), "first;");
      // The second chunk is sent only once the first came back.
      controller.enqueue(enc.encode("second;"));
      assert.equal(await readBytes(reader, 7), "second;");
      const big = new Uint8Array(3 << 20).fill(120);
      controller.enqueue(big);
      controller.close();
      let n = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.length;
      }
      assert.equal(n, big.length);
    });

    it("the client sees the first chunk of a streamed response before the handler finishes", async () => {
      const r = await fetch(`${site}/stream?flag=e2e-${backend}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("content-type"), "text/plain");
      const reader = r.body.getReader();
      assert.equal(await readBytes(reader, 6), "first\n");
      // The handler is still waiting for this flag.
      await client.mutation(api.flags.raise, { name: `e2e-${backend}` });
      assert.equal(await readBytes(reader, 7), "second\n");
      assert.equal((await reader.read()).done, true);
    });

    it("a client that goes away cancels the action", async () => {
      const ac = new AbortController();
      const r = await fetch(`${site}/stream?flag=never-${backend}`, { signal: ac.signal });
      const reader = r.body.getReader();
      assert.equal(await readBytes(reader, 6), "first\n");
      ac.abort();
      // The handler would wait 30 s for its flag; it ends when the client leaves.
      const deadline = Date.now() + 20_000;
      let entry;
      while (!entry && Date.now() < deadline) {
        const logs = await fetch(`${hull.url}/api/stream_function_logs?cursor=0`, { headers: { Authorization: `Convex ${hull.adminKey}` } });
        entry = (await logs.json()).entries.find((e) => e.identifier === "GET /stream" && !e.success);
        if (!entry) await new Promise((res) => setTimeout(res, 50));
      }
      assert.ok(entry, "the abandoned action did not end");
      assert.match(entry.error, /cancel/, JSON.stringify(entry));
    });

    it("CORS headers are the handlers' own", async () => {
      const origin = "http://localhost:5173";
      const pre = await fetch(`${site}/sendImage`, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type" },
      });
      assert.equal(pre.status, 200);
      assert.equal(pre.headers.get("access-control-allow-origin"), origin);
      assert.equal(pre.headers.get("access-control-allow-methods"), "POST");
      assert.equal(pre.headers.get("access-control-allow-headers"), "Content-Type, Digest");
      assert.equal(pre.headers.get("access-control-max-age"), "86400");
      assert.equal(pre.headers.get("access-control-allow-credentials"), null);
      const post = await fetch(`${site}/sendImage`, { method: "POST", headers: { Origin: origin }, body: new Uint8Array(1000) });
      assert.equal(post.status, 201);
      assert.equal(post.headers.get("access-control-allow-origin"), origin);
      assert.deepEqual(await post.json(), { size: 1000 });
      // A route without CORS gets none, and a preflight with no OPTIONS
      // route is not answered for it.
      const plain = await fetch(`${site}/getMessages`, { headers: { Origin: origin } });
      assert.equal(plain.headers.get("access-control-allow-origin"), null);
      const noPre = await fetch(`${site}/getMessages`, { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "GET" } });
      assert.equal(noPre.status, 404);
      assert.equal(noPre.headers.get("access-control-allow-origin"), null);
    });

    it("a path without a route answers Convex's 404", async () => {
      const r = await fetch(`${site}/nowhere`);
      assert.equal(r.status, 404);
      assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(await r.text(), "No matching routes found");
      assert.deepEqual(beforePush, { status: 404, body: "This Convex deployment does not have HTTP actions enabled." });
    });

    it("/.files is reserved, even under a catch-all prefix route", async () => {
      assert.equal(await (await fetch(`${site}/anything/else`, { method: "PUT" })).text(), "caught /anything/else");
      const r = await fetch(`${site}/.files/x`, { method: "PUT" });
      assert.equal(r.status, 404);
      assert.equal(await r.text(), "No matching routes found");
    });

    it("bodies are held to 20 MiB: a larger request is refused, a larger response cut and logged", async () => {
      // Refused on its declared length, before any of it is sent.
      const tooBig = await new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: hull.port, path: "/http/sendImage", method: "POST", headers: { "content-length": String((20 << 20) + 1) } }, (res) => {
          res.resume();
          resolve(res.statusCode);
          req.destroy();
        });
        req.on("error", reject);
        req.flushHeaders();
      });
      assert.equal(tooBig, 413);
      const r = await fetch(`${site}/big?mb=21`);
      assert.equal(r.status, 200);
      let n = 0;
      for await (const chunk of r.body) n += chunk.length;
      assert.equal(n, 20 << 20);
      const logs = await fetch(`${hull.url}/api/stream_function_logs?cursor=0`, { headers: { Authorization: `Convex ${hull.adminKey}` } });
      const big = (await logs.json()).entries.find((e) => e.identifier === "GET /big");
      assert.ok(big, "no log entry for GET /big");
      assert.ok(big.logLines.some((l) => l.level === "ERROR" && /HttpResponseTooLarge: HTTP actions support responses up to 20 MiB/.test(l.messages[0])), JSON.stringify(big.logLines));
    });

    it("a handler that throws answers 500 with Convex's body, is logged, and hull keeps serving", async () => {
      const r = await fetch(`${site}/throws`);
      assert.equal(r.status, 500);
      const body = await r.json();
      assert.match(body.code, /^\[Request ID: [0-9a-f]+\] Server Error: Uncaught Error: boom$/);
      assert.match(body.trace, /boom/);
      assert.equal((await fetch(`${site}/files/special`)).status, 200);
      const logs = await fetch(`${hull.url}/api/stream_function_logs?cursor=0`, { headers: { Authorization: `Convex ${hull.adminKey}` } });
      const { entries } = await logs.json();
      const thrown = entries.find((e) => e.identifier === "GET /throws");
      assert.ok(thrown, `no log entry for GET /throws among ${entries.map((e) => e.identifier)}`);
      assert.equal(thrown.udfType, "HttpAction");
      assert.equal(thrown.success, false);
      assert.match(thrown.error, /boom/);
      assert.ok(entries.some((e) => e.identifier === "GET /getAuthorMessages/*" && e.success), "the prefix route is logged by its pattern");
    });

    it("ctx.storage stores a request's bytes and serves them back", async () => {
      const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
      const sent = await fetch(`${site}/storeFile?author=ivy`, { method: "POST", body: bytes, headers: { "content-type": "image/png" } });
      assert.equal(sent.status, 200, await sent.clone().text());
      const { storageId, url } = await sent.json();
      assert.match(url, /\/api\/storage\//);
      const back = await fetch(`${site}/getFile?storageId=${storageId}`);
      assert.equal(back.status, 200);
      assert.equal(back.headers.get("content-type"), "image/png");
      assert.deepEqual(new Uint8Array(await back.arrayBuffer()), bytes);
      const direct = await fetch(url);
      assert.deepEqual(new Uint8Array(await direct.arrayBuffer()), bytes);
      assert.deepEqual(await client.query(api.messages.byAuthor, { author: "ivy" }), [`file:${storageId}`]);
    });

    it("ctx.scheduler schedules a mutation that runs after the response", async () => {
      const r = await fetch(`${site}/later`, { method: "POST", body: JSON.stringify({ author: "sam", body: "hi" }) });
      assert.equal(r.status, 200);
      assert.ok((await r.json()).scheduled);
      const deadline = Date.now() + 10_000;
      let got = [];
      while (Date.now() < deadline) {
        got = await client.query(api.messages.byAuthor, { author: "sam" });
        if (got.length > 0) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      assert.deepEqual(got, ["later:hi"]);
    });

    it("the site port serves the router at its root", async () => {
      const r = await fetch(`http://127.0.0.1:${sitePort}/files/special`);
      assert.equal(await r.text(), "the exact route");
      const info = await (await fetch(`http://127.0.0.1:${sitePort}/siteUrl?x=1`)).json();
      assert.deepEqual(info, { siteUrl: "http://actions.test", url: `http://127.0.0.1:${sitePort}/siteUrl?x=1` });
      assert.equal((await fetch(`http://127.0.0.1:${sitePort}/nowhere`)).status, 404);
    });

    it("requests for the site origin's host reach the router at the root", async () => {
      const r = await rawGet(hull.port, "actions.test", "/siteUrl");
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body), { siteUrl: "http://actions.test", url: "http://actions.test/siteUrl" });
      const api = await rawGet(hull.port, `127.0.0.1:${hull.port}`, "/siteUrl");
      assert.equal(api.status, 404, "the API host's root is not the router's");
    });
  });
}
