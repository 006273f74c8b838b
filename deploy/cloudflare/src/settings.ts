// The Worker's settings: wrangler.jsonc "vars", secrets from
// `npx wrangler secret put`, and the bindings. checkSettings finds what is
// missing or malformed before any container starts, and names the setting
// without ever quoting a secret's value.

import { decodeSecret } from "./adminkey";

/** The Worker's environment. Secrets arrive as plain strings. */
export interface Env {
  /** The Durable Object namespace of the backend container. */
  CONTAINER: DurableObjectNamespace;
  /** The stock dashboard's container (BACKEND=convex with DASHBOARD_HOST). */
  DASHBOARD_CONTAINER?: DurableObjectNamespace;
  /** The file bucket (checked by `wrangler deploy`; hull reaches it over the S3 API). */
  FILES?: R2Bucket;

  /** "hull" (default) or "convex" (the stock ghcr.io/get-convex/convex-backend image). */
  BACKEND?: string;
  /** The deployment's name: the Durable Object's name and the instance name admin keys carry. */
  INSTANCE_NAME?: string;
  INSTANCE_SECRET?: string;
  DATABASE_URL?: string;
  POSTGRES_URL?: string;
  /** The public origin (https://api.example.com); default: the origin of the request that starts the container. */
  PUBLIC_ORIGIN?: string;
  /** Convex option: the host serving the stock dashboard (it cannot live under /dashboard). */
  DASHBOARD_HOST?: string;

  /** Idle time before the container sleeps ("5m", "30s", "1h"). */
  SLEEP_AFTER?: string;
  /** "scheduled" (default): sleep unless a job is due soon; "always"; "never". */
  SLEEP_POLICY?: string;
  /** How long a request waits for a cold start before a 503 ("30s"). */
  COLD_START_TIMEOUT?: string;
  /** How early before a due job the alarm starts the container ("15s"). */
  WAKE_LEAD?: string;
  /** Largest request body forwarded, in bytes. */
  MAX_REQUEST_BYTES?: string;

  /** Development switch (wrangler.dev.jsonc): the URL of a local hull that stands in for the container. */
  HULL_DEV_URL?: string;

  // Everything else (HULL_*, S3_*, AWS_*, GOMEMLIMIT, ...) is handed to the container.
  [key: string]: unknown;
}

export type Backend = "hull" | "convex";

/** A setting that keeps the deployment from starting. */
export interface Problem {
  setting: string;
  message: string;
}

/** Parsed Worker-side knobs, with defaults. */
export interface Knobs {
  sleepAfterMs: number;
  sleepPolicy: "scheduled" | "always" | "never";
  coldStartTimeoutMs: number;
  wakeLeadMs: number;
  maxRequestBytes: number;
}

export const DEFAULTS = {
  SLEEP_AFTER: "5m",
  COLD_START_TIMEOUT: "30s",
  WAKE_LEAD: "15s",
  MAX_REQUEST_BYTES: 100_000_000, // Cloudflare's inbound body limit on the Free and Pro plans
};

export function str(env: Env, name: string): string {
  const v = env[name];
  return typeof v === "string" ? v.trim() : "";
}

export function backendOf(env: Env): Backend | null {
  const b = str(env, "BACKEND") || "hull";
  return b === "hull" || b === "convex" ? b : null;
}

export function databaseURL(env: Env): string {
  return str(env, "DATABASE_URL") || str(env, "POSTGRES_URL");
}

/** Parses "30s", "5m", "1h", "250ms" or a bare number of seconds into milliseconds. */
export function parseDuration(v: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "s"]!;
  const ms = Math.round(n * unit);
  return ms > 0 ? ms : null;
}

/** Reads the Worker-side knobs; a malformed one is a Problem. */
export function knobs(env: Env): { knobs: Knobs; problems: Problem[] } {
  const problems: Problem[] = [];
  const dur = (name: keyof typeof DEFAULTS & string, def: string): number => {
    const raw = str(env, name) || def;
    const ms = parseDuration(raw);
    if (ms === null) {
      problems.push({ setting: name, message: `${name} is not a duration such as 30s, 5m or 1h` });
      return parseDuration(def)!;
    }
    return ms;
  };
  const policy = str(env, "SLEEP_POLICY") || "scheduled";
  if (policy !== "scheduled" && policy !== "always" && policy !== "never") {
    problems.push({ setting: "SLEEP_POLICY", message: "SLEEP_POLICY must be scheduled, always or never" });
  }
  let maxRequestBytes = DEFAULTS.MAX_REQUEST_BYTES;
  const rawMax = str(env, "MAX_REQUEST_BYTES");
  if (rawMax !== "") {
    const n = Number(rawMax);
    if (!Number.isSafeInteger(n) || n <= 0) {
      problems.push({ setting: "MAX_REQUEST_BYTES", message: "MAX_REQUEST_BYTES must be a positive whole number of bytes" });
    } else {
      maxRequestBytes = n;
    }
  }
  return {
    knobs: {
      sleepAfterMs: dur("SLEEP_AFTER", DEFAULTS.SLEEP_AFTER),
      sleepPolicy: (["scheduled", "always", "never"].includes(policy) ? policy : "scheduled") as Knobs["sleepPolicy"],
      coldStartTimeoutMs: dur("COLD_START_TIMEOUT", DEFAULTS.COLD_START_TIMEOUT),
      wakeLeadMs: dur("WAKE_LEAD", DEFAULTS.WAKE_LEAD),
      maxRequestBytes,
    },
    problems,
  };
}

const secretHint = (name: string) => `store it as a Worker secret: npx wrangler secret put ${name}`;

/** Finds every setting that keeps the backend from starting. */
export function checkSettings(env: Env, backend: Backend): Problem[] {
  const problems: Problem[] = [...knobs(env).problems];
  const need = (name: string, message: string) => problems.push({ setting: name, message });
  const placeholder = (v: string) => v.includes("<") || v.includes(">");

  const name = str(env, "INSTANCE_NAME");
  if (name === "") need("INSTANCE_NAME", "INSTANCE_NAME is not set: name the deployment in the vars of wrangler.jsonc");
  else if (/[|:/\s]/.test(name)) need("INSTANCE_NAME", "INSTANCE_NAME must not contain '|', ':', '/' or spaces");

  const secret = str(env, "INSTANCE_SECRET");
  if (secret === "") need("INSTANCE_SECRET", `INSTANCE_SECRET is not set: generate one with \`openssl rand -hex 32\` and ${secretHint("INSTANCE_SECRET")}`);
  else if (!decodeSecret(secret)) need("INSTANCE_SECRET", "INSTANCE_SECRET is not 64 hex characters (32 bytes): generate one with `openssl rand -hex 32`");

  // With the development stand-in (HULL_DEV_URL) the local hull brings
  // its own storage: its database and bucket settings may be absent, but
  // ones that are given are still checked.
  const dev = str(env, "HULL_DEV_URL") !== "";
  const db = databaseURL(env);
  if (db === "" && dev) {
    // the local hull's own storage
  } else if (db === "") {
    need("DATABASE_URL", `DATABASE_URL is not set: a container's disk is lost on every restart, so the data must live in PostgreSQL; ${secretHint("DATABASE_URL")}`);
  } else {
    let u: URL | null = null;
    try {
      u = new URL(db);
    } catch {
      u = null;
    }
    if (!u || (u.protocol !== "postgres:" && u.protocol !== "postgresql:") || u.hostname === "") {
      need("DATABASE_URL", "DATABASE_URL is not a postgres:// or postgresql:// URL with a host");
    } else if (backend === "convex" && u.pathname !== "" && u.pathname !== "/") {
      need("DATABASE_URL", "DATABASE_URL names a database, which the stock Convex backend refuses: give the server URL without a path; it uses the database named after INSTANCE_NAME (with - as _), which must exist");
    } else if (backend === "convex" && u.search !== "") {
      need("DATABASE_URL", "DATABASE_URL has query parameters, which the stock Convex backend refuses: use DO_NOT_REQUIRE_SSL instead of sslmode");
    }
  }

  const origin = str(env, "PUBLIC_ORIGIN");
  if (origin !== "" && !isOrigin(origin)) need("PUBLIC_ORIGIN", "PUBLIC_ORIGIN must be an origin such as https://api.example.com (no path)");

  const endpoint = str(env, "S3_ENDPOINT_URL");
  const buckets = backend === "convex"
    ? ["S3_STORAGE_EXPORTS_BUCKET", "S3_STORAGE_SNAPSHOT_IMPORTS_BUCKET", "S3_STORAGE_MODULES_BUCKET", "S3_STORAGE_FILES_BUCKET", "S3_STORAGE_SEARCH_BUCKET"]
    : ["S3_STORAGE_FILES_BUCKET"];
  const anyBucket = buckets.some((b) => str(env, b) !== "");
  // hull keeps files in a local folder without a bucket (lost on restart:
  // the README says so); the stock backend keeps pushed code there too, so
  // it always needs all five.
  if (anyBucket || (backend === "convex" && !dev)) {
    for (const b of buckets) if (str(env, b) === "") need(b, `${b} is not set: name the R2 bucket in the vars of wrangler.jsonc`);
    if (endpoint === "" || placeholder(endpoint)) {
      need("S3_ENDPOINT_URL", "S3_ENDPOINT_URL is not set: use https://<your account id>.r2.cloudflarestorage.com (npx wrangler whoami shows the account id)");
    } else if (!/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
      need("S3_ENDPOINT_URL", "S3_ENDPOINT_URL must be a URL such as https://<account id>.r2.cloudflarestorage.com");
    }
    for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
      if (str(env, k) === "") need(k, `${k} is not set: create an R2 API token (Object Read & Write) and ${secretHint(k)}`);
    }
  }

  if (backend === "convex" && str(env, "DASHBOARD_HOST") !== "") {
    if (!env.DASHBOARD_CONTAINER) need("DASHBOARD_CONTAINER", "DASHBOARD_HOST is set but the DASHBOARD_CONTAINER Durable Object binding is missing from wrangler.jsonc");
    if (origin === "") need("PUBLIC_ORIGIN", "PUBLIC_ORIGIN is not set: the dashboard on DASHBOARD_HOST needs the API's origin");
  }
  return problems;
}

export function isOrigin(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === "https:" || u.protocol === "http:") && (u.pathname === "/" || u.pathname === "") && !u.search && !u.hash && !v.endsWith("/");
  } catch {
    return false;
  }
}
