// What each container image needs: its port, the environment it starts
// with (secrets come from the Worker's env, never from the image or its
// disk), how it is stopped, and whether it can tell when its next
// scheduled job is due.

import { databaseURL, str, type Env } from "./settings";

export interface Profile {
  /** A short name for logs and the status route. */
  name: "hull" | "convex" | "convex-dashboard";
  /** The one port the Worker forwards to. */
  port: number;
  /** The admin endpoint answering {"nextDueMs"}; null when the image has none. */
  nextDuePath: string | null;
  /** The path probed (without waking anything) for /healthz. */
  healthPath: string;
  /** The environment the container starts with. */
  containerEnv(env: Env, origin: string): Record<string, string>;
}

// passThrough copies string vars and secrets whose names start with one of
// prefixes, or are listed in names: new settings of the image reach it
// without a Worker change.
function passThrough(env: Env, prefixes: string[], names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (typeof v !== "string" || v === "") continue;
    if (names.includes(k) || prefixes.some((p) => k.startsWith(p))) out[k] = v;
  }
  return out;
}

export const HULL_PORT = 3210;

export const hullProfile: Profile = {
  name: "hull",
  port: HULL_PORT,
  nextDuePath: "/api/hull/next_due",
  healthPath: "/healthz",
  containerEnv(env, origin) {
    const out: Record<string, string> = {
      ...passThrough(env, ["HULL_", "S3_", "AWS_"], ["DO_NOT_REQUIRE_SSL", "GOMEMLIMIT", "GOGC", "REDACT_LOGS_TO_CLIENT", "GODEBUG"]),
      INSTANCE_NAME: str(env, "INSTANCE_NAME"),
      INSTANCE_SECRET: str(env, "INSTANCE_SECRET"),
      DATABASE_URL: databaseURL(env),
      PORT: String(HULL_PORT),
      HULL_INTERFACE: "0.0.0.0",
      // Only the Durable Object can reach the container (no inbound
      // traffic from anywhere else), so every peer is the Worker's hop and
      // its X-Forwarded-Proto/Host are the public ones.
      HULL_TRUSTED_PROXIES: "0.0.0.0/0,::/0",
      HULL_PRODUCTION: str(env, "HULL_PRODUCTION") || "1",
      HULL_LOG_FORMAT: str(env, "HULL_LOG_FORMAT") || "json",
    };
    delete out.HULL_DEV_URL;
    if (origin !== "") out.PUBLIC_ORIGIN = origin;
    return out;
  },
};

/** The stock image: API on 3210 (HTTP actions under /http there too; 3211 only proxies to it). */
export const convexProfile: Profile = {
  name: "convex",
  port: 3210,
  nextDuePath: null,
  healthPath: "/version",
  containerEnv(env, origin) {
    const out: Record<string, string> = {
      ...passThrough(env, ["AWS_", "S3_", "APPLICATION_", "RUST_"], [
        "DO_NOT_REQUIRE_SSL", "DOCUMENT_RETENTION_DELAY", "V8_ACTION_USER_TIMEOUT_SECS", "NODE_ACTION_USER_TIMEOUT_SECS",
        "HTTP_SERVER_TIMEOUT_SECONDS", "DISABLE_METRICS_ENDPOINT", "PG_CA_FILE",
      ]),
      INSTANCE_NAME: str(env, "INSTANCE_NAME"),
      INSTANCE_SECRET: str(env, "INSTANCE_SECRET"),
      // The stock image reads POSTGRES_URL (DATABASE_URL is deprecated there).
      POSTGRES_URL: databaseURL(env).replace(/\/$/, ""),
      DISABLE_BEACON: "true",
      REDACT_LOGS_TO_CLIENT: str(env, "REDACT_LOGS_TO_CLIENT") || "true",
      // R2: region auto, path-style addressing, no SSE headers, checksums only where required.
      AWS_REGION: str(env, "AWS_REGION") || "auto",
      AWS_S3_FORCE_PATH_STYLE: str(env, "AWS_S3_FORCE_PATH_STYLE") || "true",
      AWS_S3_DISABLE_SSE: str(env, "AWS_S3_DISABLE_SSE") || "true",
      AWS_S3_DISABLE_CHECKSUMS: str(env, "AWS_S3_DISABLE_CHECKSUMS") || "true",
    };
    if (origin !== "") {
      out.CONVEX_CLOUD_ORIGIN = origin;
      out.CONVEX_SITE_ORIGIN = `${origin}/http`;
    }
    return out;
  },
};

/** The stock dashboard image, on its own host. */
export const dashboardProfile: Profile = {
  name: "convex-dashboard",
  port: 6791,
  nextDuePath: null,
  healthPath: "/",
  containerEnv(env, origin) {
    const api = str(env, "PUBLIC_ORIGIN") || origin;
    return { NEXT_PUBLIC_DEPLOYMENT_URL: api, ...passThrough(env, [], ["NEXT_PUBLIC_LOAD_MONACO_INTERNALLY"]) };
  },
};
