// A React app (Vite, ConvexReactClient: useQuery, useMutation,
// usePaginatedQuery) served from another origin and driven in headless
// Chromium, showing live updates made by a second client.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, extname } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Hull, App, backends, e2eDir, freePort } from "../lib/hull.mjs";

const api = anyApi;
const run = promisify(execFile);
const chromiumPath = process.env.HULL_TEST_CHROMIUM ?? "/usr/bin/chromium";

// serveStatic serves dir on a free loopback port: the app's own origin,
// distinct from hull's.
async function serveStatic(dir) {
  const types = { ".html": "text/html", ".js": "text/javascript" };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/favicon.ico") return res.writeHead(204).end();
    try {
      const body = await readFile(join(dir, path === "/" ? "index.html" : path));
      res.writeHead(200, { "content-type": types[extname(path)] ?? "text/html" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${port}` };
}

for (const backend of backends()) {
  describe(`a React app in Chromium on ${backend}`, () => {
    let hull, app, site, browser, outDir;
    const consoleErrors = [];

    before(async () => {
      outDir = await mkdtemp(join(tmpdir(), "hull-web-"));
      await run(join(e2eDir, "node_modules", ".bin", "vite"), ["build", "--outDir", outDir], { cwd: join(e2eDir, "web") });
      site = await serveStatic(outDir);
      hull = await Hull.create(backend);
      app = await App.create("live", hull);
      await app.deploy();
      browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });
    });

    after(async () => {
      await browser?.close();
      site?.server.close();
      await app?.destroy();
      await hull?.destroy();
      if (outDir) await rm(outDir, { recursive: true, force: true });
    });

    it("shows a live list updated by another client and by its own form, cross-origin", async () => {
      const page = await browser.newPage();
      page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
      await page.goto(`${site.url}/?url=${encodeURIComponent(hull.url)}&list=web`);
      await page.locator("#items").waitFor({ state: "attached", timeout: 15_000 });
      assert.equal(await page.locator("#items li").count(), 0);

      const other = new ConvexHttpClient(hull.url);
      await other.mutation(api.items.add, { list: "web", text: "from node" });
      await page.locator("#items li", { hasText: "from node" }).waitFor({ timeout: 15_000 });

      await page.fill("#text", "from the page");
      await page.click("#add");
      await page.locator("#items li", { hasText: "from the page" }).waitFor({ timeout: 15_000 });
      assert.deepEqual(await other.query(api.items.list, { list: "web" }), ["from node", "from the page"]);
      assert.deepEqual(consoleErrors, []);
      await page.close();
    });

    it("pages through a list that grows live", async () => {
      const other = new ConvexHttpClient(hull.url);
      for (let i = 0; i < 3; i++) await other.mutation(api.items.add, { list: "paged", text: `p${i}` });
      const page = await browser.newPage();
      await page.goto(`${site.url}/?url=${encodeURIComponent(hull.url)}&list=paged`);
      await page.locator("#status", { hasText: "CanLoadMore" }).waitFor({ timeout: 15_000 });
      assert.equal(await page.locator("#pages li").count(), 2);
      await page.click("#more");
      await page.locator("#status", { hasText: "Exhausted" }).waitFor({ timeout: 15_000 });
      assert.equal(await page.locator("#pages li").count(), 3);
      await other.mutation(api.items.add, { list: "paged", text: "p3" });
      await page.locator("#pages li", { hasText: "p3" }).waitFor({ timeout: 15_000 });
      assert.deepEqual(await page.locator("#pages li").allTextContents(), ["p0", "p1", "p2", "p3"]);
      await page.close();
    });
  });
}
