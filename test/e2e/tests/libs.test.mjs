// Popular npm libraries inside functions: date-fns, lodash, jose and
// convex-helpers, deployed with the official CLI and called through the
// official client.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { createServer } from "node:http";
import { Hull, App, backends, freePort } from "../lib/hull.mjs";

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

    it("AsyncLocalStorage from node:async_hooks keeps each branch's store across awaits", async () => {
      assert.deepEqual(await client.mutation(api.context.scoped, { names: ["ann", "ben"] }), {
        branches: [
          ["ann:start", "ann:inserted", "ann:read ann"],
          ["ben:start", "ben:inserted", "ben:read ben"],
        ],
        outside: null,
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

    it("Web platform APIs work inside queries", async () => {
      const p = await client.query(api.web.platform, {});
      assert.deepEqual(p, {
        url: "https://example.com/b?x=1&y=two&z=3",
        host: "example.com",
        decoded: "héllo",
        digest: p.digest,
        b64: "aGkh",
        cloneOk: true,
        blob: [4, "abcd"],
        form: "v",
        json: { ok: true },
        aborted: [true, "stop"],
        number: "$1,234.50",
        date: "Nov 26, 2026",
        uuid: true,
        unicode: true,
      });
      assert.equal(p.digest.length, 4);
    });

    it("a function returning a value that is not a Convex value fails with the convex package's error", async () => {
      await assert.rejects(client.query(api.web.notConvex, {}), /Map.*not a supported Convex type|not a supported Convex type/);
    });

    it("actions fetch (concurrently, streaming) and wait on timers", async () => {
      const server = createServer((req, res) => {
        if (req.url === "/json") return res.end(JSON.stringify({ from: "server" }));
        let body = "";
        req.on("data", (d) => (body += d));
        req.on("end", () => res.writeHead(201).end(`${req.method} ${body}`));
      });
      const port = await freePort();
      await new Promise((r) => server.listen(port, "127.0.0.1", r));
      try {
        assert.deepEqual(await client.action(api.web.fetchJSON, { url: `http://127.0.0.1:${port}` }), {
          a: { from: "server" },
          b: "POST sent",
          status: 201,
          streamed: { from: "server" },
          waited: true,
        });
      } finally {
        server.close();
      }
    });

    it("jose encrypts tokens (AES-GCM, ECDH-ES with AES key wrap) and signs with EdDSA; crypto.subtle derives and encrypts", async () => {
      assert.deepEqual(await client.action(api.encryption.roundTrip, { secret: "correct horse" }), {
        directOut: "direct",
        wrappedOut: "wrapped",
        signedOut: "signed",
        crv: "Ed25519",
        pt: "by hand",
        ctBytes: 16,
        tampered: "JWEDecryptionFailed",
      });
    });

    it("an action streams a request body as it produces it and reads the response with a BYOB reader", async () => {
      const seen = [];
      const server = createServer((req, res) => {
        let body = "";
        req.on("data", (d) => {
          seen.push(String(d));
          body += d;
        });
        req.on("end", () => res.writeHead(200).end(`${req.headers["transfer-encoding"]}|${body}`));
      });
      const port = await freePort();
      await new Promise((r) => server.listen(port, "127.0.0.1", r));
      try {
        const parts = 50;
        const expected = Array.from({ length: parts }, (_, i) => `part${i};`).join("");
        assert.deepEqual(await client.action(api.streams.upload, { url: `http://127.0.0.1:${port}`, parts }), {
          status: 200,
          echoed: `chunked|${expected}`,
        });
        assert.equal(seen.join(""), expected);
      } finally {
        server.close();
      }
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
