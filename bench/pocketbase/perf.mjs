// CPU profiles of a server under load, with Linux perf (Go keeps frame
// pointers, so call chains through hull's Go code are whole; V8's C++ and
// JIT frames may be cut, which only moves time into the "self" rows).
import { spawn, execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

// Stages of a mutation, each a function whose inclusive share of the
// samples (its own time and its callees') is reported.
const stages = [
  ["WebSocket mutation path: session → app → runtime → commit", "hull/server/sync.(*session).runMutation"],
  ["HTTP request path: net/http → app → runtime → commit", "net/http.(*ServeMux).ServeHTTP"],
  ["  the mutation in the app layer (function run, commit handed over)", "hull/app.(*App).mutationOnce"],
  ["  the function run on the engine (JS and host calls)", "hull/runtime.(*vmRun).call"],
  ["  reads inside the mutation (index scans)", "hull/database.(*Tx).scan"],
  ["  session replay records (idempotency)", "hull/app.replaySession"],
  ["engine made fresh after each call, Go side (background; QuickJS: heap copied back)", "hull/runtime.(*Pool).release.func1"],
  ["V8: context copied from the snapshot (background)", "hv8_reset_context"],
  ["V8: JavaScript call", "hv8_call"],
  ["V8: garbage collection", "v8::internal::Heap::CollectGarbage"],
  ["group commit (committer goroutine)", "hull/database.(*DB).commitGroup"],
  ["  SQLite store write (statements, commit, fsync)", "hull/persistence/sqlite.(*Store).Write"],
  ["Go garbage collector (background marking)", "runtime.gcBgMarkWorker"],
];

// record profiles pid for ms and writes DIR/name.txt: the stages above,
// then the flat profile's top entries. It resolves once written.
export function record(dir, name, pid, ms) {
  const data = join(dir, `${name}.data`);
  return new Promise((resolve) => {
    const p = spawn("perf", ["record", "-F", "999", "-g", "-p", String(pid), "-o", data, "--", "sleep", String(ms / 1000)], { stdio: "ignore" });
    p.once("error", (e) => {
      console.error(`perf for ${name}: ${e}`);
      resolve();
    });
    p.once("exit", async () => {
      try {
        await writeFile(join(dir, `${name}.txt`), await summarize(data));
      } catch (e) {
        console.error(`perf report for ${name}: ${e}`);
      }
      resolve();
    });
  });
}

async function report(data, children) {
  const args = ["report", "-i", data, "--stdio", children ? "--children" : "--no-children", "--sort", "sym", "-g", "none", "--percent-limit", "0"];
  const { stdout } = await run("perf", args, { maxBuffer: 1 << 28 });
  return stdout;
}

// summarize renders a perf.data file as the stage table and the top of
// the flat profile.
export async function summarize(data) {
  const incl = await report(data, true);
  const samples = incl.match(/# Samples: ([\d.]+[KM]?)/)?.[1] ?? "?";
  const share = new Map();
  for (const line of incl.split("\n")) {
    const m = line.match(/^\s+([\d.]+)%\s+([\d.]+)%\s+\[[.k]\]\s+(.*)$/);
    if (m) share.set(m[3].trim(), Number(m[1]));
  }
  let out = `${samples} samples\n\n| stage | share of the server's CPU samples |\n|---|---|\n`;
  for (const [label, sym] of stages) {
    if (share.has(sym)) out += `| ${label} | ${share.get(sym).toFixed(1)} % |\n`;
  }
  const flat = (await report(data, false)).split("\n").filter((l) => /^\s+[\d.]+%/.test(l));
  out += `\nflat (self) top 25:\n\n${flat.slice(0, 25).join("\n")}\n`;
  return out;
}
