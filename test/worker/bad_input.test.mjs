// What the Worker refuses before anything reaches the container: a
// deployment missing its secrets or with a bad DATABASE_URL (a 503 naming
// the setting, never quoting a secret), oversized bodies, and paths that
// are not the deployment's; and what it answers when the container
// stops answering.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Hull, Worker, ConvexHttpClient, anyApi, App, through } from "./lib/kit.mjs";

const SECRET = "4361726e697461732c206c69746572616c6c79206d65616e696e6720226c6974";
const DB_PASSWORD = "s3cr3t-pw-do-not-leak";

// A production-shaped Worker (no development stand-in): settings are
// checked before the Durable Object is reached.
const prod = {
  INSTANCE_NAME: "bad-input",
  INSTANCE_SECRET: SECRET,
  DATABASE_URL: `postgres://hull:${DB_PASSWORD}@db.example.com/hull`,
};

async function misconfigured(vars, path = "/api/query") {
  const w = await Worker.start({ vars });
  try {
    const r = await w.fetch(path, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    return { status: r.status, retryAfter: r.headers.get("Retry-After"), text: await r.text(), hull: r.headers.get("X-Hull-Version") };
  } finally {
    await w.dispose();
  }
}

describe("a deployment missing its settings", () => {
  const cases = [
    { name: "no INSTANCE_SECRET", vars: { ...prod, INSTANCE_SECRET: undefined }, setting: "INSTANCE_SECRET", hint: "wrangler secret put INSTANCE_SECRET" },
    { name: "a malformed INSTANCE_SECRET", vars: { ...prod, INSTANCE_SECRET: "not-hex-" + DB_PASSWORD }, setting: "INSTANCE_SECRET", hint: "openssl rand -hex 32" },
    { name: "no DATABASE_URL", vars: { ...prod, DATABASE_URL: undefined }, setting: "DATABASE_URL", hint: "wrangler secret put DATABASE_URL" },
    { name: "a DATABASE_URL that is not PostgreSQL", vars: { ...prod, DATABASE_URL: `mysql://root:${DB_PASSWORD}@db/x` }, setting: "DATABASE_URL", hint: "postgres://" },
    { name: "a DATABASE_URL that is no URL", vars: { ...prod, DATABASE_URL: `${DB_PASSWORD} at db.example.com` }, setting: "DATABASE_URL", hint: "postgres://" },
    { name: "no INSTANCE_NAME", vars: { ...prod, INSTANCE_NAME: undefined }, setting: "INSTANCE_NAME", hint: "wrangler.jsonc" },
    { name: "a files bucket without R2 credentials", vars: { ...prod, S3_STORAGE_FILES_BUCKET: "files", S3_ENDPOINT_URL: "https://<ACCOUNT_ID>.r2.cloudflarestorage.com" }, setting: "AWS_ACCESS_KEY_ID", hint: "R2 API token" },
    { name: "a placeholder R2 endpoint", vars: { ...prod, S3_STORAGE_FILES_BUCKET: "files", S3_ENDPOINT_URL: "https://<ACCOUNT_ID>.r2.cloudflarestorage.com", AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: DB_PASSWORD }, setting: "S3_ENDPOINT_URL", hint: "account id" },
    { name: "a SLEEP_AFTER that is no duration", vars: { ...prod, SLEEP_AFTER: "soon" }, setting: "SLEEP_AFTER", hint: "duration" },
    { name: "an unknown BACKEND", vars: { ...prod, BACKEND: "rust" }, setting: "BACKEND", hint: "hull or convex" },
    { name: "the stock backend with a database name in DATABASE_URL", vars: { ...prod, BACKEND: "convex" }, setting: "DATABASE_URL", hint: "without a path" },
  ];
  for (const c of cases) {
    it(`${c.name}: 503 naming ${c.setting}, no secret in the answer`, async () => {
      const r = await misconfigured(c.vars);
      assert.equal(r.status, 503, r.text);
      assert.equal(r.hull, null);
      assert.ok(Number(r.retryAfter) > 0);
      const body = JSON.parse(r.text);
      assert.equal(body.error, "Misconfigured");
      assert.ok(body.settings.includes(c.setting), `settings ${JSON.stringify(body.settings)} name ${c.setting}`);
      assert.match(body.message, new RegExp(c.setting));
      assert.ok(body.message.toLowerCase().includes(c.hint.toLowerCase()), `message ${JSON.stringify(body.message)} has the hint ${JSON.stringify(c.hint)}`);
      assert.equal(typeof body.retryAfter, "number");
      assert.ok(!r.text.includes(DB_PASSWORD), "the answer quotes a secret");
      assert.ok(!r.text.includes(SECRET), "the answer quotes the instance secret");
    });
  }

  it("every missing setting is named at once", async () => {
    const r = await misconfigured({ INSTANCE_NAME: "x" });
    assert.deepEqual(JSON.parse(r.text).settings.sort(), ["DATABASE_URL", "INSTANCE_SECRET"]);
  });

  it("paths outside the deployment are a 404 even when misconfigured", async () => {
    const r = await misconfigured({}, "/nope");
    assert.equal(r.status, 404);
  });
});

describe("requests the Worker refuses or answers for the container", () => {
  let hull, worker;

  before(async () => {
    hull = await Hull.create("sqlite");
    worker = await Worker.start({ hull, vars: { MAX_REQUEST_BYTES: "1000" } });
  });

  after(async () => {
    await worker?.dispose();
    await hull?.destroy();
  });

  it("a body over MAX_REQUEST_BYTES is refused with 413 before the container", async () => {
    const r = await worker.fetch("/api/query", { method: "POST", body: "x".repeat(1001), headers: { "content-type": "application/json" } });
    assert.equal(r.status, 413);
    assert.equal(r.headers.get("X-Hull-Version"), null);
    assert.equal((await r.json()).error, "PayloadTooLarge");
    const ok = await worker.fetch("/echo-is-not-routed", { method: "POST", body: "x" });
    assert.equal(ok.status, 404);
  });

  it("a streamed body of undeclared length is cut off at MAX_REQUEST_BYTES", async () => {
    // 1,200 bytes of valid JSON, streamed without a Content-Length.
    const json = JSON.stringify({ path: "nope:nope", args: { pad: "p".repeat(1150) } });
    const send = async (w) => {
      const bytes = new TextEncoder().encode(json);
      const chunks = [bytes.slice(0, 600), bytes.slice(600)];
      const body = new ReadableStream({
        pull(c) {
          const next = chunks.shift();
          if (next) c.enqueue(next);
          else c.close();
        },
      });
      const r = await w.fetch("/api/query", { method: "POST", body, duplex: "half", headers: { "content-type": "application/json" } }).catch((e) => e);
      return r instanceof Error ? { error: r } : { status: r.status, code: (await r.json().catch(() => ({}))).code };
    };
    const cut = await send(worker);
    // The Worker errors the stream past the limit: hull sees a body that
    // ends early (or the request fails outright), never the whole JSON.
    assert.ok(cut.error || cut.code === "BadJsonBody", `got ${JSON.stringify(cut)}`);
    // Under a large enough limit the same stream arrives whole.
    const roomy = await Worker.start({ hull, vars: { MAX_REQUEST_BYTES: "100000" } });
    try {
      const whole = await send(roomy);
      assert.ok(!whole.error && whole.code !== "BadJsonBody", `got ${JSON.stringify(whole)}`);
    } finally {
      await roomy.dispose();
    }
  });

  it("a body under the limit goes through", async () => {
    const r = await worker.fetch("/api/query", { method: "POST", body: JSON.stringify({ path: "nope:nope", args: {} }), headers: { "content-type": "application/json" } });
    assert.ok(r.headers.get("X-Hull-Version"));
    await r.body?.cancel();
  });
});

describe("when hull stops answering", () => {
  let hull, worker, app;

  before(async () => {
    hull = await Hull.create("sqlite");
    worker = await Worker.start({ hull, vars: { COLD_START_TIMEOUT: "1s" } });
    app = through(await App.create("live", hull), worker.url);
    await app.deploy();
  });

  after(async () => {
    await worker?.dispose();
    await app?.destroy();
    await hull?.destroy();
  });

  it("a request answers 503 with Retry-After, and the next works once hull is back", async () => {
    const c = new ConvexHttpClient(worker.url);
    await c.mutation(anyApi.counters.inc, { name: "o" });
    await hull.stop();

    const first = await worker.fetch("/api/query", { method: "POST", body: JSON.stringify({ path: "counters:get", args: { name: "o" } }), headers: { "content-type": "application/json" } });
    assert.equal(first.status, 503);
    assert.ok(Number(first.headers.get("Retry-After")) > 0);
    const b1 = await first.json();
    assert.equal(b1.error, "ContainerUnavailable");
    assert.equal(typeof b1.retryAfter, "number");

    // The stand-in now counts as stopped: the next request starts it, and
    // the start runs out of its budget (COLD_START_TIMEOUT).
    const second = await worker.fetch("/api/query", { method: "POST", body: JSON.stringify({ path: "counters:get", args: { name: "o" } }), headers: { "content-type": "application/json" } });
    assert.equal(second.status, 503);
    assert.equal((await second.json()).error, "ColdStartTimeout");
    assert.ok(Number(second.headers.get("Retry-After")) > 0);

    const health = await worker.fetch("/healthz");
    assert.equal(health.status, 200, "a stopped container is reported sleeping, not started");
    assert.equal((await health.json()).status, "sleeping");

    await hull.start();
    assert.equal(await c.query(anyApi.counters.get, { name: "o" }), 1);
    const s = await worker.status(hull.adminKey);
    assert.equal(s.lastStart.ok, true);
  });
});
