// Bank: many clients move money between accounts at once. Serializable
// mutations (optimistic concurrency; a conflicting mutation runs again,
// serialized after a few conflicts) must conserve the total, every
// transfer a client saw succeed must be in the balances exactly once, and
// contention must never fail a mutation: it costs latency, not an error.
// Runs on SQLite and PostgreSQL.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { ConvexError } from "convex/values";
import { Hull, App, backends } from "../lib/hull.mjs";

const START = 1000;
// Transfers per client: HULL_BANK_SCALE multiplies the defaults below,
// which keep each backend well under a minute on a quiet 2-core machine
// (before serialized retries, the second scenario failed ~5 % of its
// transfers with a conflict).
const SCALE = Number(process.env.HULL_BANK_SCALE ?? 1);

const scenarios = [
  // Many accounts: conflicts are occasional.
  { name: "16 HTTP clients on 100 accounts", clients: 16, accounts: 100, transfers: 750 * SCALE, websocket: () => false },
  // Few accounts: nearly every transfer conflicts with another; half the
  // clients are WebSocket clients, half HTTP clients.
  { name: "64 clients on 10 accounts", clients: 64, accounts: 10, transfers: 60 * SCALE, websocket: (i) => i % 2 === 0 },
];

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

async function runClient(client, sc, names, seed, delta) {
  const rand = rng(seed);
  const stats = { ok: 0, overdraft: 0 };
  for (let i = 0; i < sc.transfers; i++) {
    const from = names[Math.floor(rand() * names.length)];
    let to = names[Math.floor(rand() * (names.length - 1))];
    if (to === from) to = names[names.length - 1];
    const amount = 1 + Math.floor(rand() * 300);
    try {
      await client.mutation("bank:transfer", { from, to, amount });
    } catch (e) {
      if (e instanceof ConvexError && e.data?.kind === "Overdraft") {
        stats.overdraft++;
        continue;
      }
      throw e; // a conflict that ran out of retries fails the test here
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
    const sockets = [];

    before(async () => {
      // Retries are logged at debug level; the test counts them.
      hull = await Hull.create(backend, { HULL_LOG_LEVEL: "debug", HULL_LOG_FORMAT: "json" });
      app = await App.create("bank", hull);
      await app.deploy();
    });

    after(async () => {
      for (const c of sockets) await c.close();
      await app?.destroy();
      await hull?.destroy();
    });

    for (const [n, sc] of scenarios.entries()) {
      it(`${sc.name}: no transfer fails, money is conserved`, { timeout: 600_000 }, async () => {
        const names = Array.from({ length: sc.accounts }, (_, i) => `s${n}-acct-${String(i).padStart(3, "0")}`);
        await new ConvexHttpClient(hull.url).mutation("bank:open", { names, balance: START });
        const delta = new Map(names.map((a) => [a, 0]));
        const clients = Array.from({ length: sc.clients }, (_, i) => {
          if (!sc.websocket(i)) return new ConvexHttpClient(hull.url);
          // Refused overdrafts are expected: keep the client from logging each.
          const c = new ConvexClient(hull.url, { unsavedChangesWarning: false, logger: false });
          sockets.push(c);
          return c;
        });
        const retriesBefore = (hull.output.match(/retrying a conflicting transaction/g) ?? []).length;
        const started = Date.now();
        const results = await Promise.all(clients.map((c, i) => runClient(c, sc, names, 1000 * (n + 1) + i, delta)));
        const seconds = (Date.now() - started) / 1000;

        const balances = await new ConvexHttpClient(hull.url).query("bank:balances", {});
        let total = 0;
        for (const a of names) {
          assert.equal(balances[a], START + delta.get(a), `balance of ${a}`);
          assert.ok(balances[a] >= 0, `${a} is overdrawn`);
          total += balances[a];
        }
        assert.equal(total, sc.accounts * START);
        const ok = results.reduce((s, r) => s + r.ok, 0);
        const overdraft = results.reduce((s, r) => s + r.overdraft, 0);
        assert.equal(ok + overdraft, sc.clients * sc.transfers);
        const retries = (hull.output.match(/retrying a conflicting transaction/g) ?? []).length - retriesBefore;
        console.log(
          `bank on ${backend}, ${sc.name}: ${ok} transfers, ${overdraft} refused overdrafts, ` +
            `${retries} OCC retries, ${seconds.toFixed(1)} s (${Math.round((ok + overdraft) / seconds)} mutations/s)`,
        );
      });
    }
  });
}
