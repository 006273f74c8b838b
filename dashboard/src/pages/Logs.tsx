// Logs: function runs as they complete (a long poll of the deployment's
// log stream), newest first, with their console lines.
import { useEffect, useState } from "react";
import { api, messageOf } from "../lib";

export type LogLine = { messages: string[]; level: string; timestamp: number };
export type Execution = {
  identifier: string;
  udfType: string;
  logLines: LogLine[];
  timestamp: number;
  executionTime: number;
  error: string | null;
  requestId: string;
  executionId: string;
};

const keep = 1000;

// useLogStream follows the log stream while the component is mounted.
export function useLogStream(onError?: (msg: string | null) => void): Execution[] {
  const [entries, setEntries] = useState<Execution[]>([]);
  useEffect(() => {
    const ctl = new AbortController();
    let cursor = 0;
    (async () => {
      while (!ctl.signal.aborted) {
        try {
          const r = await api<{ entries: Execution[]; newCursor: number }>(`/api/app_metrics/stream_function_logs?cursor=${cursor}`, { signal: ctl.signal });
          cursor = r.newCursor;
          onError?.(null);
          if (r.entries.length) setEntries((prev) => [...prev, ...r.entries].slice(-keep));
        } catch (e) {
          if (ctl.signal.aborted) return;
          onError?.(messageOf(e));
          await new Promise((res) => setTimeout(res, 2000));
        }
      }
    })();
    return () => ctl.abort();
  }, []);
  return entries;
}

export function Logs() {
  const [error, setError] = useState<string | null>(null);
  const entries = useLogStream(setError);
  const [filter, setFilter] = useState("");
  const [failuresOnly, setFailuresOnly] = useState(false);
  const shown = entries
    .filter((e) => (!failuresOnly || e.error) && (filter === "" || e.identifier.includes(filter) || e.logLines.some((l) => l.messages.join(" ").includes(filter))))
    .slice()
    .reverse();
  return (
    <section>
      <h2>Logs</h2>
      <div className="toolbar">
        <input aria-label="Filter logs" placeholder="filter by function or text" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <label className="small">
          <input type="checkbox" checked={failuresOnly} onChange={(e) => setFailuresOnly(e.target.checked)} /> failures only
        </label>
        <span className="muted small">{entries.length} runs</span>
      </div>
      {error && <p className="error">{error}</p>}
      <table className="logs">
        <thead>
          <tr>
            <th>time</th>
            <th>function</th>
            <th>status</th>
            <th>duration</th>
            <th>output</th>
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">Waiting for function runs…</td>
            </tr>
          )}
          {shown.map((e) => (
            <tr key={e.executionId} data-request={e.requestId}>
              <td>{new Date(e.timestamp * 1000).toLocaleTimeString()}</td>
              <td>
                {e.identifier} <span className="muted small">{e.udfType}</span>
              </td>
              <td className={e.error ? "error" : "ok"}>{e.error ? "failure" : "success"}</td>
              <td>{(e.executionTime * 1000).toFixed(1)} ms</td>
              <td>
                {e.logLines.map((l, i) => (
                  <div key={i} className={`logline ${l.level.toLowerCase()}`}>
                    [{l.level}] {l.messages.join(" ")}
                  </div>
                ))}
                {e.error && <div className="error">{e.error}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
