// A minimal S3 client for the tests: AWS Signature Version 4 over fetch,
// enough to create and empty a bucket and to list what hull stored in it,
// against the versitygw server that scripts/s3-test-server.sh starts.
import { createHash, createHmac, randomBytes } from "node:crypto";

// s3Server returns the test server from HULL_TEST_S3_*, or null when the
// run has none; like PostgreSQL, a missing server fails the suite unless
// HULL_TEST_S3=off says so explicitly.
export function s3Server() {
  const endpoint = process.env.HULL_TEST_S3_ENDPOINT;
  if (!endpoint) {
    if (process.env.HULL_TEST_S3 === "off") return null;
    throw new Error("HULL_TEST_S3_ENDPOINT is not set: run the suite with `make test` (it starts an S3 server), or set HULL_TEST_S3=off for a local run without S3.");
  }
  return {
    endpoint: endpoint.replace(/\/$/, ""),
    accessKeyId: process.env.HULL_TEST_S3_ACCESS_KEY_ID,
    secretAccessKey: process.env.HULL_TEST_S3_SECRET_ACCESS_KEY,
    region: process.env.HULL_TEST_S3_REGION || "auto",
  };
}

// blobBackends lists where the suite stores files: the local folder, and
// S3 when the run has a server.
export function blobBackends() {
  return s3Server() ? ["local", "s3"] : ["local"];
}

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => createHmac("sha256", key).update(data).digest();

// request sends one signed S3 request; path is "/bucket/key" (path style).
export async function s3Request(server, method, path, { query = {}, body = "" } = {}) {
  const url = new URL(server.endpoint + path);
  const params = Object.entries(query).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [k, v] of params) url.searchParams.set(k, v);
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(body);
  const headers = { host: url.host, "x-amz-content-sha256": payloadHash, "x-amz-date": amzDate };
  const signed = Object.keys(headers).sort();
  const canonicalQuery = params
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  const canonical = [method, url.pathname, canonicalQuery, signed.map((h) => `${h}:${headers[h]}\n`).join(""), signed.join(";"), payloadHash].join("\n");
  const scope = `${day}/${server.region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  let key = hmac(`AWS4${server.secretAccessKey}`, day);
  for (const part of [server.region, "s3", "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${server.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
  delete headers.host;
  const r = await fetch(url, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : body });
  const text = await r.text();
  if (!r.ok) throw new Error(`S3 ${method} ${path}: ${r.status} ${text}`);
  return text;
}

// newBucket creates an empty bucket and returns its name.
export async function newBucket(server) {
  const name = `hull-e2e-${randomBytes(5).toString("hex")}`;
  await s3Request(server, "PUT", `/${name}`);
  return name;
}

// listKeys returns the keys of the objects under prefix.
export async function listKeys(server, bucket, prefix = "") {
  const keys = [];
  let token;
  for (;;) {
    const query = { "list-type": "2", prefix };
    if (token) query["continuation-token"] = token;
    const xml = await s3Request(server, "GET", `/${bucket}`, { query });
    for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1]);
    const next = xml.match(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/);
    if (!next) return keys;
    token = next[1];
  }
}

// dropBucket deletes every object of the bucket, then the bucket.
export async function dropBucket(server, bucket) {
  for (const key of await listKeys(server, bucket)) {
    await s3Request(server, "DELETE", `/${bucket}/${key}`);
  }
  await s3Request(server, "DELETE", `/${bucket}`).catch(() => {});
}

// hullEnv is the environment that points a hull at the bucket.
export function hullEnv(server, bucket, prefix) {
  return {
    S3_STORAGE_FILES_BUCKET: bucket,
    S3_ENDPOINT_URL: server.endpoint,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    HULL_S3_KEY_PREFIX: prefix,
  };
}
