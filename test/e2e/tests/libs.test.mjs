// Popular npm libraries inside functions: date-fns, lodash, jose and
// convex-helpers, deployed with the official CLI and called through the
// official client.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Hull, App, backends } from "../lib/hull.mjs";

const api = anyApi;

for (const backend of backends().slice(0, 1)) {
  describe(`npm libraries on ${backend}`, () => {
    let hull, app, client;

    before(async () => {
      hull = await Hull.create(backend);
      app = await App.create("libs", hull);
      await app.deploy();
      client = new ConvexHttpClient(hull.url);
    });

    after(async () => {
      await app?.destroy();
      await hull?.destroy();
    });

    it("date-fns formats, parses and computes dates", async () => {
      const d = await client.query(api.dates.describe, { iso: "2026-11-26T09:05:00Z" });
      assert.deepEqual(d, {
        formatted: "2026-11-26 09:05",
        weekday: "Thursday",
        plus10: "2026-12-06",
        weekStart: "2026-11-23",
        daysTo2030: 1132,
        nowIsFrozen: true,
      });
    });

    it("lodash works on collections", async () => {
      assert.deepEqual(await client.query(api.collections.shapes, {}), {
        byTeam: { core: ["ada", "cy"], web: ["bob"] },
        oldest: "cy",
        chunks: [[1, 2], [3, 4], [5]],
        sorted: ["ada", "cy", "bob"],
        untouched: 1,
        camel: "helloBigWorld",
        uniq: [3, 1, 2],
      });
    });

    it("convex-helpers custom functions and relationship helpers work", async () => {
      const seeded = await client.mutation(api.helpers.seed, {});
      assert.equal(seeded.stamp, "stamped");
      assert.deepEqual(await client.query(api.helpers.postsOf, { authorIds: seeded.authors }), [
        { author: "ADA", titles: ["one", "two"] },
        { author: "BOB", titles: ["three"] },
      ]);
    });

    it("jose signs and verifies JWTs with HMAC and ECDSA", async () => {
      assert.deepEqual(await client.action(api.tokens.roundTrip, { subject: "user-1" }), {
        hsSub: "user-1",
        role: "admin",
        esSub: "user-1",
        kty: "EC",
        tampered: "JWSSignatureVerificationFailed",
      });
    });
  });
}
