// A PostgreSQL cluster of a test's own (scripts/pg-test-server.sh), for
// tests that take the server away: pause stops it keeping its data,
// resume starts it again on the same port.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./hull.mjs";

const run = promisify(execFile);
const script = join(repoRoot, "scripts", "pg-test-server.sh");

export class PgCluster {
  static async start() {
    const c = new PgCluster();
    c.dir = await mkdtemp(join(tmpdir(), "hull-e2e-pg-"));
    const { stdout } = await run("bash", [script, "start", c.dir], { env: { ...process.env, HULL_PG_FSYNC: "off" } });
    const line = stdout.split("\n").find((l) => l.startsWith("HULL_TEST_POSTGRES_URL="));
    const u = new URL(line.slice("HULL_TEST_POSTGRES_URL=".length));
    u.pathname = "/";
    u.search = "";
    c.url = u.toString(); // the cluster, no database: hull creates its own
    c.port = u.port;
    return c;
  }

  async pause() {
    await run("bash", [script, "pause", this.dir]);
  }

  async resume() {
    await run("bash", [script, "resume", this.dir]);
  }

  async stop() {
    await run("bash", [script, "stop", this.dir]).catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }
}
