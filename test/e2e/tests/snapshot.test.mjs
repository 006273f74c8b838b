// Snapshot export and import through the official CLI: data written to
// one hull, `npx convex export` (with and without file storage), a fresh
// hull with the same app, `npx convex import` of the ZIP: the same
// documents (ids, _creationTime, int64, bytes, references), indexes that
// answer, and byte-equal files — on SQLite and PostgreSQL. Then single
// tables from JSON lines, a JSON array and CSV, --replace and --append,
// and bad input that must leave nothing visible.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Hull, App, backends, hullBin } from "../lib/hull.mjs";

const run = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// hull runs the hull binary's backup or restore against a running hull.
async function hull(h, args) {
  const env = { ...process.env, CONVEX_SELF_HOSTED_URL: h.url, CONVEX_SELF_HOSTED_ADMIN_KEY: h.adminKey };
  return await run(await hullBin(), args, { env });
}

async function started(backend) {
  const hull = await Hull.create(backend);
  const app = await App.create("snapshot", hull);
  await app.deploy();
  const client = new ConvexHttpClient(hull.url);
  client.setAdminAuth(hull.adminKey);
  return { hull, app, client };
}

async function stop(ctx) {
  await ctx?.app?.destroy();
  await ctx?.hull?.destroy();
}

function ok(r, what) {
  assert.equal(r.code, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

for (const backend of backends()) {
  describe(`snapshot export and import on ${backend}`, () => {
    let src, dst, dir;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "hull-snap-"));
      src = await started(backend);
      await src.client.mutation("data:seed", { users: 5, perUser: 40, tag: "a" });
      src.fileId = await src.client.mutation("data:storeText", { text: "hello, snapshot ✓" });
    });
    after(async () => {
      await stop(src);
      await stop(dst);
      await rm(dir, { recursive: true, force: true });
    });

    it("exports with file storage and imports into a fresh hull with ids, times and files intact", async () => {
      const zip = join(dir, "full.zip");
      ok(await src.app.convex(["export", "--path", zip, "--include-file-storage"]), "export");
      assert.ok((await stat(zip)).size > 0);
      const before = await src.client.query("data:dump", {});

      dst = await started(backend);
      ok(await dst.app.convex(["import", "-y", "--replace-all", zip]), "import");
      const afterImport = await dst.client.query("data:dump", {});
      assert.deepEqual(afterImport, before);
      const probe = before.messages[7];
      assert.deepEqual(await dst.client.query("data:byAuthor", { author: probe.author }), await src.client.query("data:byAuthor", { author: probe.author }));
      const url = await dst.client.query("data:fileUrl", { id: src.fileId });
      const text = await (await fetch(url)).text();
      assert.equal(text, "hello, snapshot ✓");
      // The new deployment takes writes next to the imported data.
      await dst.client.mutation("data:seed", { users: 1, perUser: 1, tag: "b" });
      assert.equal((await dst.client.query("data:dump", {})).users.length, before.users.length + 1);
    });

    it("exports without file storage: documents only", async () => {
      const zip = join(dir, "nofiles.zip");
      ok(await src.app.convex(["export", "--path", zip]), "export");
      const d = await started(backend);
      try {
        ok(await d.app.convex(["import", "-y", "--replace-all", zip]), "import");
        const got = await d.client.query("data:dump", {});
        const want = await src.client.query("data:dump", {});
        assert.deepEqual(got.users, want.users);
        assert.deepEqual(got.messages, want.messages);
        assert.equal(got.files.length, 0);
      } finally {
        await stop(d);
      }
    });

    it("imports single tables from JSON lines, a JSON array and CSV, with --replace and --append", async () => {
      const d = await started(backend);
      try {
        const jsonl = join(dir, "u.jsonl");
        await writeFile(jsonl, '{"name":"x"}\n{"name":"y"}\n');
        ok(await d.app.convex(["import", "-y", "--table", "users", jsonl]), "jsonl import");
        let users = (await d.client.query("data:dump", {})).users;
        assert.deepEqual(users.map((u) => u.name).sort(), ["x", "y"]);

        const r = await d.app.convex(["import", "-y", "--table", "users", jsonl]);
        assert.notEqual(r.code, 0, "a second import into a non-empty table needs --replace or --append");
        assert.match(r.stdout + r.stderr, /already has documents/);

        const arr = join(dir, "u.json");
        await writeFile(arr, '[{"name":"z"}]');
        ok(await d.app.convex(["import", "-y", "--replace", "--table", "users", arr]), "json replace");
        users = (await d.client.query("data:dump", {})).users;
        assert.deepEqual(users.map((u) => u.name), ["z"]);

        const csv = join(dir, "u.csv");
        await writeFile(csv, "name\nc1\nc2\n");
        ok(await d.app.convex(["import", "-y", "--append", "--table", "users", csv]), "csv append");
        users = (await d.client.query("data:dump", {})).users;
        assert.deepEqual(users.map((u) => u.name).sort(), ["c1", "c2", "z"]);

        // Documents that do not match the schema fail the import, and
        // nothing of it becomes visible.
        const bad = join(dir, "bad.jsonl");
        await writeFile(bad, '{"name":"fine"}\n{"name":5}\n');
        for (const mode of ["--replace", "--append"]) {
          const b = await d.app.convex(["import", "-y", mode, "--table", "users", bad]);
          assert.notEqual(b.code, 0, `${mode}: a document that breaks the schema fails the import`);
          assert.match(b.stdout + b.stderr, /does not match the schema|Schema validation failed|Value does not match validator/i, `${mode}: ${b.stdout}${b.stderr}`);
          users = (await d.client.query("data:dump", {})).users;
          assert.deepEqual(users.map((u) => u.name).sort(), ["c1", "c2", "z"], `${mode}: the table is as it was`);
        }
      } finally {
        await stop(d);
      }
    });

    it("backs up the data as of a past point in time and restores it into a fresh hull", async () => {
      const d = await started(backend);
      const fresh = await started(backend);
      try {
        await d.client.mutation("data:seed", { users: 2, perUser: 3, tag: "early" });
        const early = await d.client.query("data:dump", {});
        await sleep(300);
        const at = new Date().toISOString();
        await sleep(300);
        await d.client.mutation("data:seed", { users: 2, perUser: 3, tag: "late" });
        const zip = join(dir, "pitr.zip");
        await hull(d.hull, ["backup", "--at", at, "-o", zip]);
        await assert.rejects(hull(d.hull, ["restore", zip]), /already has documents/, "a deployment with data needs --replace");
        await hull(fresh.hull, ["restore", zip]);
        assert.deepEqual(await fresh.client.query("data:dump", {}), early);
      } finally {
        await stop(d);
        await stop(fresh);
      }
    });

    it("refuses corrupt and truncated ZIPs and leaves the data as it was", async () => {
      const good = join(dir, "good.zip");
      ok(await src.app.convex(["export", "--path", good]), "export");
      const before = await src.client.query("data:dump", {});
      const bytes = await readFile(good);
      const cases = {
        "truncated.zip": bytes.subarray(0, Math.floor(bytes.length / 2)),
        "garbage.zip": Buffer.from("this is not a zip file at all"),
        "flipped.zip": Buffer.from(bytes.map((b, i) => (i > 200 && i < 260 ? b ^ 0xff : b))),
      };
      for (const [name, data] of Object.entries(cases)) {
        const p = join(dir, name);
        await writeFile(p, data);
        const r = await src.app.convex(["import", "-y", "--replace-all", p]);
        assert.notEqual(r.code, 0, `${name} must be refused:\n${r.stdout}`);
        assert.deepEqual(await src.client.query("data:dump", {}), before, `${name} changed the data`);
      }
    });
  });
}
