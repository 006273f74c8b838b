// Convex Auth (@convex-dev/auth, pinned): an app set up as its README
// says (auth.config.ts on CONVEX_SITE_URL, convex/auth.ts with the
// Password provider, convex/http.ts with auth.addHttpRoutes, the
// JWT_PRIVATE_KEY and JWKS variables set with `npx convex env set`),
// deployed with the official CLI; then password sign-up and sign-in and
// authenticated queries through the official clients.
//
// Sign-in needs two things hull may not have: HTTP actions (the library's
// discovery document and JWKS are HTTP routes on the site origin, which
// hull fetches to verify its tokens) and a fast JavaScript engine (its
// password hashing takes minutes on QuickJS). The deploy always runs; the
// sign-in test runs when the site serves the library's discovery document
// and HULL_E2E_FAST_ENGINE=1 says functions run on a fast engine, and
// otherwise says plainly why it did not run.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";
import { Hull, App, subscribeUntil } from "../lib/hull.mjs";

const api = anyApi;

const waitFor = (client, query, args, ok, what, timeout = 30_000) => subscribeUntil(client, query, args, ok, what, timeout);

describe("Convex Auth (@convex-dev/auth) with the Password provider", () => {
  let hull, app;
  const clients = [];

  before(async () => {
    hull = await Hull.create("sqlite");
    app = await App.create("convex-auth", hull);
    // The keys, as the library's setup script makes them.
    const keys = await generateKeyPair("RS256", { extractable: true });
    const privateKey = (await exportPKCS8(keys.privateKey)).trimEnd().replace(/\n/g, " ");
    const jwks = JSON.stringify({ keys: [{ use: "sig", ...(await exportJWK(keys.publicKey)) }] });
    for (const [name, value] of [["JWT_PRIVATE_KEY", privateKey], ["JWKS", jwks], ["SITE_URL", "http://localhost:5173"]]) {
      const r = await app.convex(["env", "set", "--", name, value]);
      assert.equal(r.code, 0, `env set ${name}: ${r.stdout}\n${r.stderr}`);
    }
  });

  after(async () => {
    for (const c of clients) await c.close();
    await app?.destroy();
    await hull?.destroy();
  });

  it("deploys with the auth.config.ts, auth.ts and http.ts its README has", async () => {
    await app.deploy();
    const r = await app.convex(["env", "list"]);
    assert.match(r.stdout, /JWKS=/);
  });

  // unavailable says why sign-in cannot run on this hull, or "".
  async function unavailable() {
    const why = [];
    const site = `${hull.url}/http`;
    const res = await fetch(`${site}/.well-known/openid-configuration`).catch((e) => ({ status: `no answer (${e.message})` }));
    let issuer = null;
    if (res.status === 200) issuer = (await res.json().catch(() => ({}))).issuer ?? null;
    if (issuer === null) {
      why.push(`hull does not serve HTTP actions here (GET ${site}/.well-known/openid-configuration answered ${res.status}), and Convex Auth serves its discovery document and JWKS as HTTP routes`);
    }
    if (process.env.HULL_E2E_FAST_ENGINE !== "1") {
      why.push("functions run on QuickJS, where Convex Auth's password hashing takes minutes; set HULL_E2E_FAST_ENGINE=1 when hull runs them on a fast engine");
    }
    return why.join("; ");
  }

  it("signs up and signs in with a password; authenticated queries see the user", async (t) => {
    const why = await unavailable();
    if (why) {
      const msg = `NOT RUN: Convex Auth sign-in: ${why}.`;
      console.log(msg);
      t.diagnostic(msg);
      t.skip(msg);
      return;
    }
    const email = "ada@example.com";
    const password = "correct horse battery staple";
    const http = new ConvexHttpClient(hull.url);
    const signedUp = await http.action(api.auth.signIn, { provider: "password", params: { email, password, flow: "signUp" } });
    assert.ok(signedUp.tokens?.token, `sign-up returns tokens: ${JSON.stringify(signedUp)}`);
    assert.equal(await http.query(api.messages.viewer, {}), null);
    http.setAuth(signedUp.tokens.token);
    assert.equal((await http.query(api.messages.viewer, {})).email, email);
    await http.mutation(api.messages.send, { body: "hello" });

    const other = new ConvexHttpClient(hull.url);
    await assert.rejects(other.action(api.auth.signIn, { provider: "password", params: { email, password: "wrong password", flow: "signIn" } }), /InvalidSecret/);
    const signedIn = await other.action(api.auth.signIn, { provider: "password", params: { email, password, flow: "signIn" } });
    assert.ok(signedIn.tokens?.token);

    const live = new ConvexClient(hull.url, { unsavedChangesWarning: false });
    clients.push(live);
    await waitFor(live, api.messages.mine, {}, (v) => v === null, "nothing while signed out");
    live.setAuth(async () => signedIn.tokens.token);
    await waitFor(live, api.messages.mine, {}, (v) => Array.isArray(v) && v[0] === "hello", "the user's messages once signed in");
    assert.equal((await live.query(api.messages.viewer, {})).email, email);
    live.client.clearAuth();
    await waitFor(live, api.messages.mine, {}, (v) => v === null, "nothing after sign-out");
  });
});
