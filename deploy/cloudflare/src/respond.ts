// The Worker's own answers. Errors are JSON {error, message} — plus
// retryAfter (seconds) and a Retry-After header when trying again later
// can succeed — so clients and operators can tell them from the backend's.

import { KIT_VERSION, KIT_HEADER } from "./version";

export type ErrorCode =
  | "NotFound"
  | "PayloadTooLarge"
  | "Misconfigured"
  | "Unauthorized"
  | "ContainerUnavailable"
  | "ColdStartTimeout"
  | "ContainerFailed"
  | "Sleeping";

export function errorResponse(status: number, error: ErrorCode, message: string, retryAfter?: number, extra?: Record<string, unknown>): Response {
  const headers = new Headers({ "Content-Type": "application/json", "Cache-Control": "no-store", [KIT_HEADER]: KIT_VERSION });
  const body: Record<string, unknown> = { error, message, ...extra };
  if (retryAfter !== undefined) {
    body.retryAfter = retryAfter;
    headers.set("Retry-After", String(retryAfter));
  }
  return new Response(JSON.stringify(body), { status, headers });
}

/** 503: the backend cannot answer now; the client should retry after retryAfter seconds. */
export function unavailable(error: ErrorCode, message: string, retryAfter: number, extra?: Record<string, unknown>): Response {
  return errorResponse(503, error, message, retryAfter, extra);
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", [KIT_HEADER]: KIT_VERSION },
  });
}
