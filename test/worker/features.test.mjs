// hull's features through the Worker: HTTP actions under /http (streamed
// both ways), and file storage — upload URLs and download URLs name the
// Worker's origin, and the bytes go through it.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Hull, App, backends, Worker, through, freePort, ConvexHttpClient, anyApi } from "./lib/kit.mjs";

const api = anyApi;
const enc = new TextEncoder();

async function readBytes(reader, n) {
  let out = "";
  while (out.length < n) {
    const { done, value } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  return out;
}

for (const backend of backends()) {
  describe(`HTTP actions through the Worker on ${backend}`, () => {
    let hull, worker, app, client;

    before(async () => {
      hull = await Hull.create(backend);
      worker = await Worker.start({ hull });
      app = through(await App.create("httpactions", hull), worker.url);
      await app.deploy();
      client = new ConvexHttpClient(worker.url);
    });

    after(async () => {
      await worker?.dispose();
      await app?.destroy();
      await hull?.destroy();
    });

    it("a route writes with runMutation and another reads with runQuery", async () => {
      const post = await worker.fetch("/http/postMessage", { method: "POST", body: JSON.stringify({ author: "w", body: "via the worker" }) });
      assert.equal(post.status, 200);
      const r = await worker.fetch("/http/getMessages");
      assert.equal(r.status, 200);
      assert.ok((await r.json()).some((m) => m.body === "via the worker"));
    });

    it("a streamed response reaches the client chunk by chunk through the Worker", async () => {
      const flag = `w-${backend}`;
      // Without Accept-Encoding the runtime may gzip a text response,
      // which holds chunks back (Miniflare does; see CLOUDFLARE.md).
      const r = await worker.fetch(`/http/stream?flag=${flag}`, { headers: { "Accept-Encoding": "identity" } });
      assert.equal(r.status, 200);
      const reader = r.body.getReader();
      assert.equal(await readBytes(reader, 6), "first\n");
      // The handler is still waiting for this flag.
      await client.mutation(api.flags.raise, { name: flag });
      assert.equal(await readBytes(reader, 7), "second\n");
      assert.equal((await reader.read()).done, true);
    });

    it("a streamed request body is echoed back through the Worker", async () => {
      let controller;
      const body = new ReadableStream({ start(c) { controller = c; } });
      controller.enqueue(enc.encode("first;"));
      const r = await worker.fetch("/http/echo", { method: "POST", body, duplex: "half", headers: { "Accept-Encoding": "identity" } });
      assert.equal(r.status, 200);
      const reader = r.body.getReader();
      assert.equal(await readBytes(reader, 6), "first;");
      controller.enqueue(enc.encode("second;"));
      controller.close();
      assert.equal(await readBytes(reader, 7), "second;");
    });
  });

  describe(`file storage through the Worker on ${backend}`, () => {
    let hull, worker, app, client;

    before(async () => {
      // As the Durable Object does for the container, tell hull its public
      // origin: upload and download URLs made in functions use it.
      const port = await freePort();
      hull = await Hull.create(backend, { PUBLIC_ORIGIN: `http://127.0.0.1:${port}` });
      worker = await Worker.start({ hull, port, vars: { MAX_REQUEST_BYTES: String(2 << 20) } });
      app = through(await App.create("files", hull), worker.url);
      await app.deploy();
      client = new ConvexHttpClient(worker.url);
    });

    after(async () => {
      await worker?.dispose();
      await app?.destroy();
      await hull?.destroy();
    });

    it("an upload and a download go through the Worker", async () => {
      const bytes = randomBytes(300_000);
      const uploadUrl = await client.mutation(api.messages.generateUploadUrl, {});
      assert.ok(uploadUrl.startsWith(`${worker.url}/api/storage/upload`), `the upload URL ${uploadUrl} names the Worker`);
      const up = await fetch(uploadUrl, { method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: bytes });
      assert.equal(up.status, 200, await up.clone().text());
      const { storageId } = await up.json();
      const url = await client.query(api.files.getUrl, { storageId });
      assert.ok(url.startsWith(`${worker.url}/api/storage/`), `the download URL ${url} names the Worker`);
      const down = await fetch(url);
      assert.equal(down.status, 200);
      const got = Buffer.from(await down.arrayBuffer());
      assert.equal(createHash("sha256").update(got).digest("hex"), createHash("sha256").update(bytes).digest("hex"));
      const part = await fetch(url, { headers: { Range: "bytes=10-19" } });
      assert.equal(part.status, 206);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(10, 20));
    });

    it("an upload over MAX_REQUEST_BYTES is refused by the Worker", async () => {
      const uploadUrl = await client.mutation(api.messages.generateUploadUrl, {});
      const r = await fetch(uploadUrl, { method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: randomBytes((2 << 20) + 1) });
      assert.equal(r.status, 413);
      assert.equal(r.headers.get("X-Hull-Version"), null);
      assert.equal((await r.json()).error, "PayloadTooLarge");
      // The URL was never used, so it still works for a file that fits.
      const ok = await fetch(uploadUrl, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "fits" });
      assert.equal(ok.status, 200);
    });
  });
}
