// The development stand-in for the container: a Durable Object running
// the same Deployment logic, with HULL_DEV_URL (a hull started by hand or
// by a test) in place of the container. Containers cannot start without
// Docker; with this class bound instead (wrangler.dev.jsonc) the routing,
// the 503s, the idle countdown, WebSocket relaying and the wake-up alarm
// all run in wrangler dev, Miniflare or workerd against a real hull.
//
// "Stopping" marks the stand-in stopped (the local hull keeps running);
// the next request "starts" it again by waiting for the hull to answer.

import { DurableObject } from "cloudflare:workers";
import { Deployment, StartError, type Host } from "./deployment";
import { convexProfile, dashboardProfile, hullProfile, type Profile } from "./profiles";
import { backendOf, knobs, str, type Env } from "./settings";

const WAKE_KEY = "dev-wake-at";

export class DevBackend extends DurableObject<Env> {
  private up = false;
  private sockets = 0;
  private idleDeadline = 0;
  private wakeAt: number | null = null;
  private alarmAt: number | null = null;
  private readonly deployment: Deployment;

  /** The image this stands in for. */
  protected profile(env: Env): Profile {
    return backendOf(env) === "convex" ? convexProfile : hullProfile;
  }

  /** The variable naming the local server that stands in for the container. */
  protected readonly urlVar: string = "HULL_DEV_URL";

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.deployment = new Deployment(this.host(), ctx.storage, env, this.profile(env));
    void ctx.blockConcurrencyWhile(async () => {
      this.wakeAt = (await ctx.storage.get<number>(WAKE_KEY)) ?? null;
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  private get sleepAfterMs(): number {
    return knobs(this.env).knobs.sleepAfterMs;
  }

  private target(req: Request): string {
    const base = str(this.env, this.urlVar);
    if (base === "") throw new Error(`${this.urlVar} is not set: the development stand-in needs the URL of a local server`);
    const u = new URL(req.url);
    return new URL(u.pathname + u.search, base).toString();
  }

  private renew(): void {
    this.idleDeadline = Date.now() + this.sleepAfterMs;
    void this.arm();
  }

  // arm makes sure an alarm fires by the next thing to do: the idle
  // deadline while running, the wake-up time while stopped.
  private async arm(): Promise<void> {
    const due = [this.wakeAt, this.up ? this.idleDeadline : null].filter((t): t is number => t !== null);
    if (due.length === 0) return;
    const next = Math.min(...due);
    if (this.alarmAt !== null && this.alarmAt <= next) return;
    this.alarmAt = next;
    await this.ctx.storage.setAlarm(next);
  }

  private host(): Host {
    return {
      running: async () => this.up,
      start: async (_env, _port, budgetMs) => {
        const deadline = Date.now() + budgetMs;
        let last = "";
        while (Date.now() < deadline) {
          try {
            const res = await fetch(this.target(new Request("http://container/version")), { signal: AbortSignal.timeout(Math.max(100, deadline - Date.now())) });
            await res.body?.cancel();
            this.up = true;
            this.renew();
            return;
          } catch (e) {
            last = e instanceof Error ? e.message : String(e);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new StartError("timeout", `the development hull did not answer within ${budgetMs} ms (${last})`);
      },
      forward: async (req) => {
        this.renew();
        let res: Response;
        try {
          res = await fetch(this.target(req), req);
        } catch (e) {
          this.up = false; // as a container that died
          throw e;
        }
        return res.webSocket ? this.relay(res) : res;
      },
      probe: (req) => fetch(this.target(req), req),
      stop: async () => {
        this.up = false;
      },
      setWake: async (at) => {
        this.wakeAt = at;
        if (at === null) await this.ctx.storage.delete(WAKE_KEY);
        else await this.ctx.storage.put(WAKE_KEY, at);
        await this.arm();
      },
      keepAwake: () => this.renew(),
    };
  }

  // relay accepts both ends of a WebSocket and forwards every message, as
  // the Container helper does, so an open socket keeps the stand-in awake.
  private relay(res: Response): Response {
    const upstream = res.webSocket!;
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    upstream.accept();
    server.accept();
    this.sockets++;
    let open = true;
    const closed = () => {
      if (open) {
        open = false;
        this.sockets--;
        this.renew();
      }
    };
    const code = (c: number) => (c === 1005 || c === 1006 ? 1000 : c);
    server.addEventListener("message", (e) => {
      this.renew();
      try {
        upstream.send(e.data);
      } catch {
        server.close(1011, "could not forward to the backend");
      }
    });
    upstream.addEventListener("message", (e) => {
      this.renew();
      try {
        server.send(e.data);
      } catch {
        upstream.close(1011, "could not forward to the client");
      }
    });
    server.addEventListener("close", (e) => {
      closed();
      try {
        upstream.close(code(e.code), e.reason);
      } catch {}
    });
    upstream.addEventListener("close", (e) => {
      closed();
      try {
        server.close(code(e.code), e.reason);
      } catch {}
    });
    server.addEventListener("error", closed);
    upstream.addEventListener("error", closed);
    return new Response(null, { status: 101, webSocket: client, headers: res.headers });
  }

  override async fetch(request: Request): Promise<Response> {
    return this.deployment.fetch(request);
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    if (this.wakeAt !== null && this.wakeAt <= now) {
      this.wakeAt = null;
      await this.ctx.storage.delete(WAKE_KEY);
      await this.deployment.wake();
    }
    if (this.up && now >= this.idleDeadline) {
      if (this.sockets > 0) this.idleDeadline = now + this.sleepAfterMs;
      else await this.deployment.activityExpired();
    }
    await this.arm();
  }
}

/** The development stand-in for the stock dashboard's container (HULL_DEV_DASHBOARD_URL). */
export class DevDashboard extends DevBackend {
  protected override readonly urlVar: string = "HULL_DEV_DASHBOARD_URL";
  protected override profile(): Profile {
    return dashboardProfile;
  }
}
