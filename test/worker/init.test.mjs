// `hull cloudflare init` and the kit's wrangler configurations as wrangler
// itself reads them: the written project type-checks against
// @cloudflare/workers-types, and `wrangler deploy --dry-run` accepts every
// configuration, bundles the Worker and builds the image with the
// expected Docker command (a stand-in Docker records it: there is no
// Docker engine here).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, symlink, writeFile, stat, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { hullBin, kitDir, repoRoot } from "./lib/kit.mjs";

const run = promisify(execFile);

let tmp, docker;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "hull-init-"));
  // A stand-in for the Docker CLI: answers `docker info`, records every
  // call and the Dockerfile wrangler pipes to `docker build -f -`.
  docker = join(tmp, "docker");
  await writeFile(docker, `#!/bin/sh
echo "$@" >> "${tmp}/docker.log"
case "$1" in
  info|version) echo '{}' ;;
  build) cat > "${tmp}/dockerfile.$$" ;;
esac
exit 0
`);
  await chmod(docker, 0o755);
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function init(project, ...args) {
  const bin = await hullBin();
  return await run(bin, ["cloudflare", "init", ...args], { cwd: project });
}

async function dryRun(dir, config) {
  await rm(join(tmp, "docker.log"), { force: true });
  const out = join(tmp, `dist-${Math.random().toString(16).slice(2)}`);
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", WRANGLER_DOCKER_BIN: docker, NO_COLOR: "1" };
  const wrangler = join(kitDir, "node_modules", "wrangler", "bin", "wrangler.js");
  const r = await run(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", out, "-c", config], { cwd: dir, env, timeout: 120_000 }).catch((e) => e);
  if (r instanceof Error) throw new Error(`wrangler deploy --dry-run -c ${config} failed:\n${r.stdout}\n${r.stderr}`);
  const calls = await readFile(join(tmp, "docker.log"), "utf8").catch(() => "");
  const bundle = await stat(join(out, "index.js"));
  return { stdout: r.stdout, builds: calls.split("\n").filter((l) => l.startsWith("build ")), bundleBytes: bundle.size };
}

async function typecheck(dir) {
  const tsc = join(kitDir, "node_modules", "typescript", "bin", "tsc");
  const r = await run(process.execPath, [tsc, "--noEmit", "-p", dir]).catch((e) => e);
  assert.ok(!(r instanceof Error), `tsc failed in ${dir}:\n${r.stdout}`);
}

describe("the kit's own configurations", () => {
  it("the Worker type-checks against @cloudflare/workers-types", async () => {
    await typecheck(kitDir);
  });

  it("wrangler accepts wrangler.jsonc and builds hull from this repository", async () => {
    const r = await dryRun(kitDir, "wrangler.jsonc");
    assert.equal(r.builds.length, 1, r.stdout);
    assert.match(r.builds[0], /--platform linux\/amd64/);
    assert.match(r.builds[0], /--build-arg HULL_BINARY=source/);
    assert.ok(r.builds[0].endsWith(` ${repoRoot}`), `the build context is the repository: ${r.builds[0]}`);
    assert.match(r.stdout, /env\.CONTAINER \(Backend\)\s+Durable Object/);
    assert.match(r.stdout, /env\.FILES/);
  });

  it("wrangler accepts wrangler.convex.jsonc: the stock backend and dashboard images", async () => {
    const r = await dryRun(kitDir, "wrangler.convex.jsonc");
    assert.equal(r.builds.length, 2, r.stdout);
    assert.match(r.stdout, /env\.DASHBOARD_CONTAINER \(Dashboard\)/);
  });

  it("wrangler accepts wrangler.dev.jsonc without Docker", async () => {
    const r = await dryRun(kitDir, "wrangler.dev.jsonc");
    assert.equal(r.builds.length, 0);
    assert.match(r.stdout, /env\.CONTAINER \(DevBackend\)/);
  });
});

describe("hull cloudflare init", () => {
  for (const backend of ["hull", "convex"]) {
    it(`--backend=${backend} writes a project that type-checks and deploys (dry run) with its names`, async () => {
      const project = await mkdtemp(join(tmp, "shop-"));
      const bin = await hullBin();
      const { stdout } = await init(project, "--name", "shop-api", "--backend", backend, "--account-id", "0123456789abcdef0123456789abcdef",
        "--region", "WEUR", ...(backend === "hull" ? ["--binary", bin] : []));
      assert.match(stdout, /CLOUDFLARE\.md/);
      const dir = join(project, "cloudflare");
      const names = await readdir(dir);
      for (const f of ["CLOUDFLARE.md", "wrangler.jsonc", "wrangler.dev.jsonc", "package.json", "package-lock.json", "tsconfig.json", "src", ".gitignore"]) {
        assert.ok(names.includes(f), `${f} written`);
      }
      const wrangler = await readFile(join(dir, "wrangler.jsonc"), "utf8");
      assert.match(wrangler, /"name": "shop-api"/);
      assert.match(wrangler, /"INSTANCE_NAME": "shop-api"/);
      assert.match(wrangler, /0123456789abcdef0123456789abcdef\.r2\.cloudflarestorage\.com/);
      assert.match(wrangler, /"constraints": \{ "regions": \["WEUR"\] \}/);
      assert.ok(!wrangler.includes("hull-deployment"), "the kit's own name is left in wrangler.jsonc");
      const guide = await readFile(join(dir, "CLOUDFLARE.md"), "utf8");
      assert.ok(guide.includes("npx wrangler r2 bucket create shop-api-files"));
      assert.ok(!guide.includes("hull-deployment"));

      await symlink(join(kitDir, "node_modules"), join(dir, "node_modules"));
      await typecheck(dir);
      const r = await dryRun(dir, "wrangler.jsonc");
      if (backend === "hull") {
        assert.equal(r.builds.length, 1);
        assert.match(r.builds[0], /--build-arg HULL_BINARY=prebuilt/);
        assert.ok(r.builds[0].endsWith(dir), `the build context is the project folder: ${r.builds[0]}`);
        assert.ok((await stat(join(dir, "hull"))).mode & 0o100, "the hull binary is executable");
      } else {
        assert.equal(r.builds.length, 2);
        assert.ok(!names.includes("hull"), "no hull binary for the stock image");
      }
    });
  }

  it("refuses to overwrite a project's files without --force", async () => {
    const project = await mkdtemp(join(tmp, "twice-"));
    await init(project, "--name", "twice");
    const again = await init(project, "--name", "twice").catch((e) => e);
    assert.ok(again instanceof Error);
    assert.match(again.stderr, /refusing to overwrite/);
    await init(project, "--name", "twice", "--force");
  });
});
