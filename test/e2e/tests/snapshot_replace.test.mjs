// Restoring a deployment's own snapshot into it: `npx convex export`
// (with files), then documents changed, added and deleted and the file
// deleted, then `npx convex import --replace` of the export into the same
// deployment: exactly the exported data again, with the same ids,
// _creationTime and file references, a live subscription that sees the
// swap, and writes and reads by id that keep working. Then the same with
// `hull backup` and `hull restore --replace`. On SQLite and PostgreSQL.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { convexToJson } from "convex/values";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Hull, App, backends, hullBin, subscribeUntil } from "../lib/hull.mjs";

const run = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function hull(h, args) {
  const env = { ...process.env, CONVEX_SELF_HOSTED_URL: h.url, CONVEX_SELF_HOSTED_ADMIN_KEY: h.adminKey };
  return await run(await hullBin(), args, { env });
}

function ok(r, what) {
  assert.equal(r.code, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

const waitFor = (client, query, args, ok, what, timeout = 20_000) => subscribeUntil(client, query, args, ok, what, timeout);

const same = (a, b) => JSON.stringify(convexToJson(a)) === JSON.stringify(convexToJson(b));

for (const backend of backends()) {
  describe(`restoring a deployment's own snapshot into it on ${backend}`, () => {
    let h, app, client, live, dir;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "hull-restore-"));
      h = await Hull.create(backend);
      app = await App.create("snapshot", h);
      await app.deploy();
      client = new ConvexHttpClient(h.url);
      client.setAdminAuth(h.adminKey);
      live = new ConvexClient(h.url, { unsavedChangesWarning: false });
      live.setAdminAuth(h.adminKey);
    });
    after(async () => {
      await live?.close();
      await app?.destroy();
      await h?.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    // change edits, adds and deletes documents and deletes the file.
    async function change(snap, fileId) {
      await client.mutation("data:rename", { id: snap.users[0]._id, name: "renamed" });
      await client.mutation("data:remove", { id: snap.messages[3]._id });
      await client.mutation("data:seed", { users: 1, perUser: 2, tag: "after" });
      if (fileId) await client.mutation("data:removeFile", { id: fileId });
      const changed = await client.query("data:dump", {});
      assert.notDeepEqual(changed, snap);
      return changed;
    }

    // check asserts the deployment shows exactly snap, and takes writes.
    async function check(snap, fileId, text) {
      assert.deepEqual(await client.query("data:dump", {}), snap);
      const probe = snap.messages[7];
      const got = await client.query("data:byAuthor", { author: probe.author });
      assert.equal(got.count, snap.messages.filter((m) => m.author === probe.author).length);
      if (fileId) {
        const url = await client.query("data:fileUrl", { id: fileId });
        assert.ok(url, "the restored file has a URL");
        assert.equal(await (await fetch(url)).text(), text);
      }
      // Writes and reads by id on the restored tables.
      const u = snap.users[1];
      const renamed = await client.mutation("data:rename", { id: u._id, name: "after-restore" });
      assert.equal(renamed.name, "after-restore");
      assert.equal(renamed._creationTime, u._creationTime);
      assert.equal((await client.query("data:user", { id: u._id })).name, "after-restore");
      await client.mutation("data:seed", { users: 1, perUser: 1, tag: "later" });
      const now = await client.query("data:dump", {});
      assert.equal(now.users.length, snap.users.length + 1);
      assert.equal(now.messages.length, snap.messages.length + 1);
      const fresh = now.users.find((x) => x.name === "later-user-0");
      assert.equal(fresh._id.length, u._id.length);
      assert.deepEqual(await client.query("data:user", { id: fresh._id }), fresh);
    }

    it("npx convex import --replace of its own export gives back the exported data", async () => {
      await client.mutation("data:seed", { users: 4, perUser: 10, tag: "a" });
      const fileId = await client.mutation("data:storeText", { text: "restore me ✓" });
      const zip = join(dir, "own.zip");
      ok(await app.convex(["export", "--path", zip, "--include-file-storage"]), "export");
      const snap = await client.query("data:dump", {});

      const changed = await change(snap, fileId);
      await waitFor(live, "data:dump", {}, (v) => same(v, changed), "the subscription to see the changes");
      const swapped = waitFor(live, "data:dump", {}, (v) => same(v, snap), "the subscription to see the restored data");

      ok(await app.convex(["import", "-y", "--replace", zip]), "import --replace");
      await swapped;
      await check(snap, fileId, "restore me ✓");
    });

    it("npx convex import --replace-all of its own export, again over the restored tables", async () => {
      const zip = join(dir, "again.zip");
      ok(await app.convex(["export", "--path", zip, "--include-file-storage"]), "export");
      const snap = await client.query("data:dump", {});
      const fileId = snap.files[0]?._id;
      await change(snap, fileId);
      ok(await app.convex(["import", "-y", "--replace-all", zip]), "import --replace-all");
      await check(snap, fileId, "restore me ✓");
    });

    it("hull restore --replace of a hull backup into the same deployment", async () => {
      const zip = join(dir, "backup.zip");
      await hull(h, ["backup", "-o", zip]);
      const snap = await client.query("data:dump", {});
      const fileId = snap.files[0]?._id;
      const changed = await change(snap, fileId);
      await sleep(300);
      const at = new Date().toISOString();
      await sleep(300);
      await assert.rejects(hull(h, ["restore", zip]), /already has documents/, "a deployment with data needs --replace");
      await hull(h, ["restore", "--replace", zip]);
      await check(snap, fileId, "restore me ✓");

      // A point-in-time backup from before that restore has the data of
      // then, and restores over it.
      const pitr = join(dir, "pitr.zip");
      await hull(h, ["backup", "--at", at, "-o", pitr]);
      await hull(h, ["restore", "--replace", pitr]);
      assert.deepEqual(await client.query("data:dump", {}), changed);
    });
  });
}
