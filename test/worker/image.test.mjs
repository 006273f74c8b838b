// The container image, proven without Docker: hull built with the
// Dockerfile's own command is a static binary that needs nothing but
// itself, CA certificates and /tmp. It runs in a root holding only those,
// as the image's nonroot user, with the environment the Durable Object
// passes; the official CLI deploys to it, clients query it, SIGTERM stops
// it cleanly, and a restart answers its first query quickly.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import { promisify } from "node:util";
import { App, hullBin, kitUnits, ConvexHttpClient, anyApi } from "./lib/kit.mjs";
import { buildAsTheImageDoes, dockerfile, emptyRoot, firstQuery, removeRoot, startInRoot, waitReady } from "./lib/emptyroot.mjs";

const run = promisify(execFile);

// elfInterpreter reports whether an ELF executable asks for a dynamic
// loader (a PT_INTERP program header): a static binary has none.
async function elfInterpreter(path) {
  const f = await open(path);
  try {
    const { buffer: h } = await f.read(Buffer.alloc(64), 0, 64, 0);
    if (h.toString("latin1", 0, 4) !== "\x7fELF" || h[4] !== 2) throw new Error("not a 64-bit ELF file");
    const phoff = Number(h.readBigUInt64LE(32));
    const phentsize = h.readUInt16LE(54);
    const phnum = h.readUInt16LE(56);
    const { buffer: ph } = await f.read(Buffer.alloc(phentsize * phnum), 0, phentsize * phnum, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3) return true;
    return false;
  } finally {
    await f.close();
  }
}

function postgresURL() {
  if (!process.env.HULL_TEST_POSTGRES_URL) return undefined;
  const u = new URL(process.env.HULL_TEST_POSTGRES_URL);
  u.pathname = "/";
  u.search = "";
  return u.toString();
}

describe("the container image, without Docker", () => {
  let image, root, env, adminKey, app, p;
  const storage = process.env.HULL_TEST_POSTGRES_URL ? "PostgreSQL" : "SQLite in /tmp";

  before(async () => {
    image = await buildAsTheImageDoes();
    root = await emptyRoot(image.bin);
    const k = await kitUnits();
    const instance = `image-${randomBytes(4).toString("hex")}`;
    const secret = randomBytes(32).toString("hex");
    const vars = { INSTANCE_NAME: instance, INSTANCE_SECRET: secret, DATABASE_URL: postgresURL(), DO_NOT_REQUIRE_SSL: "1" };
    for (const [key, v] of Object.entries(vars)) if (v === undefined) delete vars[key];
    // The environment the Durable Object starts the container with.
    env = { PATH: "/usr/local/bin", ...k.hullProfile.containerEnv(vars, "") };
    const { stdout } = await run(await hullBin(), ["keys", "admin"], { env: { INSTANCE_NAME: instance, INSTANCE_SECRET: secret } });
    adminKey = stdout.trim();
  });

  after(async () => {
    await p?.stop("SIGKILL");
    await app?.destroy();
    if (root) await removeRoot(root);
    if (image) await removeRoot(image.dir);
  });

  it("the Dockerfile builds a static linux/amd64 binary", async (t) => {
    const d = await dockerfile();
    assert.match(image.command, /^CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build /);
    assert.equal(await elfInterpreter(image.bin), false, "the binary asks for a dynamic loader");
    assert.deepEqual(d.expose, ["3210"], "the image exposes one port");
    assert.equal(d.env.HULL_PRODUCTION, "1");
    assert.equal(d.user, "nonroot:nonroot");
    assert.match(d.base, /^gcr\.io\/distroless\/static-debian12:nonroot$/);
    t.diagnostic(`binary ${(image.bytes / 2 ** 20).toFixed(1)} MiB (gzip ${(image.gzipBytes / 2 ** 20).toFixed(1)} MiB), built in ${image.seconds.toFixed(0)} s by: ${image.command}`);
  });

  it(`runs in a root holding only the binary, CA certificates and /tmp, as the nonroot user (${storage})`, async () => {
    p = await startInRoot(root, env);
    await waitReady(p);
    app = await App.create("live", { url: p.url, adminKey });
    await app.deploy();
    const c = new ConvexHttpClient(p.url);
    await c.mutation(anyApi.counters.inc, { name: "image" });
    assert.equal(await c.query(anyApi.counters.get, { name: "image" }), 1);
    const v = await fetch(`${p.url}/version`);
    assert.ok(v.headers.get("X-Hull-Version"));
    // Production mode from the Dockerfile's ENV: a failing function shows
    // callers without an admin key only the redacted error.
    const logs = p.output.split("\n").filter((l) => l.startsWith("{"));
    assert.ok(logs.length > 0 && logs.every((l) => JSON.parse(l)), "the log is JSON lines (HULL_LOG_FORMAT=json)");
  });

  it("stops cleanly on SIGTERM", async () => {
    const { code, signal } = await p.stop("SIGTERM");
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, p.output);
    assert.match(p.output, /"msg":"stopped"/);
  });

  it("starts again and answers its first query", async (t) => {
    p = await startInRoot(root, env);
    const { ms, value } = await firstQuery(p, JSON.stringify({ path: "counters:get", args: { name: "image" }, format: "json" }));
    assert.equal(value.value, 1, "the data survived the restart");
    t.diagnostic(`cold start to the first query in the empty root: ${ms.toFixed(0)} ms (${storage})`);
    await p.stop("SIGTERM");
  });
});
