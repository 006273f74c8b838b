// The real Backend class (deploy/cloudflare/src/container.ts, on
// @cloudflare/containers) with a stand-in for the container runtime that
// workerd provides as ctx.container and cannot start without Docker:
// "starting" marks it running and records the environment it was given,
// its ports forward to HULL_DEV_URL (a real hull), and a signal "stops"
// it. Everything else — the Container helper's start and readiness
// loop, its request and WebSocket relaying, activity tracking, alarms and
// schedules, and the kit's hooks — is the production code.
import { Backend } from "../../../deploy/cloudflare/src/container";
import type { Env } from "../../../deploy/cloudflare/src/settings";
import worker from "../../../deploy/cloudflare/src/index";

export * from "../../../deploy/cloudflare/src/index";

/** What a test can ask the stand-in. */
interface FakeState {
  running: boolean;
  starts: number;
  signals: number[];
  env: Record<string, string>;
}

class FakeContainer {
  state: FakeState = { running: false, starts: 0, signals: [], env: {} };
  private exit: (() => void) | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly base: string) {}

  get running(): boolean {
    return this.state.running;
  }

  start(options?: { env?: Record<string, string> }): void {
    if (this.state.running) throw new Error("start() cannot be called on a container that is already running.");
    this.state.running = true;
    this.state.starts++;
    this.state.env = options?.env ?? {};
    this.exited = new Promise((resolve) => (this.exit = resolve));
  }

  monitor(): Promise<void> {
    return this.exited;
  }

  async destroy(): Promise<void> {
    this.stopNow();
  }

  signal(signo: number): void {
    this.state.signals.push(signo);
    this.stopNow();
  }

  private stopNow(): void {
    if (!this.state.running) return;
    this.state.running = false;
    this.exit?.();
  }

  getTcpPort(_port: number): Fetcher {
    const base = this.base;
    const running = () => this.state.running;
    return {
      async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
        if (!running()) throw new Error("the container is not listening");
        const u = new URL(input instanceof Request ? input.url : String(input));
        const target = new URL(u.pathname + u.search, base).toString();
        return input instanceof Request && !init ? fetch(target, input) : fetch(target, init);
      },
      connect() {
        throw new Error("no TCP in the stand-in");
      },
    } as unknown as Fetcher;
  }

  async setInactivityTimeout(): Promise<void> {}
  async interceptOutboundHttp(): Promise<void> {}
  async interceptAllOutboundHttp(): Promise<void> {}
  async interceptOutboundHttps(): Promise<void> {}
}

export class FakeRuntimeBackend extends Backend {
  private readonly fake: FakeContainer;

  constructor(ctx: DurableObjectState, env: Env) {
    const fake = new FakeContainer(String(env.HULL_DEV_URL));
    Object.defineProperty(ctx, "container", { value: fake, configurable: true });
    super(ctx, env);
    this.fake = fake;
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("X-Fake-Container") === "state") return Response.json(this.fake.state);
    return super.fetch(request);
  }
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    if (new URL(req.url).pathname === "/__fake_container") {
      const stub = env.CONTAINER.get(env.CONTAINER.idFromName(String(env.INSTANCE_NAME)));
      return stub.fetch("http://fake/", { headers: { "X-Fake-Container": "state" } });
    }
    return worker.fetch(req, env);
  },
} satisfies ExportedHandler<Env>;
