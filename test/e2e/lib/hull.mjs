// Test harness: builds and starts a real hull process on a free loopback
// port (SQLite in a temp dir, or PostgreSQL from HULL_TEST_POSTGRES_URL),
// and deploys fixture apps into temp copies with the official CLI.
import { spawn, execFile } from "node:child_process";
import { mkdtemp, cp, symlink, rm, writeFile, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
export const e2eDir = resolve(here, "..");
export const repoRoot = resolve(e2eDir, "../..");

let builtBin;
export async function hullBin() {
  if (process.env.HULL_BIN) return process.env.HULL_BIN;
  if (!builtBin) {
    const out = join(await mkdtemp(join(tmpdir(), "hull-bin-")), "hull");
    await run("go", ["build", "-o", out, "./cmd/hull"], { cwd: repoRoot, env: { ...process.env, CGO_ENABLED: "0" } });
    builtBin = out;
  }
  return builtBin;
}

export async function freePort() {
  return await new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

// backends lists the storage backends the suite runs against. PostgreSQL is
// mandatory unless HULL_TEST_POSTGRES=off is set explicitly.
export function backends() {
  const out = ["sqlite"];
  if (process.env.HULL_TEST_POSTGRES_URL) out.push("postgres");
  else if (process.env.HULL_TEST_POSTGRES !== "off") {
    throw new Error("HULL_TEST_POSTGRES_URL is not set: run the suite with `make test` (it starts PostgreSQL), or set HULL_TEST_POSTGRES=off for a local SQLite-only run.");
  }
  return out;
}

function postgresBaseURL() {
  const u = new URL(process.env.HULL_TEST_POSTGRES_URL);
  u.pathname = "/";
  u.search = "";
  return u.toString();
}

// Hull is one running hull process.
export class Hull {
  constructor(opts) {
    this.backend = opts.backend;
    this.dataDir = opts.dataDir;
    this.instanceName = opts.instanceName;
    this.env = opts.env;
    this.port = opts.port;
    this.url = `http://127.0.0.1:${opts.port}`;
    this.proc = null;
    this.output = "";
  }

  static async create(backend, extraEnv = {}) {
    const dataDir = await mkdtemp(join(tmpdir(), "hull-e2e-"));
    const instanceName = `e2e-${randomBytes(4).toString("hex")}`;
    const env = { ...process.env, INSTANCE_NAME: instanceName, HULL_LOG_LEVEL: "warn", ...extraEnv };
    delete env.CONVEX_SELF_HOSTED_URL;
    delete env.CONVEX_SELF_HOSTED_ADMIN_KEY;
    if (backend === "postgres") {
      // A test may bring its own server (extraEnv.DATABASE_URL).
      env.DATABASE_URL = extraEnv.DATABASE_URL ?? postgresBaseURL();
      env.DO_NOT_REQUIRE_SSL = "1";
      env.INSTANCE_SECRET = randomBytes(32).toString("hex");
    }
    const h = new Hull({ backend, dataDir, instanceName, env, port: await freePort() });
    await h.start();
    h.adminKey = await h.keysAdmin();
    return h;
  }

  args() {
    return ["serve", "--interface", "127.0.0.1", "--port", String(this.port), "--data-dir", this.dataDir];
  }

  async start() {
    const bin = await hullBin();
    this.proc = spawn(bin, this.args(), { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
    this.proc.stdout.on("data", (d) => (this.output += d));
    this.proc.stderr.on("data", (d) => (this.output += d));
    this.exited = new Promise((res) => this.proc.once("exit", (code, signal) => res({ code, signal })));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        const r = await fetch(`${this.url}/readyz`);
        if (r.ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`hull did not become ready:\n${this.output}`);
  }

  async keysAdmin() {
    const bin = await hullBin();
    const { stdout } = await run(bin, ["keys", "admin", "--data-dir", this.dataDir], { env: this.env });
    return stdout.trim().split("\n").pop().trim();
  }

  async stop(signal = "SIGTERM") {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill(signal);
    await this.exited;
  }

  async destroy() {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

// App is a temp copy of a fixture app wired to a hull instance.
export class App {
  static async create(fixture, hull) {
    const dir = await mkdtemp(join(tmpdir(), `hull-app-${fixture}-`));
    await cp(join(e2eDir, "fixtures", fixture), dir, { recursive: true });
    await symlink(join(e2eDir, "node_modules"), join(dir, "node_modules"));
    const app = new App();
    app.dir = dir;
    app.hull = hull;
    return app;
  }

  env() {
    const env = { ...process.env, CONVEX_SELF_HOSTED_URL: this.hull.url, CONVEX_SELF_HOSTED_ADMIN_KEY: this.hull.adminKey, CI: "1" };
    delete env.CONVEX_DEPLOYMENT;
    return env;
  }

  // convex runs the official CLI in the app dir; it resolves with
  // {code, stdout, stderr} and never throws on a non-zero exit.
  // onOutput, when given, sees stdout as it arrives and may return true to
  // end the command early (for commands such as run --watch).
  async convex(args, { timeout = 120_000, onOutput } = {}) {
    const cli = join(e2eDir, "node_modules", "convex", "bin", "main.js");
    return await new Promise((res) => {
      const p = spawn(process.execPath, [cli, ...args], { cwd: this.dir, env: this.env(), stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "", stderr = "";
      p.stdout.on("data", (d) => {
        stdout += d;
        if (onOutput?.(stdout)) p.kill("SIGTERM");
      });
      p.stderr.on("data", (d) => (stderr += d));
      const t = setTimeout(() => p.kill("SIGKILL"), timeout);
      p.once("exit", (code) => {
        clearTimeout(t);
        res({ code, stdout, stderr });
      });
    });
  }

  async deploy(extra = []) {
    const r = await this.convex(["deploy", "-y", "--typecheck", "disable", ...extra]);
    if (r.code !== 0) throw new Error(`convex deploy failed (${r.code}):\n${r.stdout}\n${r.stderr}\nhull:\n${this.hull.output}`);
    return r;
  }

  async write(rel, text) {
    await writeFile(join(this.dir, rel), text);
  }

  async read(rel) {
    return await readFile(join(this.dir, rel), "utf8");
  }

  async destroy() {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * subscribeUntil resolves with the first value of a subscription that
 * satisfies ok (a generous deadline; nothing asserts how long it took).
 */
export function subscribeUntil(client, query, args, ok, what, timeout = 15_000) {
  return new Promise((resolve, reject) => {
    let last;
    const t = setTimeout(() => {
      unsubscribe();
      const shown = JSON.stringify(last, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
      reject(new Error(`timed out waiting for ${what}; last value ${shown}`));
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

/**
 * poll calls fn until it returns something truthy and returns that (a
 * generous deadline; nothing asserts how long it took).
 */
export async function poll(what, fn, timeoutMs = 30_000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
