// Versions the Worker and the container exchange during rolling deploys.
//
// `wrangler deploy` activates the new Worker first and replaces the
// container afterwards, so for a while a Worker talks to an older (or,
// after a rollback, newer) container. The Worker sends its version in
// X-Hull-Worker-Version on every request it forwards; hull answers with
// X-Hull-Version on every response. Nothing in the request path depends
// on the pair matching: the Worker only forwards. Features the Worker
// needs from hull are detected, not assumed — a container that has no
// GET /api/hull/next_due (404/501) keeps working and is simply kept awake
// instead of being put to sleep, so no scheduled job is missed.
//
// Compatibility window: a Worker of kit version X.Y works with any hull
// from 0.1.0 up to X.(Y+1); hull accepts every Worker version and logs one
// older than its oldest supported (MIN_WORKER_VERSION on the hull side).

/** This kit's version; it ships with the hull release of the same number. */
export const KIT_VERSION = "0.1.0";

/** Sent on every forwarded request. */
export const WORKER_VERSION_HEADER = "X-Hull-Worker-Version";
/** hull's answer on every response. */
export const HULL_VERSION_HEADER = "X-Hull-Version";
/** Marks the Worker's own answers (errors, status), so they are told from hull's. */
export const KIT_HEADER = "X-Hull-Kit";

/** Compares dotted versions numerically; a non-numeric part counts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).slice(0, 3).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.+-]/).slice(0, 3).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
