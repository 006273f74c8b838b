// A small identity provider for the tests: OIDC discovery, a JWKS whose
// keys can be rotated, and tokens signed with real RS256 and ES256 keys
// (jose). It listens on 127.0.0.1 only.
import { createServer } from "node:http";
import { SignJWT, generateKeyPair, exportJWK } from "jose";

export class Issuer {
  static async start() {
    const is = new Issuer();
    is.keys = [];
    is.jwksHits = 0;
    is.server = createServer((req, res) => is.handle(req, res));
    await new Promise((r) => is.server.listen(0, "127.0.0.1", r));
    is.url = `http://127.0.0.1:${is.server.address().port}`;
    return is;
  }

  // addKey makes a signing key and publishes it; it returns its kid.
  async addKey(alg, kid) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
    this.keys.push({ alg, kid, privateKey, jwk });
    return kid;
  }

  // rotate replaces the published keys by a new one.
  async rotate(alg, kid) {
    this.keys = [];
    return await this.addKey(alg, kid);
  }

  handle(req, res) {
    const send = (status, body, type = "application/json") => {
      res.writeHead(status, { "content-type": type });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (req.url === "/.well-known/openid-configuration") {
      return send(200, { issuer: this.url, jwks_uri: `${this.url}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ["RS256", "ES256"] });
    }
    if (req.url === "/.well-known/jwks.json") {
      this.jwksHits++;
      return send(200, { keys: this.keys.map((k) => k.jwk) });
    }
    if (req.url === "/garbage-jwks") return send(200, "<html>this is not a key set</html>");
    send(404, { error: "not found" });
  }

  // token signs claims with the key kid (default: the first); header
  // fields may be overridden.
  async token(claims = {}, { kid, header = {}, lifetime = 3600 } = {}) {
    const key = kid ? this.keys.find((k) => k.kid === kid) : this.keys[0];
    const now = Math.floor(Date.now() / 1000);
    const body = { iss: this.url, sub: "user-1", aud: "hull-e2e", iat: now, exp: now + lifetime, ...claims };
    for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
    return await new SignJWT(body).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...header }).sign(key.privateKey);
  }

  async stop() {
    await new Promise((r) => this.server.close(r));
  }
}

// unsigned returns an "alg: none" token of claims.
export function unsigned(claims) {
  const b = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b({ alg: "none", typ: "JWT" })}.${b(claims)}.`;
}
