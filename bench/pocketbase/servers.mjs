// Servers of the PocketBase comparison: PocketBase built from its public
// module for this run only (stock, and a build whose SQLite syncs every
// commit), and hull with either JavaScript engine serving the fixture app.
import { spawn, execFile } from "node:child_process";
import { mkdtemp, mkdir, writeFile, cp, symlink, rm, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, e2eDir, repoRoot } from "../../test/e2e/lib/hull.mjs";

const run = promisify(execFile);
const here = new URL(".", import.meta.url).pathname;

// The pragmas of PocketBase's DefaultDBConnect (core/db_connect.go),
// synchronous(NORMAL) replaced by synchronous(FULL): with WAL, NORMAL syncs
// only at checkpoints, FULL syncs the log at every commit.
const fsyncMain = `package main

import (
	"log"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase"
)

const pragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
	"&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)"

func main() {
	app := pocketbase.NewWithConfig(pocketbase.Config{
		DBConnect: func(dbPath string) (*dbx.DB, error) { return dbx.Open("sqlite", dbPath+pragmas) },
	})
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
`;

function goEnv(extra = {}) {
  return { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=mod", ...extra };
}

// buildPocketBase builds PocketBase version twice into dir: the stock
// examples/base program, and a program that differs only in its DSN
// pragmas (synchronous=FULL). Nothing is written inside the repository.
// dir must not be under the system temp dir: PocketBase takes a binary
// there for "go run" and turns on its development mode (every SQL
// statement logged) and automatic migrations.
export async function buildPocketBase(version, dir) {
  const opts = { cwd: dir, env: goEnv({ GOBIN: join(dir, "stock") }), maxBuffer: 1 << 26 };
  await run("go", ["install", `github.com/pocketbase/pocketbase/examples/base@${version}`], opts);
  const src = join(dir, "fsync-src");
  await mkdir(src, { recursive: true });
  await writeFile(join(src, "go.mod"), `module pbfsync\n\ngo 1.24\n\nrequire github.com/pocketbase/pocketbase ${version}\n`);
  await writeFile(join(src, "main.go"), fsyncMain);
  const sopts = { cwd: src, env: goEnv(), maxBuffer: 1 << 26 };
  await run("go", ["mod", "tidy"], sopts);
  // tidy may move the pin; the build must be of the asked version.
  const mod = await readFile(join(src, "go.mod"), "utf8");
  if (!mod.includes(`github.com/pocketbase/pocketbase ${version}`)) throw new Error(`go mod tidy changed the PocketBase version:\n${mod}`);
  await run("go", ["build", "-o", join(dir, "fsync", "pocketbase"), "."], sopts);
  return { stock: join(dir, "stock", "base"), fsync: join(dir, "fsync", "pocketbase") };
}

// buildHull builds bin/hull (QuickJS) and, unless skipV8, bin/hull-v8 as
// the Makefile does without stripping. It returns the paths built; a V8
// build that fails is reported and left out.
export async function buildHull(skipV8) {
  const out = { quickjs: join(repoRoot, "bin", "hull") };
  await run("go", ["build", "-o", out.quickjs, "./cmd/hull"], { cwd: repoRoot, env: { ...process.env, CGO_ENABLED: "0" }, maxBuffer: 1 << 26 });
  if (skipV8) return out;
  const v8 = join(repoRoot, "bin", "hull-v8");
  try {
    await run("go", ["build", "-tags", "hull_v8", "-o", v8, "./cmd/hull"], { cwd: repoRoot, env: { ...process.env, CGO_ENABLED: "1" }, maxBuffer: 1 << 26 });
    out.v8 = v8;
  } catch (e) {
    console.error(`bench/pocketbase: the V8 build failed, its rows are left out:\n${e.stderr ?? e}`);
  }
  return out;
}

async function waitFor(url, ok, what, proc) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${what} exited (${proc.exitCode}):\n${proc.output}`);
    try {
      if (await ok(await fetch(url))) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} did not become ready:\n${proc.output}`);
}

// live holds the servers running, so that an interrupted run stops them.
const live = new Set();
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, () => {
    for (const p of live) p.kill("SIGKILL");
    process.exit(130);
  });
}

function spawnLogged(bin, args, env) {
  const p = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  live.add(p);
  p.once("exit", () => live.delete(p));
  p.output = "";
  p.stdout.on("data", (d) => (p.output = (p.output + d).slice(-20000)));
  p.stderr.on("data", (d) => (p.output = (p.output + d).slice(-20000)));
  p.exited = new Promise((res) => p.once("exit", res));
  return p;
}

async function stopProc(p) {
  if (!p || p.exitCode !== null) return;
  p.kill("SIGTERM");
  const t = setTimeout(() => p.kill("SIGKILL"), 10_000);
  await p.exited;
  clearTimeout(t);
}

async function json(r) {
  const text = await r.text();
  if (!r.ok) throw new Error(`${r.url}: ${r.status} ${text}`);
  return JSON.parse(text);
}

const EMAIL = "bench@example.com";
const PASSWORD = "bench-password-1234";

// PocketBase is one PocketBase process with a "posts" collection anyone
// may create records in and read.
export class PocketBase {
  constructor(name, bin) {
    this.name = name;
    this.bin = bin;
  }

  async start() {
    this.url = `http://127.0.0.1:${this.port}`;
    this.proc = spawnLogged(this.bin, ["serve", "--http", `127.0.0.1:${this.port}`, "--dir", this.data], process.env);
  }

  async setup() {
    // pb_data inside a dir of its own: PocketBase looks for pb_migrations
    // and pb_hooks beside its data dir.
    this.dir = await mkdtemp(join(tmpdir(), "hull-bench-pb-"));
    this.data = join(this.dir, "pb_data");
    this.port = await freePort();
    await run(this.bin, ["superuser", "upsert", EMAIL, PASSWORD, "--dir", this.data]);
    await this.start();
    await this.ready();
    const auth = await json(
      await fetch(`${this.url}/api/collections/_superusers/auth-with-password`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identity: EMAIL, password: PASSWORD }),
      }),
    );
    const fields = [
      { name: "title", type: "text" },
      { name: "body", type: "text" },
      { name: "n", type: "number" },
    ];
    await json(
      await fetch(`${this.url}/api/collections`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: auth.token },
        body: JSON.stringify({ name: "posts", type: "base", createRule: "", listRule: "", viewRule: "", fields }),
      }),
    );
  }

  async ready() {
    await waitFor(`${this.url}/api/health`, (r) => r.ok, this.name, this.proc);
  }

  async healthy() {
    const r = await fetch(`${this.url}/api/health`);
    await r.arrayBuffer();
    return r.ok;
  }

  // firstQuery is the cold start's first read: the newest record.
  async firstQuery() {
    const r = await fetch(`${this.url}/api/collections/posts/records?perPage=1&skipTotal=1&sort=-id`);
    await r.arrayBuffer();
    return r.ok;
  }

  get pid() {
    return this.proc.pid;
  }

  async stop() {
    await stopProc(this.proc);
  }

  async destroy() {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

// Hull is one hull process serving bench/pocketbase/app.
export class Hull {
  constructor(name, bin, engine) {
    this.name = name;
    this.bin = bin;
    this.engine = engine;
  }

  async start() {
    this.env = { ...process.env, INSTANCE_NAME: "bench-pocketbase", HULL_LOG_LEVEL: "warn", HULL_JS_ENGINE: this.engine };
    delete this.env.CONVEX_SELF_HOSTED_URL;
    delete this.env.CONVEX_SELF_HOSTED_ADMIN_KEY;
    this.proc = spawnLogged(this.bin, ["serve", "--interface", "127.0.0.1", "--port", String(this.port), "--data-dir", this.dir], this.env);
  }

  async setup() {
    this.dir = await mkdtemp(join(tmpdir(), "hull-bench-pb-hull-"));
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    await this.start();
    await this.ready();
    const { stdout } = await run(this.bin, ["keys", "admin", "--data-dir", this.dir], { env: this.env });
    const key = stdout.trim().split("\n").pop().trim();
    this.appDir = await mkdtemp(join(tmpdir(), "hull-bench-pb-app-"));
    await cp(join(here, "app"), this.appDir, { recursive: true });
    await symlink(join(e2eDir, "node_modules"), join(this.appDir, "node_modules"));
    const env = { ...process.env, CONVEX_SELF_HOSTED_URL: this.url, CONVEX_SELF_HOSTED_ADMIN_KEY: key, CI: "1" };
    delete env.CONVEX_DEPLOYMENT;
    const cli = join(e2eDir, "node_modules", "convex", "bin", "main.js");
    try {
      await run(process.execPath, [cli, "deploy", "-y", "--typecheck", "disable"], { cwd: this.appDir, env, maxBuffer: 1 << 24 });
    } catch (e) {
      throw new Error(`convex deploy failed: ${e.stdout}\n${e.stderr}\nhull:\n${this.proc.output}`);
    }
  }

  async ready() {
    await waitFor(`${this.url}/readyz`, (r) => r.ok, this.name, this.proc);
  }

  async healthy() {
    const r = await fetch(`${this.url}/readyz`);
    await r.arrayBuffer();
    return r.ok;
  }

  async firstQuery() {
    const r = await fetch(`${this.url}/api/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: "posts:latest", args: {}, format: "convex_encoded_json" }),
    });
    return r.ok && (await r.json()).status === "success";
  }

  get pid() {
    return this.proc.pid;
  }

  async stop() {
    await stopProc(this.proc);
  }

  async destroy() {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    if (this.appDir) await rm(this.appDir, { recursive: true, force: true });
  }
}

// coldStart stops s, then times spawning it again on the same data until
// its health endpoint answers and until its first read succeeds; tries
// times, returning milliseconds ({ready, first}).
export async function coldStart(s, tries) {
  const out = { ready: [], first: [] };
  for (let i = 0; i < tries; i++) {
    await s.stop();
    const t = process.hrtime.bigint();
    await s.start();
    let ready = false;
    for (;;) {
      if (s.proc.exitCode !== null) throw new Error(`${s.name} exited during cold start:\n${s.proc.output}`);
      try {
        if (!ready) {
          ready = await s.healthy();
          if (ready) out.ready.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
        if (ready && (await s.firstQuery())) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 1));
    }
    out.first.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

// strippedSize is the size of bin with its symbol tables removed (strip
// on a copy), or NaN when strip is missing.
export async function strippedSize(bin) {
  const d = await mkdtemp(join(tmpdir(), "hull-bench-strip-"));
  try {
    await run("strip", ["-o", join(d, "b"), bin]);
    return (await stat(join(d, "b"))).size;
  } catch {
    return NaN;
  } finally {
    await rm(d, { recursive: true, force: true });
  }
}
