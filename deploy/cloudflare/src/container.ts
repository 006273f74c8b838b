// The Durable Objects that own the containers, on @cloudflare/containers.
// All decisions live in Deployment; these classes adapt the Container
// helper to its Host interface and hand it the lifecycle hooks.

import { Container } from "@cloudflare/containers";
import { Deployment, StartError, type Host, type StartFailure } from "./deployment";
import { convexProfile, dashboardProfile, hullProfile, type Profile } from "./profiles";
import { backendOf, knobs, type Env } from "./settings";

/** How often a running container is asked for its next due job (for unexpected stops). */
const REFRESH_SECONDS = 300;

function classify(e: unknown): StartError {
  const msg = e instanceof Error ? e.message : String(e);
  const lower = msg.toLowerCase();
  let failure: StartFailure = "failed";
  if (lower.includes("there is no container instance")) failure = "no_instance";
  else if (lower.includes("too many containers per second")) failure = "rate_limited";
  else if (lower.includes("aborted") || lower.includes("timed out") || lower.includes("did not start after")) failure = "timeout";
  else if (lower.includes("exited") || lower.includes("crashed") || lower.includes("exit code")) failure = "crashed";
  return new StartError(failure, msg);
}

abstract class KitContainer extends Container<Env> {
  protected abstract readonly profile: Profile;
  private deploymentCache?: Deployment;

  // Class fields run after the base constructor, so this.env is set.
  override sleepAfter = Math.max(1, Math.round(knobs(this.env).knobs.sleepAfterMs / 1000));
  override enableInternet = true; // PostgreSQL over TCP and R2 over HTTPS

  protected get deployment(): Deployment {
    this.deploymentCache ??= new Deployment(this.host(), this.ctx.storage, this.env, this.profile);
    return this.deploymentCache;
  }

  private host(): Host {
    return {
      running: async () => this.ctx.container?.running === true && (await this.getState()).status === "healthy",
      start: async (envVars, port, budgetMs) => {
        try {
          await this.startAndWaitForPorts({
            ports: port,
            startOptions: { envVars },
            cancellationOptions: {
              abort: AbortSignal.timeout(budgetMs),
              instanceGetTimeoutMS: Math.min(8_000, budgetMs),
              portReadyTimeoutMS: budgetMs,
            },
          });
        } catch (e) {
          throw classify(e);
        }
      },
      forward: (req, port) => this.containerFetch(req, port),
      probe: (req, port) => this.ctx.container!.getTcpPort(port).fetch(req.url.replace(/^https:/, "http:"), req),
      stop: () => this.stop("SIGTERM"),
      setWake: async (at) => {
        this.deleteSchedules("wake");
        if (at !== null) await this.schedule(new Date(at), "wake");
      },
      keepAwake: () => this.renewActivityTimeout(),
    };
  }

  override async fetch(request: Request): Promise<Response> {
    return this.deployment.fetch(request);
  }

  override async onStart(): Promise<void> {
    this.deleteSchedules("refresh");
    await this.schedule(REFRESH_SECONDS, "refresh");
  }

  override async onStop(params: { exitCode: number; reason: string }): Promise<void> {
    this.deleteSchedules("refresh");
    await this.deployment.stopped(params.exitCode, params.reason);
  }

  override async onActivityExpired(): Promise<void> {
    if (!this.ctx.container?.running) return;
    await this.deployment.activityExpired();
  }

  override onError(error: unknown): void {
    console.error("container error:", error instanceof Error ? error.message : String(error));
  }

  /** Scheduled by Deployment.activityExpired: the next job is about due. */
  async wake(): Promise<void> {
    await this.deployment.wake();
  }

  /** Scheduled every REFRESH_SECONDS while the container runs. */
  async refresh(): Promise<void> {
    if (!this.ctx.container?.running) return;
    await this.deployment.refresh();
    await this.schedule(REFRESH_SECONDS, "refresh");
  }
}

/** The backend container: hull (BACKEND=hull) or the stock image (BACKEND=convex). */
export class Backend extends KitContainer {
  protected readonly profile = backendOf(this.env) === "convex" ? convexProfile : hullProfile;
  override defaultPort = this.profile.port;
}

/** The stock dashboard's container (BACKEND=convex with DASHBOARD_HOST). */
export class Dashboard extends KitContainer {
  protected readonly profile = dashboardProfile;
  override defaultPort = dashboardProfile.port;
}
