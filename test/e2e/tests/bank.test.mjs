// Bank: 16 ConvexHttpClients move money between 100 accounts at once.
// Serializable mutations (optimistic concurrency, conflicting ones run
// again) must conserve the total, and every transfer a client saw succeed
// must be in the balances exactly once. Runs on SQLite and PostgreSQL.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { ConvexError } from "convex/values";
import { Hull, App, backends } from "../lib/hull.mjs";

const CLIENTS = 16;
const ACCOUNTS = 100;
const START = 1000;
// Transfers per client (16 x 2,000 = 32,000 mutations, under two minutes
// per backend on a 2-core machine); HULL_BANK_TRANSFERS overrides.
const TRANSFERS = Number(process.env.HULL_BANK_TRANSFERS ?? 2000);

const names = Array.from({ length: ACCOUNTS }, (_, i) => `acct-${String(i).padStart(3, "0")}`);

// A small seeded generator, so a failing run can be repeated.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function runClient(url, seed, delta) {
  const client = new ConvexHttpClient(url);
  const rand = rng(seed);
  const stats = { ok: 0, overdraft: 0, exhausted: 0 };
  for (let i = 0; i < TRANSFERS; i++) {
    const from = names[Math.floor(rand() * ACCOUNTS)];
    let to = names[Math.floor(rand() * (ACCOUNTS - 1))];
    if (to === from) to = names[ACCOUNTS - 1];
    const amount = 1 + Math.floor(rand() * 300);
    try {
      await client.mutation("bank:transfer", { from, to, amount });
    } catch (e) {
      if (e instanceof ConvexError && e.data?.kind === "Overdraft") {
        stats.overdraft++;
        continue;
      }
      // Under heavy contention a mutation may conflict on every retry;
      // Convex then reports the conflict and nothing was applied.
      if (/changed while this mutation was being run and on every subsequent retry/.test(String(e.message))) {
        stats.exhausted++;
        continue;
      }
      throw e;
    }
    stats.ok++;
    delta.set(from, delta.get(from) - amount);
    delta.set(to, delta.get(to) + amount);
  }
  return stats;
}

for (const backend of backends()) {
  describe(`bank on ${backend}`, () => {
    let hull, app;

    before(async () => {
      // Retries are logged at debug level; the test counts them.
      hull = await Hull.create(backend, { HULL_LOG_LEVEL: "debug", HULL_LOG_FORMAT: "json" });
      app = await App.create("bank", hull);
      await app.deploy();
      await new ConvexHttpClient(hull.url).mutation("bank:open", { names, balance: START });
    });

    after(async () => {
      await app?.destroy();
      await hull?.destroy();
    });

    it(`conserves money under ${CLIENTS} concurrent clients`, { timeout: 600_000 }, async () => {
      const delta = new Map(names.map((n) => [n, 0]));
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => runClient(hull.url, 1000 + i, delta)));
      const seconds = (Date.now() - started) / 1000;

      const reader = new ConvexHttpClient(hull.url);
      assert.equal(await reader.query("bank:total", {}), ACCOUNTS * START);
      const balances = await reader.query("bank:balances", {});
      for (const n of names) {
        assert.equal(balances[n], START + delta.get(n), `balance of ${n}`);
        assert.ok(balances[n] >= 0, `${n} is overdrawn`);
      }
      const ok = results.reduce((s, r) => s + r.ok, 0);
      const overdraft = results.reduce((s, r) => s + r.overdraft, 0);
      const exhausted = results.reduce((s, r) => s + r.exhausted, 0);
      assert.equal(ok + overdraft + exhausted, CLIENTS * TRANSFERS);
      assert.ok(exhausted <= (CLIENTS * TRANSFERS) / 100, `${exhausted} transfers ran out of retries`);
      const retries = (hull.output.match(/retrying a conflicting transaction/g) ?? []).length;
      console.log(
        `bank on ${backend}: ${ok} transfers, ${overdraft} refused overdrafts, ${exhausted} out of retries, ` +
          `${retries} OCC retries, ${seconds.toFixed(1)} s (${Math.round((ok + overdraft) / seconds)} mutations/s)`,
      );
    });
  });
}
