// Overview: what is running, on what storage, since when, and charts of
// calls, errors and latency over the last 30 minutes.
import { useEffect, useState } from "react";
import { api, formatDuration, messageOf, windowParam, type Series } from "../lib";
import { Chart } from "../components/Chart";

type OverviewInfo = {
  instanceName: string;
  version: string;
  startedAt: number;
  uptimeSeconds: number;
  backends: Record<string, string>;
  status: { status: string; reason?: string };
  deployed: boolean;
  functions: number;
  modules: number;
  environmentVars: number;
  backfillingIndexes: string[];
  redactErrors: boolean;
};

type Metrics = { calls: Series; errors: Series; latency: [number, Series][] };

function usePolled<T>(load: () => Promise<T>, ms: number): [T | null, string | null] {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const tick = async () => {
      try {
        const d = await load();
        if (live) {
          setData(d);
          setError(null);
        }
      } catch (e) {
        if (live) setError(messageOf(e));
      }
    };
    void tick();
    const t = window.setInterval(tick, ms);
    return () => {
      live = false;
      window.clearInterval(t);
    };
  }, []);
  return [data, error];
}

export function Overview() {
  const [info, infoError] = usePolled(() => api<OverviewInfo>("/api/hull/overview"), 5000);
  const [m] = usePolled<Metrics>(async () => {
    const win = windowParam(30, 30);
    const [calls, errors, latency] = await Promise.all([
      api<Series>(`/api/app_metrics/udf_rate?metric=invocations&window=${win}`),
      api<Series>(`/api/app_metrics/udf_rate?metric=errors&window=${win}`),
      api<[number, Series][]>(`/api/app_metrics/latency_percentiles?percentiles=${encodeURIComponent("[50,99]")}&window=${win}`),
    ]);
    return { calls, errors, latency };
  }, 5000);
  return (
    <section>
      <h2>Overview</h2>
      {infoError && <p className="error">{infoError}</p>}
      {info && (
        <div className="tiles">
          <div className="tile card">
            <span className="muted small">Instance</span>
            <strong data-testid="instance">{info.instanceName}</strong>
          </div>
          <div className="tile card">
            <span className="muted small">Version</span>
            <strong data-testid="version">hull {info.version}</strong>
          </div>
          <div className="tile card">
            <span className="muted small">Uptime</span>
            <strong>{formatDuration(info.uptimeSeconds)}</strong>
          </div>
          <div className="tile card">
            <span className="muted small">Storage</span>
            <strong className={info.status.status === "ready" ? "ok" : "warn"}>{info.status.status}</strong>
            {Object.entries(info.backends).map(([k, v]) => (
              <span key={k} className="small">
                {k}: {v}
              </span>
            ))}
          </div>
          <div className="tile card">
            <span className="muted small">Code</span>
            <strong>{info.deployed ? `${info.functions} functions in ${info.modules} modules` : "nothing deployed yet"}</strong>
            <span className="small">{info.environmentVars} environment variables</span>
          </div>
          {info.backfillingIndexes.length > 0 && (
            <div className="tile card">
              <span className="muted small">Backfilling</span>
              <strong>{info.backfillingIndexes.join(", ")}</strong>
            </div>
          )}
        </div>
      )}
      <h3>Last 30 minutes</h3>
      {m && (
        <div className="charts">
          <Chart title="Calls per minute" lines={[{ name: "calls", color: "#4f7cff", series: m.calls }]} />
          <Chart title="Errors per minute" lines={[{ name: "errors", color: "#e5484d", series: m.errors }]} />
          <Chart
            title="Latency"
            unit="ms"
            lines={m.latency.map(([p, s], i) => ({ name: `p${p}`, color: i ? "#f5a524" : "#30a46c", series: s, scale: 1000 }))}
          />
        </div>
      )}
    </section>
  );
}
