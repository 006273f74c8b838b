// Shared plumbing: where the deployment is, the admin session, HTTP calls
// with the admin key, references to hull's system functions, and Convex
// value <-> JSON text for editing.
import { makeFunctionReference } from "convex/server";
import { convexToJson, jsonToConvex, type Value } from "convex/values";

// The deployment is the parent of the dashboard's own folder, so the
// dashboard works at any origin and under any path prefix.
export const deploymentUrl = new URL("..", window.location.href).href.replace(/\/$/, "");

const keyStorage = "hull.dashboard.adminKey";

// The admin key lives in this tab's session storage only: never in the
// URL, never in a cookie, gone when the tab closes.
export function savedKey(): string | null {
  return window.sessionStorage.getItem(keyStorage);
}
export function saveKey(key: string) {
  window.sessionStorage.setItem(keyStorage, key);
}
export function forgetKey() {
  window.sessionStorage.removeItem(keyStorage);
}

export class HttpError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

async function errorOf(res: Response): Promise<HttpError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    return new HttpError(res.status, body.code ?? "", body.message ?? text);
  } catch {
    return new HttpError(res.status, "", text || res.statusText);
  }
}

// api calls an endpoint of the deployment with the admin key.
export async function api<T>(path: string, init: RequestInit = {}, key = savedKey()): Promise<T> {
  const headers = new Headers(init.headers);
  if (key) headers.set("Authorization", `Convex ${key}`);
  if (init.body && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  const res = await fetch(deploymentUrl + path, { ...init, headers });
  if (!res.ok) throw await errorOf(res);
  const ctype = res.headers.get("Content-Type") ?? "";
  return (ctype.includes("json") ? res.json() : res.text()) as Promise<T>;
}

// checkKey verifies an admin key with the deployment.
export async function checkKey(key: string): Promise<void> {
  await api("/api/check_admin_key", {}, key);
}

// exchangeLinkCode takes a `hull dashboard` login code from the URL's
// fragment, removes it from the address bar and history at once, and
// trades it for an admin key.
export function takeLinkCode(): string | null {
  const m = /^#code=([A-Za-z0-9_.-]+)/.exec(window.location.hash);
  if (!m) return null;
  window.history.replaceState(null, "", window.location.pathname + window.location.search + "#/");
  return m[1];
}

export async function exchangeLinkCode(code: string): Promise<string> {
  const res = await fetch(deploymentUrl + "/api/dashboard/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code }),
  });
  if (!res.ok) throw await errorOf(res);
  const body = (await res.json()) as { adminKey: string };
  return body.adminKey;
}

// sys names a system function of the deployment.
export function sysQuery(name: string) {
  return makeFunctionReference<"query">(`_system/frontend/${name}`);
}
export function sysMutation(name: string) {
  return makeFunctionReference<"mutation">(`_system/frontend/${name}`);
}

// toText renders a Convex value as editable JSON (Convex's JSON
// encoding: bigints as {"$integer": ...}, bytes as {"$bytes": ...}).
export function toText(v: Value | undefined, indent = 2): string {
  if (v === undefined) return "undefined";
  return JSON.stringify(convexToJson(v), null, indent);
}

// fromText parses edited JSON into a Convex value.
export function fromText(text: string): Value {
  return jsonToConvex(JSON.parse(text));
}

// cell renders a value compactly for a table cell.
export function cell(v: Value | undefined): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  const s = JSON.stringify(convexToJson(v));
  return s.length > 120 ? s.slice(0, 117) + "…" : s;
}

// messageOf extracts what to show of a failed call: a ConvexError's data
// when it is a string, else the message without the request-id prefix.
export function messageOf(e: unknown): string {
  if (e && typeof e === "object" && "data" in e && typeof (e as { data: unknown }).data === "string") {
    return (e as { data: string }).data;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/^\[Request ID: [^\]]+\] /, "").replace(/^Server Error\s*/, "").replace(/^Uncaught ConvexError: /, "");
}

export function formatDuration(seconds: number): string {
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(0)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(seconds < 0.01 ? 2 : 0)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function b64(s: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(s)));
}

// A point in a metrics time series, as /api/app_metrics answers.
export type SerializedDate = { secs_since_epoch: number; nanos_since_epoch: number };
export type Series = [SerializedDate, number | null][];

export function windowParam(minutes: number, buckets: number): string {
  const end = Date.now();
  const start = end - minutes * 60_000;
  const ser = (ms: number) => ({ secs_since_epoch: Math.floor(ms / 1000), nanos_since_epoch: (ms % 1000) * 1e6 });
  return encodeURIComponent(JSON.stringify({ start: ser(start), end: ser(end), num_buckets: buckets }));
}
