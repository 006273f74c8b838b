// Functions: the deployed functions by module; run one with arguments and
// see its result and the log lines of its runs.
import { useEffect, useMemo, useState } from "react";
import { useConvex, useQuery } from "convex/react";
import { makeFunctionReference } from "convex/server";
import type { Value } from "convex/values";
import { fromText, messageOf, sysQuery, toText } from "../lib";
import { useLogStream, type Execution } from "./Logs";

const modulesQuery = sysQuery("modules:listForAllComponents");

type Fn = { name: string; udfType: string; visibility: { kind: string }; args?: string };
type ModuleEntry = { functions: Fn[] };

// identifier turns a module path and export into "dir/module:export".
function identifier(path: string, name: string): string {
  return `${path.replace(/\.js$/, "")}:${name}`;
}

export function Functions({ selected }: { selected?: string }) {
  const all = useQuery(modulesQuery, {}) as [string | null, [string, ModuleEntry][]][] | undefined;
  const fns = useMemo(() => {
    const out: { id: string; fn: Fn }[] = [];
    for (const [, mods] of all ?? []) for (const [path, m] of mods) for (const fn of m.functions) out.push({ id: identifier(path, fn.name), fn });
    return out;
  }, [all]);
  const current = fns.find((f) => f.id === selected);
  return (
    <section>
      <h2>Functions</h2>
      <div className="split">
        <aside className="tables card">
          {all === undefined && <p className="muted">Loading…</p>}
          {all && fns.length === 0 && <p className="muted">Nothing deployed yet: run npx convex deploy.</p>}
          {fns.map(({ id, fn }) => (
            <a key={id} href={`#/functions/${encodeURIComponent(id)}`} className={id === selected ? "active" : ""} data-function={id}>
              {id} <span className="muted small">{fn.udfType.toLowerCase()}{fn.visibility.kind === "internal" ? " · internal" : ""}</span>
            </a>
          ))}
        </aside>
        <div className="grow">{current ? <Runner key={current.id} id={current.id} fn={current.fn} /> : <p className="muted">Pick a function.</p>}</div>
      </div>
    </section>
  );
}

type Validator = { type: string; value?: unknown; fieldType?: Validator; optional?: boolean };

// skeleton fills the required fields of an args validator with
// placeholders of their type, as a starting point to edit.
function skeleton(argsJSON?: string): string {
  let v: Validator;
  try {
    v = JSON.parse(argsJSON ?? "");
  } catch {
    return "{}";
  }
  if (v.type !== "object" || !v.value) return "{}";
  const blank = (t: Validator): unknown => {
    switch (t.type) {
      case "string":
      case "id":
        return "";
      case "number":
        return 0;
      case "boolean":
        return false;
      case "array":
        return [];
      case "object":
      case "record":
        return {};
      case "literal":
        return t.value;
      default:
        return null;
    }
  };
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(v.value as Record<string, Validator>)) if (!f.optional && f.fieldType) out[name] = blank(f.fieldType);
  return JSON.stringify(out, null, 2);
}

function Runner({ id, fn }: { id: string; fn: Fn }) {
  const convex = useConvex();
  const [args, setArgs] = useState(() => skeleton(fn.args));
  const [result, setResult] = useState<{ ok: boolean; text: string; ms: number } | null>(null);
  const [running, setRunning] = useState(false);
  const entries = useLogStream();
  const runs = entries.filter((e: Execution) => e.identifier === id).slice(-20).reverse();
  useEffect(() => setResult(null), [id]);
  const kind = fn.udfType;

  async function run() {
    let parsed: Value;
    try {
      parsed = fromText(args);
    } catch (e) {
      setResult({ ok: false, text: `The arguments are not valid JSON: ${messageOf(e)}`, ms: 0 });
      return;
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      setResult({ ok: false, text: "The arguments must be a JSON object.", ms: 0 });
      return;
    }
    setRunning(true);
    const start = performance.now();
    try {
      const a = parsed as Record<string, Value>;
      let v: Value;
      if (kind === "Query") v = await convex.query(makeFunctionReference<"query">(id), a);
      else if (kind === "Mutation") v = await convex.mutation(makeFunctionReference<"mutation">(id), a);
      else v = await convex.action(makeFunctionReference<"action">(id), a);
      setResult({ ok: true, text: toText(v), ms: performance.now() - start });
    } catch (e) {
      setResult({ ok: false, text: messageOf(e), ms: performance.now() - start });
    } finally {
      setRunning(false);
    }
  }

  return (
    <div>
      <h3>
        {id} <span className="muted small">{kind}</span>
      </h3>
      {kind === "HttpAction" ? (
        <p className="muted">HTTP actions run through their routes under /http.</p>
      ) : (
        <div className="card editor">
          {fn.args && <p className="muted small">Arguments validator: <code>{fn.args}</code></p>}
          <label htmlFor="fn-args">Arguments</label>
          <textarea id="fn-args" rows={5} value={args} onChange={(e) => setArgs(e.target.value)} spellCheck={false} />
          <div className="row">
            <button onClick={run} disabled={running}>
              {running ? "Running…" : `Run ${kind.toLowerCase()}`}
            </button>
          </div>
        </div>
      )}
      {result && (
        <div className={`card result ${result.ok ? "" : "failed"}`} data-testid="result">
          <span className="muted small">{result.ok ? "Result" : "Error"} · {result.ms.toFixed(0)} ms</span>
          <pre>{result.text}</pre>
        </div>
      )}
      <h4>Recent runs</h4>
      <ul className="runs">
        {runs.length === 0 && <li className="muted">No recent runs.</li>}
        {runs.map((e) => (
          <li key={e.executionId}>
            <span className={e.error ? "error" : "ok"}>{e.error ? "failure" : "success"}</span> {new Date(e.timestamp * 1000).toLocaleTimeString()} ·{" "}
            {(e.executionTime * 1000).toFixed(1)} ms
            {e.error && <pre className="error">{e.error}</pre>}
            {e.logLines.map((l, i) => (
              <pre key={i} className="logline">
                [{l.level}] {l.messages.join(" ")}
              </pre>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}
