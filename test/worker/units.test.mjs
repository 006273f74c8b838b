// The Worker's pure pieces, case by case: routing on both backends, the
// sleep decision, the container environment each image gets, settings
// checks, and admin keys minted and checked in TypeScript against Convex's
// published keys and a real hull.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { kitUnits, Hull, secretOf } from "./lib/kit.mjs";

let k;
before(async () => {
  k = await kitUnits();
});

describe("routing", () => {
  const cases = [
    ["hull", "/", "root"],
    ["hull", "/api/query", "forward:backend"],
    ["hull", "/api/1.48.0/sync", "forward:backend"],
    ["hull", "/api/storage/upload", "forward:backend"],
    ["hull", "/http", "forward:backend"],
    ["hull", "/http/hook", "forward:backend"],
    ["hull", "/dashboard", "forward:backend"],
    ["hull", "/dashboard/data", "forward:backend"],
    ["hull", "/version", "forward:backend"],
    ["hull", "/healthz", "probe:backend"],
    ["hull", "/readyz", "probe:backend"],
    ["hull", "/metrics", "probe:backend"],
    ["hull", "/_hull/status", "status"],
    ["hull", "/apiary", "not_found"],
    ["hull", "/dashboards", "not_found"],
    ["hull", "/.env", "not_found"],
    ["convex", "/api/query", "forward:backend"],
    ["convex", "/http/hook", "forward:backend"],
    ["convex", "/version", "forward:backend"],
    ["convex", "/healthz", "probe:backend"],
    ["convex", "/dashboard", "not_found"],
  ];
  for (const [backend, path, want] of cases) {
    it(`${backend}: ${path} is ${want}`, () => {
      const r = k.route(backend, new URL(`https://d.example${path}`));
      assert.equal(r.kind + (r.service ? `:${r.service}` : ""), want);
    });
  }
  it("convex: every path on DASHBOARD_HOST goes to the dashboard container", () => {
    for (const path of ["/", "/api/current_deployment", "/data", "/_next/static/x.js"]) {
      const r = k.route("convex", new URL(`https://dash.example${path}`), "dash.example");
      assert.deepEqual([r.kind, r.service], ["forward", "dashboard"], path);
    }
  });
  it("convex: /dashboard redirects to DASHBOARD_HOST when it is set", () => {
    assert.deepEqual(k.route("convex", new URL("https://api.example/dashboard"), "dash.example"), { kind: "redirect", location: "https://dash.example/" });
  });
});

describe("the sleep decision", () => {
  const now = 1_000_000_000;
  const knobs = { sleepAfterMs: 300_000, wakeLeadMs: 15_000 };
  const cases = [
    ["nothing scheduled: sleep without an alarm", { kind: "known", nextDueMs: null }, "sleep", null],
    ["a job in an hour: sleep, wake WAKE_LEAD before it", { kind: "known", nextDueMs: now + 3_600_000 }, "sleep", now + 3_600_000 - 15_000],
    ["a job within SLEEP_AFTER: stay", { kind: "known", nextDueMs: now + 60_000 }, "stay", null],
    ["a job overdue: stay", { kind: "known", nextDueMs: now - 5_000 }, "stay", null],
    ["a job running: stay", { kind: "known", nextDueMs: null, running: 1 }, "stay", null],
    ["a job just past the window: the alarm is never in the past", { kind: "known", nextDueMs: now + 300_001 }, "sleep", now + 300_001 - 15_000],
    ["no next-due endpoint: stay", { kind: "unsupported", message: "404" }, "stay", null],
    ["the endpoint failed: stay", { kind: "error", message: "503" }, "stay", null],
  ];
  for (const [name, nd, decision, wakeAt] of cases) {
    it(name, () => {
      const p = k.decide(nd, now, knobs);
      assert.equal(p.decision, decision);
      assert.equal(p.wakeAt, wakeAt);
      assert.ok(p.reason.length > 0);
    });
  }
});

describe("the container's environment", () => {
  const env = {
    INSTANCE_NAME: "prod",
    INSTANCE_SECRET: "ab".repeat(32),
    DATABASE_URL: "postgres://u:p@db.example/prod",
    S3_STORAGE_FILES_BUCKET: "files",
    S3_ENDPOINT_URL: "https://acc.r2.cloudflarestorage.com",
    AWS_ACCESS_KEY_ID: "id",
    AWS_SECRET_ACCESS_KEY: "key",
    HULL_MAX_CONCURRENT_QUERIES: "8",
    GOMEMLIMIT: "800MiB",
    SLEEP_AFTER: "5m",
    MAX_REQUEST_BYTES: "10",
    HULL_DEV_URL: "http://127.0.0.1:1",
    CONTAINER: {},
  };
  it("hull gets its secrets, storage, the public origin, production mode and trusts the Worker's hop", () => {
    const e = k.hullProfile.containerEnv(env, "https://api.example");
    for (const key of ["INSTANCE_NAME", "INSTANCE_SECRET", "DATABASE_URL", "S3_STORAGE_FILES_BUCKET", "S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "HULL_MAX_CONCURRENT_QUERIES", "GOMEMLIMIT"]) {
      assert.equal(e[key], env[key], key);
    }
    assert.equal(e.PUBLIC_ORIGIN, "https://api.example");
    assert.equal(e.HULL_TRUSTED_PROXIES, "0.0.0.0/0,::/0");
    assert.equal(e.HULL_PRODUCTION, "1");
    assert.equal(e.PORT, "3210");
    for (const key of ["SLEEP_AFTER", "MAX_REQUEST_BYTES", "HULL_DEV_URL", "CONTAINER"]) assert.equal(e[key], undefined, `${key} is the Worker's own`);
  });
  it("the stock backend gets POSTGRES_URL, both origins and R2-safe S3 settings", () => {
    const e = k.convexProfile.containerEnv({ ...env, DATABASE_URL: "postgres://u:p@db.example/" }, "https://api.example");
    assert.equal(e.POSTGRES_URL, "postgres://u:p@db.example");
    assert.equal(e.CONVEX_CLOUD_ORIGIN, "https://api.example");
    assert.equal(e.CONVEX_SITE_ORIGIN, "https://api.example/http");
    assert.deepEqual([e.AWS_REGION, e.AWS_S3_FORCE_PATH_STYLE, e.AWS_S3_DISABLE_SSE, e.AWS_S3_DISABLE_CHECKSUMS], ["auto", "true", "true", "true"]);
    assert.equal(e.DISABLE_BEACON, "true");
    assert.equal(e.GOMEMLIMIT, undefined);
  });
  it("the stock dashboard is told the API's origin", () => {
    assert.deepEqual(k.dashboardProfile.containerEnv({ PUBLIC_ORIGIN: "https://api.example" }, ""), { NEXT_PUBLIC_DEPLOYMENT_URL: "https://api.example" });
  });
});

describe("settings", () => {
  const ok = { INSTANCE_NAME: "prod", INSTANCE_SECRET: "ab".repeat(32), DATABASE_URL: "postgresql://u:p@db.example:5432/prod?sslmode=require" };
  it("a complete hull deployment has no problems", () => {
    assert.deepEqual(k.checkSettings(ok, "hull"), []);
  });
  it("the stock backend needs all five buckets and R2 credentials", () => {
    const names = k.checkSettings({ ...ok, DATABASE_URL: "postgres://u:p@db.example" }, "convex").map((p) => p.setting);
    assert.deepEqual(names.sort(), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "S3_ENDPOINT_URL", "S3_STORAGE_EXPORTS_BUCKET", "S3_STORAGE_FILES_BUCKET",
      "S3_STORAGE_MODULES_BUCKET", "S3_STORAGE_SEARCH_BUCKET", "S3_STORAGE_SNAPSHOT_IMPORTS_BUCKET"]);
  });
  it("durations read as wrangler vars are written", () => {
    assert.deepEqual(["250ms", "30s", "5m", "1h", "2", "0", "soon"].map(k.parseDuration), [250, 30_000, 300_000, 3_600_000, 2000, null, null]);
  });
  it("versions compare numerically", () => {
    assert.equal(k.compareVersions("0.10.0", "0.9.1"), 1);
    assert.equal(k.compareVersions("0.1.0", "0.1.0-rc.1"), 0);
  });
});

describe("admin keys in TypeScript", () => {
  // Convex's published development secret and the keys it mints.
  const devSecret = "4361726e697461732c206c69746572616c6c79206d65616e696e6720226c6974";
  const devAdminKey = "0135d8598650f8f5cb0f30c34ec2e2bb62793bc28717c8eb6fb577996d50be5f4281b59181095065c5d0f86a2c31ddbe9b597ec62b47ded69782cd";
  const devSystemKey = "carnitas|01ec1dc4339bc4a2c653e70016b1e1dea952bcfd707a0cd49c1bddcdfcd4d4a79bb2d6bdfa2f1493a1937cdb71e984c4a7";
  let hull;

  before(async () => {
    hull = await Hull.create("sqlite");
  });
  after(async () => {
    await hull?.destroy();
  });

  it("Convex's published keys open with its published secret", () => {
    assert.equal(k.checkAdminKey(devAdminKey, "carnitas", devSecret)?.instanceName, "carnitas");
    assert.equal(k.checkAdminKey(devSystemKey, "carnitas", devSecret)?.instanceName, "carnitas");
    assert.equal(k.checkAdminKey(`prod:${devSystemKey}`, "carnitas", devSecret)?.instanceName, "carnitas");
  });

  it("keys for another instance, with another secret, or altered are refused", () => {
    const other = "00".repeat(32);
    assert.equal(k.checkAdminKey(devSystemKey, "tacos", devSecret), null);
    assert.equal(k.checkAdminKey(devSystemKey, "carnitas", other), null);
    const flipped = devSystemKey.slice(0, -1) + (devSystemKey.endsWith("7") ? "8" : "7");
    assert.equal(k.checkAdminKey(flipped, "carnitas", devSecret), null);
    for (const junk of ["", "|", "carnitas|", "carnitas|zz", "carnitas|01", "x".repeat(10_000)]) assert.equal(k.checkAdminKey(junk, "carnitas", devSecret), null, junk);
  });

  it("a key minted with a fixed nonce and time is stable", () => {
    const a = k.issueAdminKeyAt("carnitas", devSecret, 1700000000, new Uint8Array(24));
    assert.equal(a, k.issueAdminKeyAt("carnitas", devSecret, 1700000000, new Uint8Array(24)));
    assert.deepEqual(k.checkAdminKey(a, "carnitas", devSecret), { instanceName: "carnitas", issuedSeconds: 1700000000 });
  });

  it("hull accepts a key the Worker mints, and the Worker accepts hull's", async () => {
    const secret = await secretOf(hull);
    const key = k.issueAdminKey(hull.instanceName, secret);
    const r = await fetch(`${hull.url}/api/hull/next_due`, { headers: { Authorization: `Convex ${key}` } });
    assert.equal(r.status, 200, await r.clone().text());
    assert.deepEqual(await r.json(), { nextDueMs: null });
    assert.equal(k.checkAdminKey(hull.adminKey, hull.instanceName, secret)?.instanceName, hull.instanceName);
    const bad = await fetch(`${hull.url}/api/hull/next_due`, { headers: { Authorization: `Convex ${k.issueAdminKey(hull.instanceName, "00".repeat(32))}` } });
    assert.equal(bad.status, 401);
  });
});
