// The Durable Object's logic, written against a small Host interface so
// the same code drives the real container (container.ts, on
// @cloudflare/containers) and the development stand-in that forwards to a
// local hull (dev.ts) — which is what the tests run, as Containers cannot
// start without Docker.
//
// It starts the container on demand within a cold-start budget and turns
// every failure into a 503 the client can retry; it puts the container to
// sleep when it is idle, first asking hull when the next scheduled job is
// due and setting the wake-up alarm before it; and it keeps a small state
// (served on /_hull/status) that says what it decided and why.

import { issueAdminKey } from "./adminkey";
import type { Profile } from "./profiles";
import { jsonResponse, unavailable } from "./respond";
import { knobs, str, type Env, type Knobs } from "./settings";
import { HULL_VERSION_HEADER, KIT_VERSION, WORKER_VERSION_HEADER } from "./version";

/** Set by the Worker on requests to the Durable Object: forward, probe or status. */
export const ROUTE_HEADER = "X-Hull-Kit-Route";

/** What the Deployment needs from the container runtime. */
export interface Host {
  /** Whether the container is up and answering on its port. */
  running(): Promise<boolean>;
  /** Starts the container with env (if it is not running) and waits for its port; throws StartError. */
  start(env: Record<string, string>, port: number, budgetMs: number): Promise<void>;
  /** Forwards a client's request (HTTP or WebSocket): activity that keeps the container awake. */
  forward(req: Request, port: number): Promise<Response>;
  /** A request of the kit's own (health, next due): never counted as activity. */
  probe(req: Request, port: number): Promise<Response>;
  /** Asks the container to stop (SIGTERM: hull drains and exits). */
  stop(): Promise<void>;
  /** Sets the time the container is started again, or clears it (null). */
  setWake(atMs: number | null): Promise<void>;
  /** Restarts the idle countdown (SLEEP_AFTER). */
  keepAwake(): void;
}

/** Durable storage of the Durable Object (ctx.storage fits). */
export interface Store {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
}

export type StartFailure = "no_instance" | "rate_limited" | "timeout" | "crashed" | "failed";

/** A failed start, classified so the client gets the right 503. */
export class StartError extends Error {
  constructor(readonly failure: StartFailure, message: string) {
    super(message);
    this.name = "StartError";
  }
}

/** What hull said about its schedule. */
export type NextDue =
  | { kind: "known"; nextDueMs: number | null; running?: number }
  | { kind: "unsupported"; message: string }
  | { kind: "error"; message: string };

/** A sleep decision. */
export interface Plan {
  at: number;
  decision: "sleep" | "stay" | "stopped" | "wake";
  reason: string;
  /** When the alarm starts the container again; null for no alarm. */
  wakeAt: number | null;
}

/** What the Durable Object remembers across restarts. */
export interface KitState {
  origin?: string;
  /** The last X-Hull-Version seen; null when the container sends none (older hull, stock image). */
  hullVersion?: string | null;
  /** hull's last answer to next_due. */
  nextDue?: { nextDueMs: number | null; checkedAt: number };
  plan?: Plan;
  /** The last HISTORY plans, oldest first. */
  history?: Plan[];
  /** Set when the kit stopped the container on purpose. */
  sleeping?: boolean;
  lastStart?: { at: number; ms: number; ok: boolean; error?: string };
}

const STATE_KEY = "hull-kit-state";
const HISTORY = 20;
const NEXT_DUE_TIMEOUT_MS = 5_000;
/** After a failed wake, or a crash with the schedule unknown: start again this much later. */
export const RETRY_WAKE_MS = 60_000;

/** Decides whether an idle container may sleep, and when to wake it. */
export function decide(nd: NextDue, now: number, k: Pick<Knobs, "sleepAfterMs" | "wakeLeadMs">): Plan {
  const stay = (reason: string): Plan => ({ at: now, decision: "stay", reason, wakeAt: null });
  switch (nd.kind) {
    case "unsupported":
      return stay(`${nd.message}; kept awake so scheduled work runs (set SLEEP_POLICY=always to let it sleep anyway)`);
    case "error":
      return stay(`could not ask the container when its next job is due (${nd.message}); kept awake, asking again after SLEEP_AFTER`);
    case "known":
      if ((nd.running ?? 0) > 0) return stay(`${nd.running} scheduled job(s) running`);
      if (nd.nextDueMs === null) return { at: now, decision: "sleep", reason: "nothing is scheduled", wakeAt: null };
      // A job due within one idle period is cheaper to wait for awake
      // than to sleep and cold start for.
      if (nd.nextDueMs - now <= k.sleepAfterMs) {
        return stay(`a scheduled job is due in ${Math.max(0, Math.round((nd.nextDueMs - now) / 1000))} s`);
      }
      return {
        at: now,
        decision: "sleep",
        reason: `next scheduled job due at ${new Date(nd.nextDueMs).toISOString()}`,
        wakeAt: Math.max(now, nd.nextDueMs - k.wakeLeadMs),
      };
  }
}

/** The public origin the Worker reported on a request (X-Forwarded-Proto/Host). */
export function forwardedOrigin(req: Request): string {
  const proto = req.headers.get("X-Forwarded-Proto");
  const host = req.headers.get("X-Forwarded-Host");
  if ((proto !== "https" && proto !== "http") || !host) return "";
  return `${proto}://${host}`;
}

export class Deployment {
  private state: KitState | null = null;
  private adminKey: string | null = null;

  constructor(
    private readonly host: Host,
    private readonly store: Store,
    private readonly env: Env,
    readonly profile: Profile,
    private readonly now: () => number = Date.now,
  ) {}

  get knobs(): Knobs {
    return knobs(this.env).knobs;
  }

  private async load(): Promise<KitState> {
    if (!this.state) this.state = (await this.store.get<KitState>(STATE_KEY)) ?? {};
    return this.state;
  }

  private async save(patch: Partial<KitState>): Promise<void> {
    const s = await this.load();
    if (patch.plan) patch.history = [...(s.history ?? []), patch.plan].slice(-HISTORY);
    Object.assign(s, patch);
    await this.store.put(STATE_KEY, s);
  }

  /** The origin the container is told is its public one. */
  private async origin(): Promise<string> {
    return str(this.env, "PUBLIC_ORIGIN") || (await this.load()).origin || "";
  }

  /** Handles a request the Worker routed here. */
  async fetch(req: Request): Promise<Response> {
    const kind = req.headers.get(ROUTE_HEADER) ?? "forward";
    const origin = forwardedOrigin(req);
    if (origin !== "" && origin !== (await this.load()).origin) await this.save({ origin });
    if (kind === "status") return jsonResponse(200, await this.status());
    const headers = new Headers(req.headers);
    headers.delete(ROUTE_HEADER);
    const upstream = new Request(req, { headers });
    return kind === "probe" ? this.probe(upstream) : this.forward(upstream);
  }

  private async forward(req: Request): Promise<Response> {
    if (!(await this.host.running())) {
      const failed = await this.start();
      if (failed) return failed;
    }
    let res: Response;
    try {
      res = await this.host.forward(req, this.profile.port);
    } catch (e) {
      return unavailable("ContainerUnavailable", `the container did not answer: ${errorText(e)}`, 2);
    }
    const helper = await helperFailure(res);
    if (helper) return helper;
    await this.noteVersion(res);
    return res;
  }

  // probe serves /healthz, /readyz and /metrics: answered by the container
  // while it runs, but never starting it or counting as activity, so an
  // uptime monitor does not keep it awake.
  private async probe(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const asked = url.pathname;
    if (!(await this.host.running())) {
      const s = await this.load();
      if (asked === "/healthz") {
        return jsonResponse(200, { status: "sleeping", wakeAt: s.plan?.wakeAt ?? null, reason: s.plan?.reason ?? "not started yet" });
      }
      return unavailable("Sleeping", "the container is asleep; any /api request starts it", 5);
    }
    if (this.profile.name !== "hull" && (asked === "/healthz" || asked === "/readyz")) url.pathname = this.profile.healthPath;
    try {
      return await this.host.probe(new Request(url, req), this.profile.port);
    } catch (e) {
      return unavailable("ContainerUnavailable", `the container did not answer: ${errorText(e)}`, 2);
    }
  }

  /** Starts the container; returns the 503 to answer when it fails. */
  private async start(): Promise<Response | null> {
    const budget = this.knobs.coldStartTimeoutMs;
    const t0 = this.now();
    try {
      await this.host.start(this.profile.containerEnv(this.env, await this.origin()), this.profile.port, budget);
      await this.save({ sleeping: false, lastStart: { at: t0, ms: this.now() - t0, ok: true } });
      return null;
    } catch (e) {
      const se = e instanceof StartError ? e : new StartError("failed", errorText(e));
      await this.save({ lastStart: { at: t0, ms: this.now() - t0, ok: false, error: se.message } });
      console.error(`container start failed (${se.failure}): ${se.message}`);
      return startFailureResponse(se, budget);
    }
  }

  private async noteVersion(res: Response): Promise<void> {
    const v = res.headers.get(HULL_VERSION_HEADER);
    const s = await this.load();
    if (s.hullVersion !== v) await this.save({ hullVersion: v });
  }

  /** Asks the container when its next scheduled job is due. */
  async askNextDue(): Promise<NextDue> {
    const path = this.profile.nextDuePath;
    if (path === null) return { kind: "unsupported", message: `the ${this.profile.name} image cannot report when its next job is due` };
    this.adminKey ??= issueAdminKey(str(this.env, "INSTANCE_NAME"), str(this.env, "INSTANCE_SECRET"));
    const req = new Request(`http://container${path}`, {
      headers: { Authorization: `Convex ${this.adminKey}`, [WORKER_VERSION_HEADER]: KIT_VERSION },
      signal: AbortSignal.timeout(NEXT_DUE_TIMEOUT_MS),
    });
    let res: Response;
    try {
      res = await this.host.probe(req, this.profile.port);
    } catch (e) {
      return { kind: "error", message: errorText(e) };
    }
    await this.noteVersion(res);
    if (res.status === 404 || res.status === 501) {
      return { kind: "unsupported", message: `the container answers ${res.status} to ${path} (a hull without the scheduler's next-due endpoint)` };
    }
    if (!res.ok) return { kind: "error", message: `${path} answered ${res.status}` };
    let body: { nextDueMs?: unknown; running?: unknown };
    try {
      body = await res.json();
    } catch {
      return { kind: "error", message: `${path} answered something other than JSON` };
    }
    const ms = body.nextDueMs;
    if (ms !== null && (typeof ms !== "number" || !Number.isFinite(ms))) return { kind: "error", message: `${path} answered no nextDueMs` };
    await this.save({ nextDue: { nextDueMs: ms, checkedAt: this.now() } });
    const running = typeof body.running === "number" ? body.running : undefined;
    return { kind: "known", nextDueMs: ms, running };
  }

  /** The idle countdown ran out (no request, no open WebSocket for SLEEP_AFTER). */
  async activityExpired(): Promise<void> {
    const k = this.knobs;
    let plan: Plan;
    const now = this.now();
    if (k.sleepPolicy === "never") {
      plan = { at: now, decision: "stay", reason: "SLEEP_POLICY=never", wakeAt: null };
    } else if (k.sleepPolicy === "always" || this.profile.name === "convex-dashboard") {
      plan = { at: now, decision: "sleep", reason: k.sleepPolicy === "always" ? "SLEEP_POLICY=always" : "idle", wakeAt: null };
    } else {
      plan = decide(await this.askNextDue(), this.now(), k);
    }
    await this.save({ plan });
    console.log(`idle: ${plan.decision} (${plan.reason})${plan.wakeAt !== null ? `, waking at ${new Date(plan.wakeAt).toISOString()}` : ""}`);
    if (plan.decision === "stay") {
      this.host.keepAwake();
      return;
    }
    await this.host.setWake(plan.wakeAt);
    await this.save({ sleeping: true });
    await this.host.stop();
  }

  /** The wake-up alarm: start the container so hull runs what is due. */
  async wake(): Promise<void> {
    await this.save({ plan: { at: this.now(), decision: "wake", reason: "the wake-up alarm fired", wakeAt: null } });
    if (await this.host.running()) return;
    const failed = await this.start();
    if (failed) {
      const at = this.now() + RETRY_WAKE_MS;
      await this.host.setWake(at);
      await this.save({ plan: { at: this.now(), decision: "wake", reason: "the wake-up start failed; trying again", wakeAt: at } });
    }
  }

  /** Refreshes the remembered next due time while the container runs (for unexpected stops). */
  async refresh(): Promise<void> {
    if (this.profile.nextDuePath !== null && (await this.host.running())) await this.askNextDue();
  }

  /** The container stopped. Unless the kit stopped it, set a wake-up from what hull last said. */
  async stopped(exitCode: number, reason: string): Promise<void> {
    const s = await this.load();
    if (s.sleeping) return;
    const now = this.now();
    let wakeAt: number | null;
    if (this.profile.nextDuePath === null || this.profile.name === "convex-dashboard") wakeAt = null; // clients restart it
    else if (!s.nextDue) wakeAt = now + RETRY_WAKE_MS;
    else if (s.nextDue.nextDueMs === null) wakeAt = null;
    else wakeAt = Math.max(now, s.nextDue.nextDueMs - this.knobs.wakeLeadMs);
    await this.host.setWake(wakeAt);
    await this.save({ plan: { at: now, decision: "stopped", reason: `the container stopped unexpectedly (${reason}, exit code ${exitCode})`, wakeAt } });
  }

  /** What /_hull/status shows. */
  async status(): Promise<Record<string, unknown>> {
    const s = await this.load();
    return {
      kitVersion: KIT_VERSION,
      backend: this.profile.name,
      running: await this.host.running(),
      hullVersion: s.hullVersion ?? null,
      origin: await this.origin(),
      plan: s.plan ?? null,
      history: s.history ?? [],
      nextDue: s.nextDue ?? null,
      lastStart: s.lastStart ?? null,
      sleepPolicy: this.knobs.sleepPolicy,
      sleepAfterMs: this.knobs.sleepAfterMs,
    };
  }
}

function startFailureResponse(e: StartError, budgetMs: number): Response {
  switch (e.failure) {
    case "timeout":
      return unavailable("ColdStartTimeout", `the container did not answer within ${Math.round(budgetMs / 1000)} s of starting; try again shortly`, 5);
    case "no_instance":
      return unavailable("ContainerUnavailable",
        "no container instance is available yet: right after a first deploy Cloudflare provisions it for a few minutes; otherwise max_instances is reached", 30);
    case "rate_limited":
      return unavailable("ContainerUnavailable", "too many container starts at once; try again shortly", 5);
    case "crashed":
      return unavailable("ContainerFailed", `the container exited while starting (${e.message}); its log is in the Cloudflare dashboard under the Worker's Containers tab`, 10);
    case "failed":
      return unavailable("ContainerFailed", `the container could not be started: ${e.message}`, 10);
  }
}

// helperFailure recognises the plain-text errors @cloudflare/containers
// answers itself (start failures, a connection lost mid-request) and turns
// them into the kit's 503. Answers of the backend pass: hull marks every
// answer with X-Hull-Version, the stock backend answers JSON.
async function helperFailure(res: Response): Promise<Response | null> {
  if (res.headers.has(HULL_VERSION_HEADER) || res.webSocket) return null;
  if (res.status < 500 && res.status !== 429) return null;
  if (!(res.headers.get("Content-Type") ?? "").startsWith("text/plain")) return null;
  const text = (await res.clone().text()).slice(0, 500);
  if (text.startsWith("There is no Container instance")) {
    return startFailureResponse(new StartError("no_instance", text), 0);
  }
  if (text.startsWith("Failed to start container")) return startFailureResponse(new StartError("failed", text), 0);
  if (text.startsWith("Container suddenly disconnected") || text.startsWith("Error proxying request to container")) {
    return unavailable("ContainerUnavailable", "the container stopped answering (it may be restarting); try again shortly", 2);
  }
  if (res.status === 429 && text.includes("too many containers")) return startFailureResponse(new StartError("rate_limited", text), 0);
  return null;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
