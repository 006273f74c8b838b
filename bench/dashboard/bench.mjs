// Dashboard benchmark: the bytes a first load of /dashboard/ transfers
// (gzip, what the server sends) against the 300 KB limit, and time to
// interactive on loopback in headless Chromium with a cold cache — to the
// login form, and to the overview with a saved session — beside loading a
// bare text page from the same server.
//
//   node bench/dashboard/bench.mjs     (from the repo root; needs test/e2e's npm packages and Debian's chromium)
import { chromium } from "../../test/e2e/node_modules/playwright-core/index.mjs";
import { Hull, App } from "../../test/e2e/lib/hull.mjs";

const N = Number(process.env.BENCH_N ?? 10);
const LIMIT = 300 * 1024; // 300 KB, counted as KiB
const chromiumPath = process.env.HULL_TEST_CHROMIUM ?? "/usr/bin/chromium";

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const hull = await Hull.create("sqlite");
const app = await App.create("dashboard", hull);
await app.deploy();
const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });

// load opens url in a fresh context (cold cache) and returns the ms from
// navigation start until selector is visible, and the bytes transferred
// until the network is idle.
async function load(url, selector, key) {
  const ctx = await browser.newContext();
  if (key) await ctx.addInitScript((k) => sessionStorage.setItem("hull.dashboard.adminKey", k), key);
  const page = await ctx.newPage();
  // Bytes as received over the wire (headers and the compressed body),
  // as Chromium's network layer counts them.
  let bytes = 0;
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Network.enable");
  cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForSelector(selector, { state: "visible" });
  const ms = await page.evaluate(() => performance.now());
  await page.waitForLoadState("networkidle").catch(() => {});
  await ctx.close();
  return { ms, bytes };
}

const rows = [];
const measure = async (name, url, selector, key) => {
  await load(url, selector, key); // warm the server, not the browser
  const runs = [];
  for (let i = 0; i < N; i++) runs.push(await load(url, selector, key));
  const ms = runs.map((r) => r.ms);
  rows.push({ name, p50: pct(ms, 50), max: Math.max(...ms), bytes: Math.max(...runs.map((r) => r.bytes)) });
};

await measure("bare text page (/version)", `${hull.url}/version`, "body");
await measure("first load → login form", `${hull.url}/dashboard/`, "#admin-key");
await measure("saved session → overview shown", `${hull.url}/dashboard/`, "[data-testid=version]", hull.adminKey);

const base = rows[0].p50;
console.log(`\ndashboard first load and time to interactive, loopback, headless Chromium, cold cache, N=${N}\n`);
console.log("| measurement | p50 ms | max ms | ratio to bare page | transferred KiB | ratio to 300 KiB limit |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.name} | ${r.p50.toFixed(0)} | ${r.max.toFixed(0)} | ${(r.p50 / base).toFixed(1)} | ${(r.bytes / 1024).toFixed(1)} | ${(r.bytes / LIMIT).toFixed(2)} |`);
}

await browser.close();
await app.destroy();
await hull.destroy();
