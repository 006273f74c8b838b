// File storage through the official client, following Convex's file
// storage docs: a mutation generates an upload URL, the file is POSTed to
// it, a query turns the storage id into a URL, the URL serves the bytes
// (whole and by range), and delete makes it 404 — on SQLite and PostgreSQL,
// with files in a local folder and in S3 (versitygw). Then the bad input:
// expired, reused and forged upload URLs, uploads over the size limit,
// unknown ids, malformed ranges; and a kill -9 in the middle of an upload.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { spawn } from "node:child_process";
import { ConvexHttpClient, ConvexClient } from "convex/browser";
import { Hull, App, backends, hullBin, freePort } from "../lib/hull.mjs";
import { s3Server, blobBackends, newBucket, dropBucket, listKeys, hullEnv } from "../lib/s3.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TTL_SECONDS = 3;
const MAX_UPLOAD = 4_000_000;

// storedKeys lists the objects a hull keeps: files under the local
// folder (uploads in progress, named .put-*, left out) or keys in the
// bucket.
async function storedKeys(ctx) {
  if (ctx.blob === "s3") return await listKeys(ctx.s3, ctx.bucket, ctx.prefix);
  const out = [];
  const walk = async (dir, rel) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      if (e.isDirectory()) await walk(join(dir, e.name), rel + e.name + "/");
      else out.push(rel + e.name);
    }
  };
  await walk(join(ctx.hull.dataDir, "files"), "");
  return out;
}

async function eventually(fn, what) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

async function startHull(backend, blob, extra = {}) {
  const ctx = { blob };
  let env = { HULL_UPLOAD_URL_TTL: `${TTL_SECONDS}s`, HULL_MAX_UPLOAD_BYTES: String(MAX_UPLOAD), ...extra };
  if (blob === "s3") {
    ctx.s3 = s3Server();
    ctx.bucket = await newBucket(ctx.s3);
    ctx.prefix = `e2e-${randomBytes(3).toString("hex")}/`;
    env = { ...env, ...hullEnv(ctx.s3, ctx.bucket, ctx.prefix) };
  }
  ctx.hull = await Hull.create(backend, env);
  ctx.app = await App.create("files", ctx.hull);
  await ctx.app.deploy();
  ctx.client = new ConvexHttpClient(ctx.hull.url);
  return ctx;
}

async function stopHull(ctx) {
  await ctx?.app?.destroy();
  await ctx?.hull?.destroy();
  if (ctx?.bucket) await dropBucket(ctx.s3, ctx.bucket);
}

async function upload(ctx, bytes, headers = {}) {
  const url = await ctx.client.mutation("messages:generateUploadUrl", {});
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "image/png", ...headers }, body: bytes });
  return { url, status: r.status, json: await r.json() };
}

const b64sha = (b) => createHash("sha256").update(b).digest("base64");
const hexsha = (b) => createHash("sha256").update(b).digest("hex");

for (const backend of backends()) {
  for (const blob of blobBackends()) {
    describe(`file storage on ${backend} with ${blob} files`, () => {
      let ctx;
      before(async () => {
        ctx = await startHull(backend, blob);
      });
      after(async () => {
        await stopHull(ctx);
      });

      it("uploads through a generated URL and serves the file byte for byte", async () => {
        const bytes = randomBytes(300_000);
        const up = await upload(ctx, bytes);
        assert.equal(up.status, 200, JSON.stringify(up.json));
        assert.match(up.url, /\/api\/storage\/upload\?token=/);
        const { storageId } = up.json;
        assert.equal(typeof storageId, "string");
        await ctx.client.mutation("messages:sendImage", { storageId, author: "ada" });
        const [msg] = (await ctx.client.query("messages:list", {})).filter((m) => m.body === storageId);
        assert.match(msg.url, /\/api\/storage\/[0-9a-f-]{36}$/);
        assert.ok(!msg.url.includes(storageId), "the download URL does not carry the storage id");
        const r = await fetch(msg.url);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("content-type"), "image/png");
        assert.equal(r.headers.get("content-length"), String(bytes.length));
        assert.equal(r.headers.get("etag"), `"${hexsha(bytes)}"`);
        assert.equal(r.headers.get("cache-control"), "private, max-age=2592000");
        assert.equal(r.headers.get("accept-ranges"), "bytes");
        assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes), "downloaded bytes differ");
        const again = await fetch(msg.url, { headers: { "If-None-Match": r.headers.get("etag") } });
        assert.equal(again.status, 304);
        const head = await fetch(msg.url, { method: "HEAD" });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get("content-length"), String(bytes.length));
        assert.equal((await head.arrayBuffer()).byteLength, 0);
      });

      it("serves Range requests with the right slice", async () => {
        const bytes = randomBytes(10_000);
        const { json } = await upload(ctx, bytes);
        const url = await ctx.client.query("files:getUrl", { storageId: json.storageId });
        for (const [range, lo, hi] of [["bytes=100-199", 100, 200], ["bytes=9990-", 9990, 10000], ["bytes=-16", 9984, 10000], ["bytes=5000-99999", 5000, 10000]]) {
          const r = await fetch(url, { headers: { Range: range } });
          assert.equal(r.status, 206, range);
          assert.equal(r.headers.get("content-range"), `bytes ${lo}-${hi - 1}/10000`);
          assert.equal(r.headers.get("content-length"), String(hi - lo));
          assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes.subarray(lo, hi)), `slice of ${range} differs`);
        }
      });

      it("shows the metadata in _storage as Convex does", async () => {
        const bytes = Buffer.from("hello, files");
        const { json } = await upload(ctx, bytes, { "Content-Type": "text/plain" });
        const doc = await ctx.client.query("files:metadata", { storageId: json.storageId });
        assert.deepEqual(Object.keys(doc).sort(), ["_creationTime", "_id", "contentType", "sha256", "size"]);
        assert.equal(doc._id, json.storageId);
        assert.equal(doc.sha256, b64sha(bytes));
        assert.equal(doc.size, bytes.length);
        assert.equal(doc.contentType, "text/plain");
        assert.ok(doc._creationTime > 0);
        const old = await ctx.client.query("files:oldMetadata", { storageId: json.storageId });
        assert.equal(old.sha256, hexsha(bytes));
        assert.equal(old.size, bytes.length);
        assert.equal(old.contentType, "text/plain");
        assert.match(old.storageId, /^[0-9a-f-]{36}$/);
        // The legacy UUID form of a storage id still works.
        const viaUUID = await ctx.client.query("files:getUrlOfString", { storageId: old.storageId });
        assert.ok(viaUUID.endsWith(old.storageId));
        const all = await ctx.client.query("files:all", {});
        assert.ok(all.some((d) => d._id === json.storageId));
      });

      it("delete makes the URL 404, the metadata null and removes the bytes", async () => {
        const { json } = await upload(ctx, randomBytes(1000));
        const url = await ctx.client.query("files:getUrl", { storageId: json.storageId });
        const before = (await storedKeys(ctx)).length;
        const live = new ConvexClient(ctx.hull.url);
        const seen = [];
        const unsubscribe = live.onUpdate("files:getUrl", { storageId: json.storageId }, (u) => seen.push(u));
        await eventually(() => seen.length > 0, "the subscription has a first result");
        assert.equal(seen[0], url);
        await ctx.client.mutation("messages:deleteById", { storageId: json.storageId });
        assert.equal((await fetch(url)).status, 404);
        assert.equal(await ctx.client.query("files:getUrl", { storageId: json.storageId }), null);
        assert.equal(await ctx.client.query("files:metadata", { storageId: json.storageId }), null);
        await eventually(() => seen.at(-1) === null, "the subscribed URL becomes null");
        unsubscribe();
        await live.close();
        await eventually(async () => (await storedKeys(ctx)).length === before - 1, "the bytes are removed");
        await assert.rejects(ctx.client.mutation("files:deleteMissing", { storageId: json.storageId }), /StorageIdNotFound|not found/);
      });

      it("stores and reads files in mutations and actions", async () => {
        const id = await ctx.client.mutation("files:storeText", { text: "from a mutation" });
        assert.deepEqual(await ctx.client.mutation("files:readText", { storageId: id }), { text: "from a mutation", type: "text/plain" });
        const text = "# from an action\n" + "x".repeat(50_000);
        const aid = await ctx.client.action("files:storeInAction", { text });
        const read = await ctx.client.action("files:readInAction", { storageId: aid });
        assert.equal(read.text, text);
        assert.equal(read.type, "text/markdown");
        assert.equal(await (await fetch(read.url)).text(), text);
        const withSha = await ctx.client.action("files:storeInAction", { text: "checked", sha256: b64sha(Buffer.from("checked")) });
        assert.equal(typeof withSha, "string");
        await assert.rejects(ctx.client.action("files:storeInAction", { text: "checked", sha256: b64sha(Buffer.from("other")) }), /Sha256Mismatch|mismatch/i);
        await ctx.client.action("files:deleteInAction", { storageId: aid });
        assert.equal(await ctx.client.action("files:readInAction", { storageId: aid }), null);
        const uploadUrl = await ctx.client.action("files:generateInAction", {});
        const r = await fetch(uploadUrl, { method: "POST", body: "via an action's URL" });
        assert.equal(r.status, 200);
      });

      it("a mutation that fails after storing leaves no file behind", async () => {
        const count = await ctx.client.query("files:count", {});
        const keys = (await storedKeys(ctx)).length;
        await assert.rejects(ctx.client.mutation("files:storeThenFail", { text: "gone" }), /changed my mind/);
        assert.equal(await ctx.client.query("files:count", {}), count);
        await eventually(async () => (await storedKeys(ctx)).length === keys, "the stored bytes are removed");
      });

      it("refuses expired, reused and forged upload URLs", async () => {
        const url = await ctx.client.mutation("messages:generateUploadUrl", {});
        const first = await fetch(url, { method: "POST", body: "once" });
        assert.equal(first.status, 200);
        const count = await ctx.client.query("files:count", {});
        const reused = await fetch(url, { method: "POST", body: "twice" });
        assert.equal(reused.status, 403);
        assert.match((await reused.json()).message, /already used/);
        const forged = url.replace(/token=(.)/, (_, c) => `token=${c === "A" ? "B" : "A"}`);
        const f = await fetch(forged, { method: "POST", body: "forged" });
        assert.equal(f.status, 403);
        assert.match((await f.json()).message, /not valid/);
        const none = await fetch(url.replace(/\?.*$/, ""), { method: "POST", body: "no token" });
        assert.equal(none.status, 400);
        const late = await ctx.client.mutation("messages:generateUploadUrl", {});
        await sleep(TTL_SECONDS * 1000 + 300);
        const expired = await fetch(late, { method: "POST", body: "late" });
        assert.equal(expired.status, 403);
        assert.match((await expired.json()).message, /expired/);
        assert.equal(await ctx.client.query("files:count", {}), count);
      });

      it("refuses uploads over the size limit, declared or streamed, and keeps nothing", async () => {
        const count = await ctx.client.query("files:count", {});
        const keys = (await storedKeys(ctx)).length;
        const declared = await upload(ctx, randomBytes(MAX_UPLOAD + 1));
        assert.equal(declared.status, 413);
        assert.match(declared.json.message, /upload limit/);
        const url = await ctx.client.mutation("messages:generateUploadUrl", {});
        const chunk = randomBytes(1 << 20);
        const body = new ReadableStream({
          start(c) {
            for (let i = 0; i < 5; i++) c.enqueue(chunk);
            c.close();
          },
        });
        const streamed = await fetch(url, { method: "POST", body, duplex: "half" });
        assert.equal(streamed.status, 413);
        assert.equal(await ctx.client.query("files:count", {}), count);
        await eventually(async () => (await storedKeys(ctx)).length === keys, "nothing of the refused uploads is stored");
        const digest = await upload(ctx, Buffer.from("abc"), { Digest: `sha-256=${b64sha(Buffer.from("abd"))}` });
        assert.equal(digest.status, 400);
        assert.equal(digest.json.code, "Sha256Mismatch");
        const good = await upload(ctx, Buffer.from("abc"), { Digest: `sha-256=${b64sha(Buffer.from("abc"))}` });
        assert.equal(good.status, 200);
      });

      it("answers unknown ids and malformed ranges with clear errors", async () => {
        const base = `${ctx.hull.url}/api/storage/`;
        for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-file", "kg2a3b4c5d6e7f8g9h0j1k2m3n4p5q6r"]) {
          const r = await fetch(base + id);
          assert.equal(r.status, 404, id);
          assert.equal((await r.json()).code, "FileNotFound");
        }
        await assert.rejects(ctx.client.query("files:getUrlOfString", { storageId: "garbage" }), /storageId/);
        const { json } = await upload(ctx, randomBytes(100));
        const url = await ctx.client.query("files:getUrl", { storageId: json.storageId });
        for (const range of ["bytes=abc", "bytes=5-2", "items=0-1", "bytes=-"]) {
          const r = await fetch(url, { headers: { Range: range } });
          assert.equal(r.status, 400, range);
          assert.match((await r.json()).message, /Range/);
        }
        for (const range of ["bytes=100-", "bytes=500-600", "bytes=-0"]) {
          const r = await fetch(url, { headers: { Range: range } });
          assert.equal(r.status, 416, range);
          assert.equal(r.headers.get("content-range"), "bytes */100");
        }
      });
    });
  }
}

// A kill -9 in the middle of an upload leaves nothing visible: no
// metadata, no object under a key, and the next hull serves on.
for (const blob of blobBackends()) {
  describe(`kill -9 during an upload with ${blob} files`, () => {
    let ctx;
    before(async () => {
      ctx = await startHull("sqlite", blob, { HULL_MAX_UPLOAD_BYTES: String(1 << 30) });
    });
    after(async () => {
      await stopHull(ctx);
    });

    it("leaves no visible half-file", async () => {
      const url = new URL(await ctx.client.mutation("messages:generateUploadUrl", {}));
      let sent = 0;
      const chunk = randomBytes(1 << 20);
      const died = new Promise((resolve) => {
        const req = request(url, { method: "POST", headers: { "Content-Type": "application/octet-stream" } });
        req.on("error", resolve);
        req.on("response", (res) => resolve(new Error(`unexpected answer ${res.statusCode}`)));
        const pump = () => {
          // 12 MiB in, more than two S3 parts, then kill the server.
          if (sent >= 12 << 20) return;
          sent += chunk.length;
          if (req.write(chunk)) setImmediate(pump);
          else req.once("drain", pump);
        };
        pump();
      });
      await eventually(() => sent >= 12 << 20, "12 MiB are sent");
      await sleep(300);
      await ctx.hull.stop("SIGKILL");
      const err = await died;
      assert.ok(err instanceof Error);
      await ctx.hull.start();
      assert.equal(await ctx.client.query("files:count", {}), 0);
      assert.deepEqual(await storedKeys(ctx), []);
      const { status } = await upload(ctx, Buffer.from("after the crash"));
      assert.equal(status, 200);
      assert.equal((await storedKeys(ctx)).length, 1);
    });
  });
}

// A missing bucket or refused credentials: hull says so at start, on
// /healthz and to requests, with a hint, and serves once the bucket exists.
if (s3Server()) {
  describe("file storage with a misconfigured bucket", () => {
    const server = s3Server();
    const cases = [
      { name: "a missing bucket", env: (b) => hullEnv(server, `${b}-missing`, ""), hint: /does not exist.*S3_STORAGE_FILES_BUCKET/ },
      { name: "a wrong secret", env: (b) => ({ ...hullEnv(server, b, ""), AWS_SECRET_ACCESS_KEY: "wrong-secret" }), hint: /refused the credentials.*AWS_SECRET_ACCESS_KEY/ },
    ];
    let bucket;
    before(async () => {
      bucket = await newBucket(server);
    });
    after(async () => {
      await dropBucket(server, bucket);
    });
    for (const c of cases) {
      it(`${c.name} is reported at start with a hint`, async () => {
        const dataDir = await mkdtemp(join(tmpdir(), "hull-e2e-"));
        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        const env = { ...process.env, HULL_LOG_LEVEL: "warn", HULL_READY_WAIT: "1s", ...c.env(bucket) };
        let output = "";
        const proc = spawn(await hullBin(), ["serve", "--interface", "127.0.0.1", "--port", String(port), "--data-dir", dataDir], { env, stdio: ["ignore", "pipe", "pipe"] });
        proc.stdout.on("data", (d) => (output += d));
        proc.stderr.on("data", (d) => (output += d));
        const exited = new Promise((res) => proc.once("exit", res));
        try {
          let health;
          await eventually(async () => {
            try {
              health = await (await fetch(`${url}/healthz`)).json();
            } catch {
              return false;
            }
            return health.status === "unavailable";
          }, "/healthz reports the storage unavailable");
          assert.match(health.hint, c.hint);
          const r = await fetch(`${url}/api/query`, { method: "POST", body: "{}" });
          assert.equal(r.status, 503);
          assert.match((await r.json()).message, c.hint);
          assert.match(output, c.hint);
        } finally {
          proc.kill("SIGKILL");
          await exited;
          await rm(dataDir, { recursive: true, force: true });
        }
      });
    }
  });
}
