// What the official Convex dashboard (ghcr.io/get-convex/convex-dashboard)
// needs of a deployment: each _system/frontend function its pages call,
// through the official client with an admin key as the dashboard does it
// (setAdminAuth), and each HTTP endpoint it fetches — answered in the
// shapes it reads. The dashboard's own calls stay out of the user's log.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Hull, App, backends, e2eDir } from "../lib/hull.mjs";

const api = anyApi;
const sys = (name) => `_system/frontend/${name}`;

// isPage checks a PaginationResult.
function isPage(p) {
  assert.ok(Array.isArray(p.page), "page is an array");
  assert.equal(typeof p.isDone, "boolean");
  assert.equal(typeof p.continueCursor, "string");
}

function isSeries(s) {
  assert.ok(Array.isArray(s) && s.length > 0, JSON.stringify(s));
  for (const [t, v] of s) {
    assert.equal(typeof t.secs_since_epoch, "number");
    assert.equal(typeof t.nanos_since_epoch, "number");
    assert.ok(v === null || typeof v === "number");
  }
}

const window = () => {
  const ser = (ms) => ({ secs_since_epoch: Math.floor(ms / 1000), nanos_since_epoch: (ms % 1000) * 1e6 });
  return encodeURIComponent(JSON.stringify({ start: ser(Date.now() - 3600_000), end: ser(Date.now() + 60_000), num_buckets: 60 }));
};

for (const backend of backends()) {
  describe(`the official dashboard's calls on ${backend}`, () => {
    let hull, app, admin, client, ids;
    const get = (path, key = hull.adminKey) =>
      fetch(hull.url + path, { headers: { Authorization: `Convex ${key}`, "Convex-Client": "dashboard-0.0.0" } });
    const post = (path, body, key = hull.adminKey) =>
      fetch(hull.url + path, { method: "POST", headers: { Authorization: `Convex ${key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });

    before(async () => {
      hull = await Hull.create(backend);
      app = await App.create("dashboard", hull);
      await app.deploy();
      admin = new ConvexHttpClient(hull.url);
      admin.setAdminAuth(hull.adminKey);
      client = new ConvexClient(hull.url);
      client.setAdminAuth(hull.adminKey);
      ids = [];
      for (const [author, body] of [["ada", "one"], ["grace", "two"], ["ada", "three"]]) ids.push(await admin.mutation(api.messages.send, { author, body }));
    });

    after(async () => {
      await client?.close();
      await app?.destroy();
      await hull?.destroy();
    });

    it("check_admin_key accepts the admin key and refuses others", async () => {
      const ok = await get("/api/check_admin_key");
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { success: true, allowedOps: [], isReadOnly: false });
      for (const key of [`${hull.instanceName}|00ff`, "not a key", `other|${hull.adminKey.split("|")[1]}`]) {
        const bad = await get("/api/check_admin_key", key);
        assert.equal(bad.status, 401, key);
        assert.equal((await bad.json()).code, "BadAdminKey");
      }
      assert.equal((await fetch(hull.url + "/api/check_admin_key")).status, 401);
    });

    it("the layout's queries: modules, components, version, state, URLs", async () => {
      const all = await client.query(sys("modules:listForAllComponents"), {});
      assert.equal(all.length, 1);
      const [componentId, modules] = all[0];
      assert.equal(componentId, null);
      const byPath = Object.fromEntries(modules);
      const send = byPath["messages.js"].functions.find((f) => f.name === "send");
      assert.deepEqual({ udfType: send.udfType, visibility: send.visibility }, { udfType: "Mutation", visibility: { kind: "public" } });
      assert.equal(byPath["messages.js"].functions.find((f) => f.name === "purge").visibility.kind, "internal");
      assert.equal(typeof byPath["messages.js"].sourcePackageId, "string");
      assert.deepEqual(await client.query(sys("components:list"), {}), []);
      assert.equal(await client.query(sys("getVersion:default"), {}), "1.48.0");
      assert.deepEqual(await client.query(sys("deploymentState:deploymentState"), {}), { state: "running" });
      assert.deepEqual(await client.query(sys("backendState:backendState"), {}), { system: "running", user: "running", usage_limit: "none" });
      assert.equal(await client.query(sys("convexCloudUrl:default"), {}), hull.url);
      assert.equal(typeof (await client.query(sys("convexSiteUrl:default"), {})), "string");
      const validator = JSON.parse(await client.query(sys("modules:argsValidator"), { function: "messages:send" }));
      assert.equal(validator.type, "object");
      assert.ok(validator.value.author);
      assert.equal(await client.query(sys("modules:argsValidator"), { function: "messages:nope" }), null);
    });

    it("the data page's queries: tables, schema, sizes, documents, indexes, shapes", async () => {
      const mapping = await client.query(sys("getTableMapping:default"), {});
      assert.deepEqual(Object.values(mapping).sort(), ["messages", "notes"]);
      for (const n of Object.keys(mapping)) assert.match(n, /^\d+$/);
      const schemas = await client.query(sys("getSchemas:default"), {});
      assert.equal(JSON.parse(schemas.active).tables.length, 2);
      assert.equal(await client.query(sys("getSchemas:schemaValidationProgress"), {}), null);
      assert.equal(await client.query(sys("tableSize:default"), { tableName: "messages" }), 3);
      assert.equal(await client.query(sys("tableSize:default"), { tableName: "nothing" }), 0);
      const page = await client.query(sys("paginatedTableDocuments:default"), { table: "messages", filters: null, paginationOpts: { numItems: 2, cursor: null } });
      isPage(page);
      assert.equal(page.page.length, 2);
      assert.equal(page.page[0].body, "three", "newest first");
      const rest = await client.query(sys("paginatedTableDocuments:default"), { table: "messages", filters: null, paginationOpts: { numItems: 2, cursor: page.continueCursor } });
      assert.deepEqual(rest.page.map((d) => d.body), ["one"]);
      assert.equal(rest.isDone, true);
      const filters = Buffer.from(JSON.stringify({ clauses: [{ op: "eq", field: "author", value: "ada", enabled: true }], order: "asc" })).toString("base64");
      const ada = await client.query(sys("paginatedTableDocuments:default"), { table: "messages", filters, paginationOpts: { numItems: 10, cursor: null } });
      assert.deepEqual(ada.page.map((d) => d.body), ["one", "three"]);
      const byIndex = Buffer.from(JSON.stringify({ clauses: [], order: "desc", index: { name: "by_author", clauses: [{ type: "indexEq", enabled: true, value: "grace" }] } })).toString("base64");
      const grace = await client.query(sys("paginatedTableDocuments:default"), { table: "messages", filters: byIndex, paginationOpts: { numItems: 10, cursor: null } });
      assert.deepEqual(grace.page.map((d) => d.body), ["two"]);
      const byId = Buffer.from(JSON.stringify({ clauses: [{ op: "eq", field: "_id", value: ids[1], enabled: true }] })).toString("base64");
      assert.deepEqual((await client.query(sys("paginatedTableDocuments:default"), { table: "messages", filters: byId, paginationOpts: { numItems: 10, cursor: null } })).page.map((d) => d._id), [ids[1]]);
      const listed = await client.query(sys("listById:default"), { ids: [{ id: ids[0], tableName: "messages" }, { id: "nope", tableName: "messages" }] });
      assert.equal(listed[0].body, "one");
      assert.equal(listed[1], null);
      assert.equal((await client.query(sys("getById:default"), { id: ids[2] })).body, "three");
      const indexes = await client.query(sys("indexes:default"), { tableName: "messages", tableNamespace: null });
      assert.deepEqual(indexes, [{ name: "by_author", fields: ["author"], staged: false, backfill: { state: "done" } }]);
      const shapes = await (await get("/api/shapes2")).json();
      assert.equal(shapes.messages.type, "Object");
      const fields = Object.fromEntries(shapes.messages.fields.map((f) => [f.fieldName, f.shape.type]));
      assert.deepEqual(fields, { _creationTime: "Float64", _id: "Id", author: "String", body: "String" });
      assert.equal(shapes.notes.type, "Never");
      const gi = await (await get("/api/get_indexes")).json();
      assert.equal(gi.indexes[0].name, "by_author");
    });

    it("subscriptions to a table's documents and size follow its writes", async () => {
      const sizes = [], pages = [];
      const stopSize = client.onUpdate(sys("tableSize:default"), { tableName: "messages" }, (n) => sizes.push(n));
      const stopPage = client.onUpdate(sys("paginatedTableDocuments:default"), { table: "messages", filters: null, paginationOpts: { numItems: 10, cursor: null } }, (p) => pages.push(p.page.map((d) => d.body)));
      const until = async (f) => {
        const deadline = Date.now() + 10_000;
        while (!f() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.ok(f(), `sizes ${JSON.stringify(sizes)}, pages ${JSON.stringify(pages)}`);
      };
      await until(() => sizes.at(-1) === 3 && pages.length > 0);
      const id = await admin.mutation(api.messages.send, { author: "linus", body: "four" });
      await until(() => sizes.at(-1) === 4 && pages.at(-1)[0] === "four");
      await client.mutation(sys("deleteDocuments:default"), { toDelete: [{ id, tableName: "messages" }] });
      await until(() => sizes.at(-1) === 3 && pages.at(-1)[0] === "three");
      stopSize();
      stopPage();
    });

    it("the data page's edits write through the schema, and refuse what violates it", async () => {
      assert.deepEqual(await client.mutation(sys("addDocument:default"), { table: "notes", documents: [{ text: "a" }, { text: "b" }] }), { success: true });
      await assert.rejects(client.mutation(sys("addDocument:default"), { table: "notes", documents: [{ text: "c" }, { text: 1 }] }), /does not match the schema/);
      assert.equal(await client.query(sys("tableSize:default"), { tableName: "notes" }), 2, "a refused insert writes none of its documents");
      assert.deepEqual(await client.mutation(sys("patchDocumentsFields:default"), { table: "messages", ids: [ids[0]], fields: { likes: 3 } }), { success: true });
      assert.equal((await admin.query(api.messages.get, { id: ids[0] })).likes, 3);
      await assert.rejects(client.mutation(sys("patchDocumentsFields:default"), { table: "messages", ids: [ids[0]], fields: { likes: "many" } }), /does not match the schema/);
      assert.deepEqual(await client.mutation(sys("replaceDocument:default"), { id: ids[1], document: { author: "grace", body: "replaced" } }), { success: true });
      assert.equal((await admin.query(api.messages.get, { id: ids[1] })).body, "replaced");
      await assert.rejects(client.mutation(sys("replaceDocument:default"), { id: ids[1], document: { author: "grace" } }), /does not match the schema/);
      assert.equal((await admin.query(api.messages.get, { id: ids[1] })).body, "replaced");
      await assert.rejects(client.mutation(sys("addDocument:default"), { table: "notes" }), /ArgumentValidationError/);
      assert.deepEqual(await client.mutation(sys("deleteDocuments:default"), { toDelete: [{ id: ids[2], tableName: "messages" }] }), { success: true });
      assert.equal(await admin.query(api.messages.get, { id: ids[2] }), null);
      const cleared = await client.mutation(sys("clearTablePage:default"), { tableName: "notes", cursor: null });
      assert.deepEqual({ deleted: cleared.deleted, hasMore: cleared.hasMore }, { deleted: 2, hasMore: false });
      assert.equal(await client.mutation(sys("createTable:default"), { table: "fresh" }), null);
      assert.ok(Object.values(await client.query(sys("getTableMapping:default"), {})).includes("fresh"));
      assert.equal((await post("/api/delete_tables", { tableNames: ["fresh"], componentId: null })).status, 200);
    });

    it("the schedules page: jobs, arguments, cancel, crons", async () => {
      const id = await admin.mutation(api.jobs.later, { note: "later" });
      const jobs = await client.query(sys("paginatedScheduledJobs:default"), { paginationOpts: { numItems: 10, cursor: null } });
      isPage(jobs);
      const job = jobs.page.find((j) => j._id === id);
      assert.equal(job.udfPath, "jobs.js:record");
      assert.equal(typeof job.nextTs, "bigint");
      assert.equal(job.state.type, "pending");
      assert.deepEqual(JSON.parse(new TextDecoder().decode(job.udfArgs)), [{ note: "later" }]);
      assert.equal((await client.query(sys("paginatedScheduledJobs:default"), { paginationOpts: { numItems: 10, cursor: null }, udfPath: "other.js:x" })).page.length, 0);
      assert.equal((await post("/api/cancel_job", { id, componentId: null })).status, 200);
      assert.equal((await admin.query(api.jobs.get, { id })).state.kind, "canceled");
      const bad = await post("/api/cancel_job", { id: "nope" });
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).message, /not an Id/);
      await admin.mutation(api.jobs.later, { note: "a" });
      await admin.mutation(api.jobs.later, { note: "b" });
      const all = await post("/api/cancel_all_jobs", { componentId: null });
      assert.deepEqual(await all.json(), { canceled: 2 });
      const crons = await client.query(sys("listCronJobs:default"), {});
      assert.equal(crons.length, 1);
      assert.equal(crons[0].name, "nightly note");
      assert.equal(crons[0].cronSpec.udfPath, "jobs.js:record");
      assert.deepEqual(JSON.parse(new TextDecoder().decode(crons[0].cronSpec.udfArgs)), [{ note: "nightly" }]);
      assert.equal(typeof crons[0].nextRun.nextTs, "bigint");
      assert.equal(crons[0].nextRun.state.type, "pending");
      assert.equal(crons[0].lastRun, null);
      assert.ok(Array.isArray(await client.query(sys("listCronJobRuns:default"), {})));
    });

    it("the files page: upload URL, listing, count, one file, delete", async () => {
      const url = await client.mutation(sys("fileStorageV2:generateUploadUrl"), {});
      const up = await fetch(url, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "file body" });
      assert.equal(up.status, 200);
      const { storageId } = await up.json();
      const files = await client.query(sys("fileStorageV2:fileMetadata"), { paginationOpts: { numItems: 10, cursor: null } });
      isPage(files);
      assert.equal(files.page.length, 1);
      const f = files.page[0];
      assert.deepEqual({ _id: f._id, size: f.size, contentType: f.contentType }, { _id: storageId, size: 9, contentType: "text/plain" });
      assert.equal(await (await fetch(f.url)).text(), "file body");
      assert.equal(await client.query(sys("fileStorageV2:numFiles"), {}), 1);
      assert.equal((await client.query(sys("fileStorageV2:getFile"), { storageId })).url, f.url);
      assert.equal(await client.query(sys("fileStorageV2:getFile"), { storageId: "nope" }), null);
      await client.mutation(sys("fileStorageV2:deleteFiles"), { storageIds: [storageId] });
      assert.equal(await client.query(sys("fileStorageV2:numFiles"), {}), 0);
    });

    it("the settings pages: environment variables, auth providers, integrations, history", async () => {
      // A subscription sees the change as soon as it commits.
      const seen = [];
      const stop = client.onUpdate(sys("listEnvironmentVariables:default"), {}, (vars) => seen.push(vars.map((v) => v.name).join(",")));
      assert.equal((await post("/api/update_environment_variables", { changes: [{ name: "FOO", value: "bar" }] })).status, 200);
      const deadline = Date.now() + 10_000;
      while (seen.at(-1) !== "FOO" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      stop();
      assert.equal(seen.at(-1), "FOO", JSON.stringify(seen));
      const env = await client.query(sys("listEnvironmentVariables:default"), {});
      assert.deepEqual(env.map(({ name, value }) => ({ name, value })), [{ name: "FOO", value: "bar" }]);
      assert.deepEqual(await client.query(sys("listAuthProviders:default"), {}), []);
      assert.deepEqual(await client.query(sys("listConfiguredSinks:default"), {}), []);
      assert.equal(await client.query(sys("deploymentEvents:lastPushEvent"), {}), null);
      isPage(await client.query(sys("paginatedDeploymentEvents:default"), { paginationOpts: { numItems: 10, cursor: null } }));
      assert.equal((await post("/api/delete_component", { componentId: null })).status, 400);
      assert.equal((await post("/api/v1/update_environment_variables", { changes: [{ name: "FOO", value: null }] })).status, 200);
      assert.deepEqual((await (await get("/api/v1/list_environment_variables")).json()).environmentVariables, {});
      assert.deepEqual(await (await get("/api/v1/deployment_info")).json(), { kind: "selfHosted" });
      assert.deepEqual(await (await get("/api/v1/list_audit_log_events?from=0")).json(), { items: [], pagination: { hasMore: false, nextCursor: null } });
      assert.deepEqual(Object.keys(await (await get("/api/v1/get_canonical_urls")).json()).sort(), ["convexCloudUrl", "convexSiteUrl"]);
      assert.equal((await get("/api/v1/deployment_info", "bad|key")).status, 401);
    });

    it("the functions page runs a custom test query", async () => {
      const bundle = await build({
        stdin: { contents: `import { queryGeneric } from "convex/server"; export default queryGeneric({ args: {}, handler: async (ctx) => { console.log("counting"); return (await ctx.db.query("messages").collect()).length; } });`, resolveDir: e2eDir },
        bundle: true, format: "esm", write: false, platform: "neutral", logLevel: "silent",
      });
      const body = { bundle: { path: "testQuery.js", source: bundle.outputFiles[0].text }, adminKey: hull.adminKey, args: {}, format: "convex_encoded_json" };
      const res = await (await fetch(hull.url + "/api/run_test_function", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json();
      assert.equal(res.status, "success");
      assert.equal(res.value, 2);
      assert.match(JSON.stringify(res.logLines), /counting/);
      const broken = await (await fetch(hull.url + "/api/run_test_function", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, bundle: { path: "testQuery.js", source: "export default 1;" } }) })).json();
      assert.equal(broken.status, "error");
      assert.match(broken.errorMessage, /must export a query or a mutation/);
      const refused = await fetch(hull.url + "/api/run_test_function", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, adminKey: "bad|key" }) });
      assert.equal(refused.status, 401);
    });

    it("the health and logs pages: metrics series, top functions, the log stream", async () => {
      await admin.mutation(api.messages.fail, {}).catch(() => {});
      const w = window();
      isSeries(await (await get(`/api/app_metrics/udf_rate?path=messages:send&udfType=Mutation&metric=invocations&window=${w}`)).json());
      const errors = await (await get(`/api/app_metrics/udf_rate?path=messages:fail&udfType=Mutation&metric=errors&window=${w}`)).json();
      assert.equal(errors.reduce((n, [, v]) => n + (v ?? 0), 0), 1);
      isSeries(await (await get(`/api/app_metrics/cache_hit_percentage?path=messages:list&udfType=Query&window=${w}`)).json());
      const lat = await (await get(`/api/app_metrics/latency_percentiles?path=messages:send&udfType=Mutation&percentiles=[50,90,99]&window=${w}`)).json();
      assert.deepEqual(lat.map(([p]) => p), [50, 90, 99]);
      lat.forEach(([, s]) => isSeries(s));
      const top = await (await get(`/api/app_metrics/function_call_count_top_k?k=10&window=${w}`)).json();
      assert.ok(top.some(([f]) => f === "messages:send"), JSON.stringify(top.map(([f]) => f)));
      top.forEach(([, s]) => isSeries(s));
      const failing = await (await get(`/api/app_metrics/failure_percentage_top_k?k=3&window=${w}`)).json();
      assert.deepEqual(failing.map(([f]) => f), ["messages:fail"]);
      assert.ok(Array.isArray(await (await get(`/api/app_metrics/cache_hit_percentage_top_k?k=3&window=${w}`)).json()));
      assert.deepEqual(await (await get(`/api/app_metrics/subscription_invalidations_top_k?k=3&window=${w}`)).json(), []);
      isSeries(await (await get(`/api/app_metrics/table_rate?name=messages&metric=rowsRead&window=${w}`)).json());
      isSeries(await (await get(`/api/app_metrics/scheduled_job_lag?window=${w}`)).json());
      assert.deepEqual(await (await get(`/api/app_metrics/function_concurrency?window=${w}`)).json(), {});
      assert.equal((await get(`/api/app_metrics/udf_rate?window=nonsense`)).status, 400);
      assert.equal((await get(`/api/app_metrics/udf_rate?window=${w}`, "bad|key")).status, 401);
      const logs = await (await get("/api/app_metrics/stream_function_logs?cursor=0")).json();
      assert.equal(typeof logs.newCursor, "number");
      const sends = logs.entries.filter((e) => e.identifier === "messages:send");
      assert.equal(sends.length, 4);
      const e = sends[0];
      assert.deepEqual(
        { kind: e.kind, udfType: e.udfType, success: e.success, error: e.error, cachedResult: e.cachedResult },
        { kind: "Completion", udfType: "Mutation", success: null, error: null, cachedResult: false },
      );
      assert.deepEqual(e.logLines[0].messages, ["'sending a message from ada'"]);
      for (const k of ["timestamp", "executionTime", "requestId", "executionId"]) assert.ok(e[k] !== undefined, k);
      // Everything the dashboard itself ran stays out of the log.
      assert.deepEqual(logs.entries.filter((x) => x.identifier.startsWith("_system") || x.identifier.includes("testQuery")), []);
      const text = await (await get(`/instance_name`)).text();
      assert.equal(text, hull.instanceName);
    });

    it("system functions need an admin key", async () => {
      const anon = new ConvexHttpClient(hull.url);
      await assert.rejects(anon.query(sys("getTableMapping:default"), {}), /admin key/);
      await assert.rejects(anon.mutation(sys("addDocument:default"), { table: "notes", documents: [{ text: "x" }] }), /admin key/);
      assert.equal(await client.query(sys("tableSize:default"), { tableName: "notes" }), 0);
    });
  });
}
