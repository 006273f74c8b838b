// hull's own dashboard at /dashboard, driven in headless Chromium against
// a real hull with a deployed app: log in (admin key, one-time link),
// browse and edit data (seen by a client), run functions, watch logs, and
// the bad input a person can give it. A screenshot of each page goes to
// test/e2e/artifacts/dashboard/.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { createServer, request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Hull, App, backends, e2eDir, hullBin } from "../lib/hull.mjs";

const api = anyApi;
const run = promisify(execFile);
const chromiumPath = process.env.HULL_TEST_CHROMIUM ?? "/usr/bin/chromium";
const shots = join(e2eDir, "artifacts", "dashboard");

// loginLink runs `hull dashboard` for the instance and returns its link.
async function loginLink(hull, ...flags) {
  const { stdout } = await run(await hullBin(), ["dashboard", "--data-dir", hull.dataDir, "--interface", "127.0.0.1", "--port", String(hull.port), ...flags], { env: hull.env });
  const link = stdout.split("\n").find((l) => l.includes("/dashboard/#code="));
  assert.ok(link, `no link in:\n${stdout}`);
  return link.trim();
}

// prefixProxy serves hull under /prefix/ on another port, as a Worker or
// reverse proxy that mounts it under a path would (WebSockets included).
async function prefixProxy(target) {
  const t = new URL(target);
  const strip = (url) => url.replace(/^\/prefix/, "") || "/";
  const server = createServer((req, res) => {
    if (!req.url.startsWith("/prefix/")) return res.writeHead(404).end();
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: strip(req.url), headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  server.on("upgrade", (req, socket, head) => {
    const up = connect(Number(t.port), t.hostname, () => {
      const lines = [`${req.method} ${strip(req.url)} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`), "", ""];
      up.write(lines.join("\r\n"));
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${server.address().port}/prefix` };
}

for (const backend of backends()) {
  describe(`the built-in dashboard on ${backend}`, () => {
    let hull, app, browser, page, http, client;
    const urls = [];

    before(async () => {
      await mkdir(shots, { recursive: true });
      hull = await Hull.create(backend);
      app = await App.create("dashboard", hull);
      await app.deploy();
      http = new ConvexHttpClient(hull.url);
      await http.mutation(api.messages.send, { author: "ada", body: "first" });
      await http.mutation(api.messages.send, { author: "grace", body: "second" });
      client = new ConvexClient(hull.url);
      browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on("request", (r) => urls.push(r.url()));
    });

    after(async () => {
      await client?.close();
      await browser?.close();
      await app?.destroy();
      await hull?.destroy();
    });

    const shot = (name) => page.screenshot({ path: join(shots, `${backend}-${name}.png`), fullPage: true });

    it("refuses a wrong admin key with a clear message", async () => {
      await page.goto(`${hull.url}/dashboard/`);
      await page.fill("#admin-key", `${hull.instanceName}|0123456789abcdef`);
      await page.click("button[type=submit]");
      const msg = await page.textContent("[role=alert]");
      assert.match(msg, /admin key was invalid/);
      await shot("login-refused");
    });

    it("logs in with an admin key and shows the overview", async () => {
      await page.fill("#admin-key", hull.adminKey);
      await page.click("button[type=submit]");
      await page.waitForSelector("[data-testid=version]");
      assert.match(await page.textContent("[data-testid=version]"), /hull \d/);
      assert.equal(await page.textContent("[data-testid=instance]"), hull.instanceName);
      await page.waitForSelector("figure.chart");
      await shot("overview");
    });

    it("browses a table and its indexes", async () => {
      await page.click("[data-page=data]");
      await page.click("[data-table=messages]");
      await page.waitForSelector("table.docs tbody tr");
      assert.match(await page.textContent("[data-testid=count]"), /^2 documents/);
      const text = await page.textContent("table.docs");
      assert.match(text, /first/);
      assert.match(text, /second/);
      assert.match(await page.textContent("table.indexes"), /by_author.*author.*done/);
      await shot("data");
    });

    it("filters documents", async () => {
      await page.fill("[aria-label='Filter field']", "author");
      await page.fill("[aria-label='Filter value']", '"grace"');
      await page.click("text=Add filter");
      await page.waitForFunction(() => document.querySelectorAll("table.docs tbody tr").length === 1);
      assert.match(await page.textContent("table.docs tbody"), /second/);
      await page.click("[aria-label='Remove filter']");
      await page.waitForFunction(() => document.querySelectorAll("table.docs tbody tr").length === 2);
    });

    it("edits a document, and a subscribed client sees the edit", async () => {
      const [newest] = await http.query(api.messages.list, {});
      const seen = [];
      const unsubscribe = client.onUpdate(api.messages.get, { id: newest._id }, (d) => seen.push(d?.body));
      await page.click(`tr[data-id="${newest._id}"] >> text=Edit`);
      await page.fill("[aria-label='Document JSON']", JSON.stringify({ author: newest.author, body: "edited in the dashboard" }));
      await page.click("text=Save");
      await page.waitForFunction(() => document.querySelector("table.docs")?.textContent.includes("edited in the dashboard"));
      const deadline = Date.now() + 10_000;
      while (!seen.includes("edited in the dashboard") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      unsubscribe();
      assert.ok(seen.includes("edited in the dashboard"), `the client saw ${JSON.stringify(seen)}`);
    });

    it("refuses an edit that violates the schema and writes nothing", async () => {
      const [newest] = await http.query(api.messages.list, {});
      await page.click(`tr[data-id="${newest._id}"] >> text=Edit`);
      await page.fill("[aria-label='Document JSON']", JSON.stringify({ author: newest.author, body: 42 }));
      await page.click("text=Save");
      const msg = await page.textContent("[role=alert]");
      assert.match(msg, /schema|validator|body/i);
      assert.equal((await http.query(api.messages.get, { id: newest._id })).body, newest.body);
      await shot("data-schema-violation");
      await page.fill("[aria-label='Document JSON']", "{ not json");
      await page.click("text=Save");
      assert.match(await page.textContent("[role=alert]"), /Not valid JSON/);
      await page.click("text=Cancel");
    });

    it("inserts and deletes documents", async () => {
      await page.click("text=Add document");
      await page.fill("[aria-label='Document JSON']", JSON.stringify({ author: "linus", body: "from the dashboard" }));
      await page.click("text=Save");
      await page.waitForFunction(() => document.querySelector("table.docs")?.textContent.includes("from the dashboard"));
      const added = (await http.query(api.messages.list, { author: "linus" }))[0];
      assert.equal(added.body, "from the dashboard");
      await page.click(`tr[data-id="${added._id}"] >> text=Delete`);
      await page.waitForFunction(() => !document.querySelector("table.docs")?.textContent.includes("from the dashboard"));
      assert.equal((await http.query(api.messages.list, { author: "linus" })).length, 0);
    });

    it("runs a function with arguments and shows its result and logs", async () => {
      await page.click("[data-page=functions]");
      await page.click("[data-function='messages:send']");
      await page.fill("#fn-args", JSON.stringify({ author: "ada", body: "run from the dashboard" }));
      await page.click("text=Run mutation");
      await page.waitForSelector("[data-testid=result]");
      assert.match(await page.textContent("[data-testid=result]"), /^Result/);
      await page.waitForFunction(() => document.querySelector(".runs")?.textContent.includes("sending a message from ada"));
      assert.equal((await http.query(api.messages.list, { author: "ada" })).filter((m) => m.body === "run from the dashboard").length, 1);
      await shot("functions");
    });

    it("shows invalid arguments as the function's error", async () => {
      await page.fill("#fn-args", JSON.stringify({ author: 1 }));
      await page.click("text=Run mutation");
      await page.waitForSelector("[data-testid=result].failed");
      assert.match(await page.textContent("[data-testid=result]"), /ArgumentValidationError|validator/);
      await page.fill("#fn-args", "{ nope");
      await page.click("text=Run mutation");
      await page.waitForFunction(() => document.querySelector("[data-testid=result]")?.textContent.includes("not valid JSON"));
    });

    it("shows a log line as it arrives", async () => {
      await page.click("[data-page=logs]");
      await page.waitForSelector("table.logs");
      await http.mutation(api.messages.send, { author: "watcher", body: "live" });
      await page.waitForFunction(() => document.querySelector("table.logs")?.textContent.includes("sending a message from watcher"));
      await http.mutation(api.messages.fail, {}).catch(() => {});
      await page.waitForFunction(() => document.querySelector("table.logs")?.textContent.includes("this mutation always fails"));
      // The dashboard's own calls stay out of the log.
      assert.doesNotMatch(await page.textContent("table.logs"), /_system/);
      await shot("logs");
    });

    it("cancels a scheduled function", async () => {
      const id = await http.mutation(api.jobs.later, { note: "never" });
      await page.click("[data-page=schedules]");
      await page.waitForSelector(`table.jobs tr[data-id="${id}"]`);
      assert.match(await page.textContent(`table.jobs tr[data-id="${id}"]`), /jobs\.js:record.*pending/);
      assert.match(await page.textContent("tr[data-cron='nightly note']"), /jobs\.js:record.*never/);
      await shot("schedules");
      await page.click(`table.jobs tr[data-id="${id}"] >> text=Cancel`);
      await page.waitForSelector(`table.jobs tr[data-id="${id}"]`, { state: "detached" });
      assert.equal((await http.query(api.jobs.get, { id })).state.kind, "canceled");
    });

    it("uploads, downloads and deletes a file", async () => {
      await page.click("[data-page=files]");
      await page.waitForSelector("table.files");
      await page.setInputFiles("input[type=file]", { name: "hello.txt", mimeType: "text/plain", buffer: Buffer.from("hello from the dashboard") });
      await page.waitForSelector("table.files tbody tr[data-id]");
      const [file] = await http.query(api.files.list, {});
      assert.equal(file.size, "hello from the dashboard".length);
      const href = await page.getAttribute(`tr[data-id="${file._id}"] a`, "href");
      assert.equal(await (await fetch(href)).text(), "hello from the dashboard");
      await shot("files");
      await page.click(`tr[data-id="${file._id}"] >> text=Delete`);
      await page.waitForSelector(`tr[data-id="${file._id}"]`, { state: "detached" });
      assert.equal((await http.query(api.files.list, {})).length, 0);
    });

    it("shows the settings", async () => {
      await page.click("[data-page=settings]");
      await page.waitForSelector("[data-testid=cloud-url]");
      await shot("settings");
    });

    it("sets and removes environment variables, refusing bad names", async () => {
      await page.click("[data-page=env]");
      await page.fill("[aria-label='New variable name']", "GREETING");
      await page.fill("[aria-label='New variable value']", "hello");
      await page.click("form.row >> text=Add");
      await page.waitForSelector("tr[data-name=GREETING]");
      const list = await (await fetch(`${hull.url}/api/v1/list_environment_variables`, { headers: { Authorization: `Convex ${hull.adminKey}` } })).json();
      assert.equal(list.environmentVariables.GREETING, "hello");
      await shot("env");
      await page.fill("[aria-label='New variable name']", "1 bad name");
      await page.click("form.row >> text=Add");
      assert.match(await page.textContent("[role=alert]"), /Invalid environment variable name/);
      await page.click("tr[data-name=GREETING] >> text=Remove");
      await page.waitForSelector("tr[data-name=GREETING]", { state: "detached" });
    });

    it("never puts the admin key in a URL", () => {
      for (const u of urls) assert.ok(!u.includes(encodeURIComponent(hull.adminKey)) && !u.includes(hull.adminKey), u);
    });

    it("works behind a proxy that mounts hull under a path prefix", async () => {
      const proxy = await prefixProxy(hull.url);
      const ctx = await browser.newContext();
      try {
        const p = await ctx.newPage();
        await p.goto(`${proxy.url}/dashboard`);
        await p.fill("#admin-key", hull.adminKey);
        await p.click("button[type=submit]");
        await p.waitForSelector("[data-testid=version]");
        await p.click("[data-page=data]");
        await p.click("[data-table=messages]");
        await p.waitForSelector("table.docs tbody tr");
        assert.match(await p.textContent("[data-testid=count]"), /documents/);
        assert.ok(p.url().startsWith(`${proxy.url}/dashboard/`), p.url());
      } finally {
        await ctx.close();
        proxy.server.closeAllConnections();
        proxy.server.close();
      }
    });

    it("logs in once with a `hull dashboard` link, which then no longer works", async () => {
      const link = await loginLink(hull);
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      await p.goto(link);
      await p.waitForSelector("[data-testid=version]");
      assert.ok(!p.url().includes("code="), `the code stayed in the address bar: ${p.url()}`);
      // The entry was replaced, not added: going back leaves the app.
      await p.goBack();
      assert.ok(!p.url().includes("code="), `the code is in the history: ${p.url()}`);
      await ctx.close();
      const again = await (await browser.newContext()).newPage();
      await again.goto(link);
      assert.match(await again.textContent("[role=alert]"), /already used/);
      await again.goto(`${hull.url}/dashboard/#code=bogus.code`);
      await again.reload();
      assert.match(await again.textContent("[role=alert]"), /not valid/);
      const expiring = await loginLink(hull, "--dashboard-link-ttl", "1s");
      await new Promise((r) => setTimeout(r, 2100));
      await again.goto("about:blank");
      await again.goto(expiring);
      assert.match(await again.textContent("[role=alert]"), /expired/);
      await again.screenshot({ path: join(shots, `${backend}-login-link-expired.png`) });
    });
  });
}
