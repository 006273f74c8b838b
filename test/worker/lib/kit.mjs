// Harness for the Cloudflare kit's tests: bundles the Worker from
// deploy/cloudflare/src as wrangler would, runs it in Miniflare (workerd)
// with the development stand-in (DevBackend) bound where the container
// Durable Object would be, in front of a real hull started by the e2e
// harness, and loads the official convex client from test/e2e.
import { createRequire } from "node:module";
import { cp, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { App, freePort, repoRoot, e2eDir } from "../../e2e/lib/hull.mjs";

export { Hull, App, backends, freePort, repoRoot, e2eDir, hullBin } from "../../e2e/lib/hull.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const workerDir = resolve(here, "..");
export const kitDir = resolve(repoRoot, "deploy/cloudflare");

/** Packages of the kit's npm project (deploy/cloudflare, pinned by its lock file). */
export const kitRequire = createRequire(join(kitDir, "package.json"));
/** The official convex client (test/e2e, pinned 1.48.0). */
export const convexRequire = createRequire(join(e2eDir, "package.json"));
export const { ConvexHttpClient, ConvexClient } = convexRequire("convex/browser");
export const { anyApi } = convexRequire("convex/server");

const bundled = new Map();
/** Bundles the Worker (or another entry) once per process; returns {dir, file}. */
export async function bundle(entry = join(kitDir, "src/index.ts")) {
  if (!bundled.has(entry)) {
    const esbuild = kitRequire("esbuild");
    const dir = await mkdtemp(join(tmpdir(), "hull-worker-"));
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      mainFields: ["module", "main"],
      conditions: ["workerd", "worker", "browser"],
      external: ["cloudflare:*"],
      outfile: join(dir, "worker.mjs"),
      logLevel: "warning",
    });
    bundled.set(entry, { dir, file: join(dir, "worker.mjs") });
  }
  return bundled.get(entry);
}

let units;
/** The Worker's pure modules (no cloudflare:* imports), bundled for Node. */
export async function kitUnits() {
  if (!units) {
    const esbuild = kitRequire("esbuild");
    const dir = await mkdtemp(join(tmpdir(), "hull-worker-units-"));
    const file = join(dir, "units.mjs");
    await esbuild.build({
      stdin: {
        contents: ["adminkey", "deployment", "profiles", "routes", "settings", "version"].map((m) => `export * from "./${m}";`).join("\n"),
        resolveDir: join(kitDir, "src"),
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "node",
      outfile: file,
      logLevel: "warning",
    });
    units = await import(file);
  }
  return units;
}

/** The compatibility date the kit's wrangler.jsonc sets. */
export async function compatibilityDate() {
  const text = await readFile(join(kitDir, "wrangler.jsonc"), "utf8");
  return /"compatibility_date":\s*"([^"]+)"/.exec(text)[1];
}

/** The instance secret of a hull from the e2e harness. */
export async function secretOf(hull) {
  if (hull.env.INSTANCE_SECRET) return hull.env.INSTANCE_SECRET;
  return (await readFile(join(hull.dataDir, "credentials", "instance_secret"), "utf8")).trim();
}

/**
 * A Worker in Miniflare. vars are its wrangler vars and secrets; a hull
 * given as `hull` fills INSTANCE_NAME, INSTANCE_SECRET and HULL_DEV_URL.
 */
export class Worker {
  /**
   * realContainer runs the production Backend class (on
   * @cloudflare/containers) with a stand-in for workerd's container
   * runtime (lib/fake-container.ts) instead of the DevBackend stand-in.
   */
  static async start({ hull, url, vars = {}, sleepAfter = "1h", port, dashboard = false, realContainer = false } = {}) {
    const { Miniflare } = kitRequire("miniflare");
    const b = await bundle(realContainer ? join(here, "fake-container.ts") : undefined);
    port ??= await freePort();
    const bindings = { BACKEND: "hull", SLEEP_AFTER: sleepAfter, COLD_START_TIMEOUT: "3s", ...vars };
    if (hull) {
      bindings.INSTANCE_NAME ??= hull.instanceName;
      bindings.INSTANCE_SECRET ??= await secretOf(hull);
      bindings.HULL_DEV_URL ??= url ?? hull.url;
    }
    for (const [k, v] of Object.entries(bindings)) if (v === undefined) delete bindings[k];
    const w = new Worker();
    w.logs = [];
    w.mf = new Miniflare({
      modules: true,
      modulesRoot: b.dir,
      scriptPath: b.file,
      compatibilityDate: await compatibilityDate(),
      durableObjects: {
        CONTAINER: { className: realContainer ? "FakeRuntimeBackend" : "DevBackend", useSQLite: true },
        ...(dashboard ? { DASHBOARD_CONTAINER: { className: "DevDashboard", useSQLite: true } } : {}),
      },
      bindings,
      // No Request.cf download from Cloudflare: the fallback object does.
      cf: false,
      host: "127.0.0.1",
      port,
      handleRuntimeStdio(stdout, stderr) {
        for (const stream of [stdout, stderr]) {
          stream.setEncoding("utf8");
          stream.on("data", (d) => {
            w.logs.push(d);
            if (process.env.HULL_WORKER_LOGS) process.stderr.write(d);
          });
        }
      },
    });
    const ready = await w.mf.ready;
    w.url = ready.origin;
    return w;
  }

  async fetch(path, init) {
    return await fetch(new URL(path, this.url), init);
  }

  /** GET /_hull/status with an admin key. */
  async status(adminKey) {
    const r = await this.fetch("/_hull/status", { headers: { Authorization: `Convex ${adminKey}` } });
    if (r.status !== 200) throw new Error(`/_hull/status: ${r.status} ${await r.text()}`);
    return await r.json();
  }

  /** The container runtime stand-in's record (realContainer only). */
  async fakeContainer() {
    return await (await this.fetch("/__fake_container")).json();
  }

  async dispose() {
    await this.mf?.dispose();
  }
}

/** A temp copy of a fixture app of test/worker/fixtures, wired to hull. */
export async function workerFixture(name, hull) {
  const dir = await mkdtemp(join(tmpdir(), `hull-app-${name}-`));
  await cp(join(workerDir, "fixtures", name), dir, { recursive: true });
  await symlink(join(e2eDir, "node_modules"), join(dir, "node_modules"));
  return Object.assign(new App(), { dir, hull });
}

/** An App (test/e2e fixture copy) whose CLI talks to url instead of its hull. */
export function through(app, url) {
  const env = app.env.bind(app);
  app.env = () => ({ ...env(), CONVEX_SELF_HOSTED_URL: url });
  return app;
}

/** Waits until ok() holds, polling; rejects with what after timeout. */
export async function eventually(ok, what, timeout = 15_000, every = 100) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await ok();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

/** The first value of a subscription that satisfies ok. */
export function waitFor(client, query, args, ok, what, timeout = 15_000) {
  return new Promise((resolve, reject) => {
    let last;
    const t = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}`));
    }, timeout);
    const unsubscribe = client.onUpdate(query, args, (v) => {
      last = v;
      if (ok(v)) {
        clearTimeout(t);
        unsubscribe();
        resolve(v);
      }
    });
  });
}

export async function removeDir(dir) {
  await rm(dir, { recursive: true, force: true });
}
