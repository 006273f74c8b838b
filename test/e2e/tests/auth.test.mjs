// User authentication through the official clients: an OIDC provider
// (discovery + JWKS, RS256) and a customJwt provider (ES256, a data: URI
// JWKS) from auth.config.ts, tokens given with setAuth to ConvexHttpClient
// and ConvexClient, identity-dependent results, refused tokens, key
// rotation and a token that expires during a session.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Hull, App, backends, subscribeUntil } from "../lib/hull.mjs";
import { Issuer, unsigned } from "../lib/oidc.mjs";

const api = anyApi;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const waitFor = subscribeUntil;

// refusal returns {code, message} of a 401 the HTTP client threw.
async function refusal(promise) {
  try {
    await promise;
  } catch (e) {
    return JSON.parse(e.message);
  }
  assert.fail("the call was not refused");
}

for (const backend of backends()) {
  describe(`user authentication on ${backend}`, () => {
    let hull, app, oidc, custom, broken;
    const clients = [];
    const live = (opts = {}) => {
      const c = new ConvexClient(hull.url, { unsavedChangesWarning: false, ...opts });
      clients.push(c);
      return c;
    };
    const http = (token) => {
      const c = new ConvexHttpClient(hull.url);
      if (token) c.setAuth(token);
      return c;
    };

    before(async () => {
      oidc = await Issuer.start();
      await oidc.addKey("RS256", "rsa-1");
      custom = await Issuer.start();
      await custom.addKey("ES256", "ec-1");
      broken = await Issuer.start();
      await broken.addKey("RS256", "rsa-b"); // signs; its provider's JWKS URL serves garbage
      hull = await Hull.create(backend);
      app = await App.create("auth", hull);
      const jwks = "data:application/json;base64," + Buffer.from(JSON.stringify({ keys: custom.keys.map((k) => k.jwk) })).toString("base64");
      for (const [name, value] of [["OIDC_ISSUER", oidc.url], ["CUSTOM_ISSUER", custom.url], ["CUSTOM_JWKS", jwks], ["BROKEN_ISSUER", broken.url]]) {
        const r = await app.convex(["env", "set", name, value]);
        assert.equal(r.code, 0, r.stderr);
      }
      await app.deploy();
    });

    after(async () => {
      for (const c of clients) await c.close();
      await app?.destroy();
      await hull?.destroy();
      await Promise.all([oidc, custom, broken].map((i) => i?.stop()));
    });

    it("ConvexHttpClient with an OIDC token sees the identity Convex builds from its claims", async () => {
      assert.equal(await http().query(api.identity.whoami, {}), null);
      const token = await oidc.token({ name: "Ada Lovelace", email: "ada@example.com", email_verified: true, picture: "https://example.com/ada.png", org: { id: "o1" }, plan: "pro" });
      const id = await http(token).query(api.identity.whoami, {});
      assert.deepEqual(id, {
        tokenIdentifier: `${oidc.url}|user-1`,
        issuer: oidc.url,
        subject: "user-1",
        name: "Ada Lovelace",
        email: "ada@example.com",
        emailVerified: true,
        pictureUrl: "https://example.com/ada.png",
        org: { id: "o1" },
        plan: "pro",
      });
      const c = http(token);
      assert.equal((await c.query(api.identity.whoamiNested, {})).tokenIdentifier, `${oidc.url}|user-1`);
      assert.equal(await c.mutation(api.identity.whoamiMutation, {}), `${oidc.url}|user-1`);
      const me = `${oidc.url}|user-1`;
      assert.deepEqual(await c.action(api.identity.whoamiAction, {}), { own: me, viaQuery: me, viaMutation: me });
      c.clearAuth();
      assert.equal(await c.query(api.identity.whoami, {}), null);
    });

    it("an HTTP action runs as the request's bearer token, and its queries do too", async () => {
      const me = `${oidc.url}|user-1`;
      const get = (headers) => fetch(`${hull.url}/http/whoami`, { headers }).then(async (r) => ({ status: r.status, body: await r.json() }));
      assert.deepEqual(await get({}), { status: 200, body: { own: null, viaQuery: null } });
      const token = await oidc.token({});
      assert.deepEqual(await get({ Authorization: `Bearer ${token}` }), { status: 200, body: { own: me, viaQuery: me } });
      const refused = await get({ Authorization: "Bearer not-a-jwt" });
      assert.equal(refused.status, 401);
      assert.match(refused.body.refused, /Could not parse JWT payload/);
    });

    it("a customJwt ES256 token with a data: URI key set flattens its custom claims", async () => {
      const token = await custom.token({ aud: undefined, org: { id: "o2", role: "admin" } });
      const id = await http(token).query(api.identity.whoami, {});
      assert.equal(id.tokenIdentifier, `${custom.url}|user-1`);
      assert.equal(id["org.id"], "o2");
      assert.equal(id["org.role"], "admin");
      assert.equal(id.aud, undefined);
    });

    it("refused tokens get Convex's 401 and the function does not run", async () => {
      const now = Math.floor(Date.now() / 1000);
      const other = await Issuer.start();
      await other.addKey("RS256", "rsa-1"); // same kid, another key
      const forged = await other.token({ iss: oidc.url });
      await other.stop();
      const cases = [
        ["an expired token", await oidc.token({ iat: now - 7200, exp: now - 3600 }), "Unauthenticated", "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired. (Token expired"],
        ["a token for another audience", await oidc.token({ aud: "someone-else" }), "NoAuthProvider", "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain="],
        ["a token of another issuer", await oidc.token({ iss: "https://evil.example.com" }), "NoAuthProvider", "No auth provider found matching the given token."],
        ["a token with a bad signature", forged, "Unauthenticated", "(the signature is not valid)"],
        ["a token naming an unknown key", await oidc.token({}, { header: { kid: "nobody" } }), "Unauthenticated", 'no key of the provider has key id "nobody"'],
        ["an alg none token", unsigned({ iss: oidc.url, sub: "admin", aud: "hull-e2e", iat: now, exp: now + 60 }), "Unauthenticated", '"none"'],
        ["a malformed token", "not-a-jwt", "InvalidAuthHeader", "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots."],
        ["an oversized token", "x".repeat(20000), "InvalidAuthHeader", "at most 16384 are accepted"],
        ["a token whose provider serves garbage keys", await broken.token({ aud: "broken" }), "InvalidAuthHeader", "Invalid JWKS response body from"],
      ];
      for (const [what, token, code, message] of cases) {
        const r = await refusal(http(token).query(api.identity.whoami, {}));
        assert.equal(r.code, code, `${what}: ${JSON.stringify(r)}`);
        assert.ok(r.message.includes(message), `${what}: ${r.message}`);
      }
      const raw = await fetch(`${hull.url}/api/mutation`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Basic dXNlcjpwdw==" },
        body: JSON.stringify({ path: "identity:addNote", args: { text: "x" } }),
      });
      assert.equal(raw.status, 401);
      assert.deepEqual(await raw.json(), { code: "InvalidAuthHeader", message: "Header must begin with `bearer `" });
    });

    it("ConvexClient results that depend on the identity follow sign-in and sign-out", async () => {
      const alice = await oidc.token({ sub: "alice" });
      const bob = await oidc.token({ sub: "bob" });
      await http(alice).mutation(api.identity.addNote, { text: "alice's note" });
      await http(bob).mutation(api.identity.addNote, { text: "bob's note" });
      const c = live();
      const anon = live();
      await waitFor(c, api.identity.myNotes, {}, (v) => v === null, "no notes while signed out");
      let token = alice;
      const changes = [];
      c.setAuth(async () => token, (ok) => changes.push(ok));
      await waitFor(c, api.identity.myNotes, {}, (v) => Array.isArray(v) && v[0] === "alice's note", "alice's notes");
      assert.deepEqual(changes, [true]);
      await c.mutation(api.identity.addNote, { text: "from the socket" });
      await waitFor(c, api.identity.myNotes, {}, (v) => v?.length === 2, "alice's second note");
      // Another identity on the same query and args must never share its result.
      await waitFor(anon, api.identity.myNotes, {}, (v) => v === null, "an anonymous client still sees nothing");
      token = bob;
      // Once the server confirms a token, the client fetches it once more
      // (forceRefreshToken); signing out before that fetch returns would
      // race with it inside the client, so wait for it.
      let refetched;
      const settled = new Promise((r) => (refetched = r));
      c.setAuth(async (args) => {
        if (args.forceRefreshToken) setTimeout(refetched, 100);
        return token;
      });
      await waitFor(c, api.identity.myNotes, {}, (v) => Array.isArray(v) && v.length === 1 && v[0] === "bob's note", "bob's notes");
      await settled;
      c.client.clearAuth();
      await waitFor(c, api.identity.myNotes, {}, (v) => v === null, "no notes after sign-out");
      assert.equal(await anon.query(api.identity.whoami, {}), null);
    });

    it("a token the server refuses over the socket makes the client refetch, then give up", async () => {
      const c = live();
      const bad = await oidc.token({ aud: "someone-else" });
      const seen = [];
      const done = new Promise((resolve) => c.setAuth(async (args) => (seen.push(args.forceRefreshToken), bad), (ok) => ok === false && resolve()));
      await done;
      assert.ok(seen.includes(true), `the client refetched with forceRefreshToken: ${JSON.stringify(seen)}`);
      assert.equal(await c.query(api.identity.whoami, {}), null);
    });

    it("a rotated key is fetched when a token names its kid", async () => {
      const before = await oidc.token({ sub: "rotating" });
      assert.equal((await http(before).query(api.identity.whoami, {})).subject, "rotating");
      const hits = oidc.jwksHits;
      await oidc.rotate("RS256", "rsa-2");
      await sleep(5500); // the least time between two fetches for unknown key ids
      const after = await oidc.token({ sub: "rotated" });
      assert.equal((await http(after).query(api.identity.whoami, {})).subject, "rotated");
      assert.equal(oidc.jwksHits, hits + 1);
    });

    it("a token that expires during a session ends it with AuthError; the client refetches and goes on", async () => {
      const short = await oidc.token({ sub: "brief" }, { lifetime: 4 });
      const fresh = await oidc.token({ sub: "brief" });
      let expired = false;
      const asked = [];
      const c = live();
      c.setAuth(async (args) => {
        asked.push(args.forceRefreshToken);
        return expired ? fresh : short;
      });
      await waitFor(c, api.identity.whoami, {}, (v) => v?.subject === "brief", "the short-lived identity");
      await sleep(4500);
      expired = true;
      const asked0 = asked.length;
      // Running anything as the expired identity ends the session; the
      // mutation is resent once the client has authenticated again.
      assert.equal(await c.mutation(api.identity.whoamiMutation, {}), `${oidc.url}|brief`);
      assert.ok(asked.length > asked0 && asked.at(-1) === true, `the client refetched its token: ${JSON.stringify(asked)}`);
    });

    it("an admin acting as a user runs functions as that user", async () => {
      const r = await app.convex(["run", "identity:whoami", "--identity", JSON.stringify({ subject: "s1", issuer: "https://i.example.com", name: "Acting" })]);
      assert.equal(r.code, 0, r.stderr);
      const id = JSON.parse(r.stdout);
      assert.equal(id.tokenIdentifier, "https://i.example.com|s1");
      assert.equal(id.name, "Acting");
    });
  });
}
