// The container image without Docker: build hull with the exact command of
// deploy/cloudflare/Dockerfile's build stage, lay out a root holding only
// what the image's base adds that hull could use (the binary, the CA
// certificates and /tmp), and run the image's entrypoint there under
// chroot as the image's nonroot user, with the Dockerfile's ENV and the
// environment the Durable Object passes.
import { spawn, execFile } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, kitDir, repoRoot } from "./kit.mjs";

const run = promisify(execFile);

/** What deploy/cloudflare/Dockerfile says: the build command, ENV, USER, ENTRYPOINT, EXPOSE. */
export async function dockerfile() {
  const text = await readFile(join(kitDir, "Dockerfile"), "utf8");
  const joined = text.replace(/\\\n\s*/g, " ");
  const lines = joined.split("\n").map((l) => l.trim());
  const stage = lines.indexOf(lines.find((l) => /^FROM .* AS build-source$/.test(l)));
  const build = lines.slice(stage).find((l) => l.startsWith("RUN ") && l.includes(" go build "));
  const env = {};
  for (const l of lines.filter((l) => l.startsWith("ENV "))) {
    for (const m of l.slice(4).matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, "");
  }
  const entrypoint = JSON.parse(lines.find((l) => l.startsWith("ENTRYPOINT ")).slice("ENTRYPOINT ".length));
  const user = lines.find((l) => l.startsWith("USER ")).slice(5).trim();
  const expose = lines.filter((l) => l.startsWith("EXPOSE ")).flatMap((l) => l.slice(7).trim().split(/\s+/));
  const base = /ARG HULL_BASE=(\S+)/.exec(text)[1];
  return { build: build.slice(4), env, entrypoint, user, expose, base };
}

// distroless's nonroot user.
const NONROOT = { "nonroot:nonroot": "65532:65532" };

/** Builds hull with the Dockerfile's command; returns {bin, bytes, gzipBytes, seconds}. */
export async function buildAsTheImageDoes() {
  const d = await dockerfile();
  const dir = await mkdtemp(join(tmpdir(), "hull-image-"));
  const bin = join(dir, "hull");
  if (!/-o \/out\/hull/.test(d.build)) throw new Error(`the Dockerfile's build no longer writes /out/hull: ${d.build}`);
  const cmd = d.build.replace("-o /out/hull", `-o ${bin}`);
  const t0 = Date.now();
  await run("sh", ["-c", cmd], { cwd: repoRoot, maxBuffer: 1 << 24 });
  const bytes = (await stat(bin)).size;
  const gzipBytes = gzipSync(await readFile(bin), { level: 6 }).length;
  return { bin, dir, bytes, gzipBytes, seconds: (Date.now() - t0) / 1000, command: cmd };
}

/** The CA bundle the image's base provides, taken from this machine. */
export const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** Lays out the root: the binary at the entrypoint's path, the CA certificates, /tmp. */
export async function emptyRoot(bin) {
  const d = await dockerfile();
  const root = await mkdtemp(join(tmpdir(), "hull-root-"));
  await chmod(root, 0o755); // mkdtemp's 0700 would keep the nonroot user out
  const exe = join(root, d.entrypoint[0]);
  await mkdir(join(exe, ".."), { recursive: true });
  await copyFile(bin, exe);
  await chmod(exe, 0o755);
  await mkdir(join(root, "etc/ssl/certs"), { recursive: true });
  await copyFile(CA_BUNDLE, join(root, "etc/ssl/certs/ca-certificates.crt"));
  await mkdir(join(root, "tmp"));
  await chmod(join(root, "tmp"), 0o1777);
  return root;
}

/**
 * Starts the image's entrypoint in root. env is what the Durable Object
 * passes; the Dockerfile's ENV comes first, then env, then a loopback port.
 */
export async function startInRoot(root, env) {
  const d = await dockerfile();
  const port = await freePort();
  const fullEnv = { ...d.env, ...env, PORT: String(port), HULL_INTERFACE: "127.0.0.1" };
  const asRoot = process.getuid?.() === 0;
  const [cmd, args] = asRoot
    ? ["chroot", [`--userspec=${NONROOT[d.user] ?? d.user}`, root, ...d.entrypoint]]
    : ["unshare", ["--user", "--map-root-user", "chroot", root, ...d.entrypoint]];
  const t0 = process.hrtime.bigint();
  const proc = spawn(await which(cmd), args, { env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
  const p = { proc, port, url: `http://127.0.0.1:${port}`, output: "", t0, user: asRoot ? d.user : "root in a user namespace" };
  proc.stdout.on("data", (b) => (p.output += b));
  proc.stderr.on("data", (b) => (p.output += b));
  p.exited = new Promise((res) => proc.once("exit", (code, signal) => res({ code, signal })));
  p.stop = async (signal = "SIGTERM") => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return await p.exited;
  };
  return p;
}

// which finds cmd on this machine's PATH (the child's env has the image's).
async function which(cmd) {
  for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/bin", "/sbin", "/bin"]) {
    if (!dir) continue;
    try {
      await stat(join(dir, cmd));
      return join(dir, cmd);
    } catch {}
  }
  throw new Error(`${cmd} is not installed`);
}

/** Milliseconds since the process was started. */
export function sinceStart(p) {
  return Number(process.hrtime.bigint() - p.t0) / 1e6;
}

/** Polls until the port answers /readyz with 200. */
export async function waitReady(p, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (p.proc.exitCode !== null) throw new Error(`hull exited with ${p.proc.exitCode} in the empty root:\n${p.output}`);
    try {
      const r = await fetch(`${p.url}/readyz`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`hull was not ready in the empty root:\n${p.output}`);
}

/** Polls a query until it answers 200; returns the milliseconds since start. */
export async function firstQuery(p, body, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last = "";
  while (Date.now() < deadline) {
    if (p.proc.exitCode !== null) throw new Error(`hull exited with ${p.proc.exitCode}:\n${p.output}`);
    try {
      const r = await fetch(`${p.url}/api/query`, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (r.ok) {
        const ms = sinceStart(p);
        return { ms, value: await r.json() };
      }
      last = `${r.status} ${await r.text()}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`no successful query within ${timeout} ms (last: ${last}):\n${p.output}`);
}

export async function removeRoot(root) {
  await rm(root, { recursive: true, force: true });
}
