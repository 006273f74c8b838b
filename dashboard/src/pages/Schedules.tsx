// Schedules: functions scheduled to run (cancel one), and cron jobs.
import { useState } from "react";
import { usePaginatedQuery, useQuery } from "convex/react";
import type { Value } from "convex/values";
import { api, cell, messageOf, sysQuery } from "../lib";

const scheduledJobs = sysQuery("paginatedScheduledJobs:default");
const cronJobs = sysQuery("listCronJobs:default");

type Job = Record<string, Value> & { _id: string };

// field reads the first of several names a job document may use.
function field(j: Job, ...names: string[]): Value | undefined {
  for (const n of names) if (j[n] !== undefined) return j[n];
  return undefined;
}

function when(v: Value | undefined): string {
  if (typeof v === "bigint") return new Date(Number(v / 1_000_000n)).toLocaleString();
  if (typeof v === "number") return new Date(v).toLocaleString();
  return "";
}

function stateOf(j: Job): string {
  const s = j.state as Record<string, Value> | undefined;
  return s ? String(s.kind ?? s.type ?? "") : "";
}

export function Schedules() {
  const { results, status, loadMore } = usePaginatedQuery(scheduledJobs, {}, { initialNumItems: 50 });
  const crons = useQuery(cronJobs, {}) as Job[] | undefined;
  const [error, setError] = useState<string | null>(null);
  const jobs = results as Job[];
  return (
    <section>
      <h2>Scheduled functions</h2>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="jobs">
        <thead>
          <tr>
            <th>function</th>
            <th>scheduled for</th>
            <th>state</th>
            <th>arguments</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {jobs.length === 0 && status !== "LoadingFirstPage" && (
            <tr>
              <td colSpan={5} className="muted">Nothing is scheduled.</td>
            </tr>
          )}
          {jobs.map((j) => (
            <tr key={j._id} data-id={j._id}>
              <td>{cell(field(j, "name", "udfPath"))}</td>
              <td>{when(field(j, "scheduledTime", "nextTs"))}</td>
              <td>{stateOf(j)}</td>
              <td>{cell(field(j, "args"))}</td>
              <td>
                {(stateOf(j) === "pending" || stateOf(j) === "inProgress") && (
                  <button
                    className="link danger"
                    onClick={async () => {
                      setError(null);
                      try {
                        await api("/api/cancel_job", { method: "POST", body: JSON.stringify({ id: j._id, componentId: null }) });
                      } catch (e) {
                        setError(messageOf(e));
                      }
                    }}
                  >
                    Cancel
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {status === "CanLoadMore" && (
        <button className="secondary" onClick={() => loadMore(50)}>
          Load more
        </button>
      )}
      <h2>Cron jobs</h2>
      <table className="crons">
        <thead>
          <tr>
            <th>name</th>
            <th>function</th>
            <th>schedule</th>
            <th>next run</th>
            <th>last run</th>
          </tr>
        </thead>
        <tbody>
          {crons && crons.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">No cron jobs: define them in convex/crons.ts.</td>
            </tr>
          )}
          {(crons ?? []).map((c) => {
            const spec = (c.cronSpec ?? {}) as Record<string, Value>;
            const next = (c.nextRun ?? {}) as Record<string, Value>;
            const last = c.lastRun as Record<string, Value> | null;
            return (
              <tr key={c._id} data-cron={String(c.name)}>
                <td>{cell(c.name)}</td>
                <td>{cell(spec.udfPath)}</td>
                <td>{cell(spec.cronSchedule)}</td>
                <td>{when(next.nextTs)}</td>
                <td>{last ? `${when(last.ts)} · ${cell((last.status as Record<string, Value>)?.type)}` : "never"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
