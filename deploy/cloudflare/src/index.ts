// The Worker in front of a hull deployment on Cloudflare Containers:
//
//   client ──► this Worker ──► Durable Object "<INSTANCE_NAME>" ──► container (hull, one port)
//
// It forwards /api/* (HTTP and the sync WebSocket), /http/*, /dashboard/*
// and /version to the one container of the deployment, telling hull the
// public origin (X-Forwarded-Proto/Host/For); answers /healthz without
// waking a sleeping container; refuses what the container must never see
// (unknown paths, oversized bodies, a deployment missing its secrets)
// itself; and turns container failures into 503s with Retry-After.

import { checkAdminKey } from "./adminkey";
import { ROUTE_HEADER } from "./deployment";
import { errorResponse, unavailable } from "./respond";
import { route, type Route } from "./routes";
import { backendOf, checkSettings, knobs, str, type Env } from "./settings";
import { KIT_VERSION, WORKER_VERSION_HEADER } from "./version";

export { Backend, Dashboard } from "./container";
export { DevBackend, DevDashboard } from "./dev";

/** Headers a client may not set: the Worker alone speaks them to the container. */
const HOP_HEADERS = [
  "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For", "X-Real-IP", "Forwarded",
  "cf-container-target-port", ROUTE_HEADER, WORKER_VERSION_HEADER,
];

export default {
  fetch: handle,
} satisfies ExportedHandler<Env>;

export async function handle(req: Request, env: Env): Promise<Response> {
  const url = new URL(req.url);
  const backend = backendOf(env);
  if (backend === null) return misconfigured([{ setting: "BACKEND", message: "BACKEND must be hull or convex" }]);
  const r = route(backend, url, str(env, "DASHBOARD_HOST"));
  switch (r.kind) {
    case "root":
      return new Response(`This is the ${backend} deployment "${str(env, "INSTANCE_NAME")}": point the Convex CLI and clients at ${url.origin}.\n`, {
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      });
    case "not_found":
      return errorResponse(404, "NotFound", r.message);
    case "redirect":
      return Response.redirect(r.location, 302);
  }
  const problems = checkSettings(env, backend);
  if (problems.length > 0) return misconfigured(problems);
  if (r.kind === "status" && !authorized(req, env)) {
    return errorResponse(401, "Unauthorized", "/_hull/status needs an admin key: send Authorization: Convex <admin key>");
  }

  const limit = knobs(env).knobs.maxRequestBytes;
  const declared = req.headers.get("Content-Length");
  if (declared !== null && Number(declared) > limit) {
    return errorResponse(413, "PayloadTooLarge", `the request body of ${declared} bytes is over this deployment's limit of ${limit} bytes (MAX_REQUEST_BYTES)`);
  }

  const ns = r.kind !== "status" && r.service === "dashboard" ? env.DASHBOARD_CONTAINER! : env.CONTAINER;
  const stub = ns.get(ns.idFromName(str(env, "INSTANCE_NAME")));
  try {
    return await stub.fetch(forwardRequest(req, url, r, limit, declared === null));
  } catch (e) {
    // The Durable Object itself failed (reset, overloaded).
    return unavailable("ContainerUnavailable", `the deployment's Durable Object did not answer: ${e instanceof Error ? e.message : String(e)}`, 2);
  }
}

function misconfigured(problems: { setting: string; message: string }[]): Response {
  const names = problems.map((p) => p.setting);
  const message = `this deployment is not configured: ${problems.map((p) => p.message).join("; ")}`;
  console.error(message);
  return unavailable("Misconfigured", message, 60, { settings: names });
}

function authorized(req: Request, env: Env): boolean {
  const h = req.headers.get("Authorization") ?? "";
  const m = /^convex\s+(.+)$/i.exec(h);
  return m !== null && checkAdminKey(m[1]!, str(env, "INSTANCE_NAME"), str(env, "INSTANCE_SECRET")) !== null;
}

// forwardRequest rewrites the client's request for the Durable Object:
// client-set hop headers are dropped and the Worker's own set, and a body
// of undeclared length is cut off once it passes the limit.
function forwardRequest(req: Request, url: URL, r: Route, limit: number, undeclared: boolean): Request {
  const headers = new Headers(req.headers);
  for (const h of HOP_HEADERS) headers.delete(h);
  headers.set("X-Forwarded-Proto", url.protocol.replace(/:$/, ""));
  headers.set("X-Forwarded-Host", url.host);
  const ip = req.headers.get("CF-Connecting-IP");
  if (ip) headers.set("X-Forwarded-For", ip);
  if (!headers.has("X-Request-Id")) {
    const ray = req.headers.get("CF-Ray");
    if (ray) headers.set("X-Request-Id", ray);
  }
  headers.set(WORKER_VERSION_HEADER, KIT_VERSION);
  headers.set(ROUTE_HEADER, r.kind === "status" ? "status" : r.kind);
  let body: ReadableStream | null = req.body;
  if (body && undeclared) body = body.pipeThrough(limitStream(limit));
  return new Request(url.toString(), { method: req.method, headers, body, redirect: "manual" });
}

function limitStream(limit: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > limit) controller.error(new Error(`request body over this deployment's limit of ${limit} bytes (MAX_REQUEST_BYTES)`));
      else controller.enqueue(chunk);
    },
  });
}
