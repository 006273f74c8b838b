// Convex Auth end to end: password sign-up and sign-in through the
// official client against a real hull, the app being test/e2e's
// convex-auth fixture (@convex-dev/auth's Password provider, set up as
// its README says) deployed with the official CLI. Prints, per round, the
// time of the sign-up action and of the sign-in action as the client sees
// them, and their sum beside the floor (1 s together).
//
//	(cd test/e2e && npm ci)
//	HULL_BIN=$PWD/bin/hull-v8 node bench/convexauth/run.mjs [rounds]
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { Hull, App, e2eDir } from "../../test/e2e/lib/hull.mjs";

const require = createRequire(join(e2eDir, "package.json"));
const load = async (name) => {
  const m = await import(pathToFileURL(require.resolve(name)).href);
  return m.default && typeof m.default === "object" ? { ...m.default, ...m } : m;
};
const { ConvexHttpClient } = await load("convex/browser");
const { anyApi } = await load("convex/server");
const { exportJWK, exportPKCS8, generateKeyPair } = await load("jose");

const rounds = Number(process.argv[2] ?? 3);
const floorMs = 1000;

const hull = await Hull.create("sqlite");
const app = await App.create("convex-auth", hull);
try {
  const keys = await generateKeyPair("RS256", { extractable: true });
  const privateKey = (await exportPKCS8(keys.privateKey)).trimEnd().replace(/\n/g, " ");
  const jwks = JSON.stringify({ keys: [{ use: "sig", ...(await exportJWK(keys.publicKey)) }] });
  for (const [name, value] of [["JWT_PRIVATE_KEY", privateKey], ["JWKS", jwks], ["SITE_URL", "http://localhost:5173"]]) {
    const r = await app.convex(["env", "set", "--", name, value]);
    if (r.code !== 0) throw new Error(`env set ${name}: ${r.stderr}`);
  }
  await app.deploy();

  const rows = [];
  for (let i = 0; i < rounds; i++) {
    const email = `user${i}@example.com`;
    const password = "correct horse battery staple";
    const http = new ConvexHttpClient(hull.url);
    let t0 = performance.now();
    const up = await http.action(anyApi.auth.signIn, { provider: "password", params: { email, password, flow: "signUp" } });
    const upMs = performance.now() - t0;
    if (!up.tokens?.token) throw new Error(`sign-up returned no token: ${JSON.stringify(up)}`);
    t0 = performance.now();
    const inn = await new ConvexHttpClient(hull.url).action(anyApi.auth.signIn, { provider: "password", params: { email, password, flow: "signIn" } });
    const inMs = performance.now() - t0;
    if (!inn.tokens?.token) throw new Error(`sign-in returned no token: ${JSON.stringify(inn)}`);
    rows.push({ upMs, inMs });
  }
  console.log(`\nConvex Auth password flow through the official client (${process.env.HULL_BIN ?? "QuickJS build"})\n`);
  console.log("| round | sign-up | sign-in | together | floor | ratio to floor | |");
  console.log("|---|---|---|---|---|---|---|");
  rows.forEach(({ upMs, inMs }, i) => {
    const sum = upMs + inMs;
    console.log(`| ${i + 1} | ${upMs.toFixed(0)} ms | ${inMs.toFixed(0)} ms | ${sum.toFixed(0)} ms | ${floorMs} ms | ${(sum / floorMs).toFixed(2)}× | ${sum <= floorMs ? "met" : "NOT MET"} |`);
  });
} finally {
  await app.destroy();
  await hull.destroy();
}
