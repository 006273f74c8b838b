// Which paths the Worker forwards, and where. hull serves everything on
// one port, so routing is by path only; the stock backend gets the same
// paths on its API port, and its dashboard (a separate image that must sit
// at the root of a host) its own host.

import type { Backend } from "./settings";

export type Service = "backend" | "dashboard";

export type Route =
  /** Answered by the Worker itself. */
  | { kind: "root" }
  /** Forwarded to the container, starting it if it sleeps; counts as activity. */
  | { kind: "forward"; service: Service; path?: string }
  /** Health and metrics: forwarded while the container runs, never starting it or keeping it awake. */
  | { kind: "probe"; service: Service; path?: string }
  /** The kit's own status (admin key). */
  | { kind: "status" }
  | { kind: "redirect"; location: string }
  | { kind: "not_found"; message: string };

/** Paths of the Convex API surface, on both backends. */
const API_PREFIXES = ["/api/", "/http/"];
const API_EXACT = ["/api", "/http", "/version", "/instance_name", "/instance_version"];

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + "/");
}

export const STATUS_PATH = "/_hull/status";

/** Routes a request; dashboardHost is DASHBOARD_HOST (convex option). */
export function route(backend: Backend, url: URL, dashboardHost = ""): Route {
  const path = url.pathname;
  if (backend === "convex" && dashboardHost !== "" && url.hostname === dashboardHost.toLowerCase()) {
    return { kind: "forward", service: "dashboard" };
  }
  if (path === "/") return { kind: "root" };
  if (path === STATUS_PATH) return { kind: "status" };
  if (API_EXACT.includes(path) || API_PREFIXES.some((p) => path.startsWith(p))) {
    return { kind: "forward", service: "backend" };
  }
  if (under(path, "/dashboard")) {
    if (backend === "hull") return { kind: "forward", service: "backend" };
    if (dashboardHost !== "") return { kind: "redirect", location: `https://${dashboardHost}/` };
    return {
      kind: "not_found",
      message: "the stock Convex dashboard is a separate app that must be served at the root of its own host: set DASHBOARD_HOST (see CLOUDFLARE.md)",
    };
  }
  if (path === "/healthz" || path === "/readyz") {
    // The stock backend answers health on /version.
    return backend === "hull" ? { kind: "probe", service: "backend" } : { kind: "probe", service: "backend", path: "/version" };
  }
  if (path === "/metrics") return { kind: "probe", service: "backend" };
  return { kind: "not_found", message: `no route for ${path}: this deployment serves /api/..., /http/..., /dashboard and /version` };
}
