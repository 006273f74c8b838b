// Data: tables, a live paginated view of documents with filters, edits
// (insert, edit, delete — the deployment checks each against the schema)
// and the table's indexes with their backfill progress.
import { useEffect, useMemo, useState } from "react";
import { useConvex, useMutation, usePaginatedQuery, useQuery } from "convex/react";
import type { Value } from "convex/values";
import { b64, cell, fromText, messageOf, sysMutation, sysQuery, toText } from "../lib";

const tableMapping = sysQuery("getTableMapping:default");
const tableSize = sysQuery("tableSize:default");
const documents = sysQuery("paginatedTableDocuments:default");
const indexes = sysQuery("indexes:default");
const addDocument = sysMutation("addDocument:default");
const replaceDocument = sysMutation("replaceDocument:default");
const deleteDocuments = sysMutation("deleteDocuments:default");

type Doc = Record<string, Value> & { _id: string; _creationTime: number };
type Filter = { field: string; op: string; value: string };
type IndexRow = { name: string; fields: string[]; staged: boolean; backfill: { state: string; stats?: { numDocsIndexed: number; totalDocs: number | null } } };

export function Data({ table }: { table?: string }) {
  const mapping = useQuery(tableMapping, {}) as Record<string, string> | undefined;
  const tables = useMemo(() => Object.values(mapping ?? {}).sort(), [mapping]);
  return (
    <section className="data">
      <h2>Data</h2>
      <div className="split">
        <aside className="tables card">
          {mapping === undefined && <p className="muted">Loading…</p>}
          {mapping && tables.length === 0 && <p className="muted">No tables yet.</p>}
          {tables.map((t) => (
            <a key={t} href={`#/data/${encodeURIComponent(t)}`} className={t === table ? "active" : ""} data-table={t}>
              {t}
            </a>
          ))}
        </aside>
        <div className="grow">{table ? <Table key={table} table={table} /> : <p className="muted">Pick a table.</p>}</div>
      </div>
    </section>
  );
}

// useIndexes follows a table's indexes; while one backfills, its progress
// is polled too (progress is not a commit, so the subscription alone
// would only move when documents change).
function useIndexes(table: string): IndexRow[] | undefined {
  const convex = useConvex();
  const live = useQuery(indexes, { tableName: table, tableNamespace: null }) as IndexRow[] | undefined;
  const [polled, setPolled] = useState<IndexRow[] | undefined>(undefined);
  const current = polled ?? live;
  const backfilling = (current ?? []).some((i) => i.backfill.state === "backfilling");
  useEffect(() => setPolled(undefined), [live]);
  useEffect(() => {
    if (!backfilling) return;
    const t = window.setInterval(async () => {
      setPolled((await convex.query(indexes, { tableName: table, tableNamespace: null })) as IndexRow[]);
    }, 1000);
    return () => window.clearInterval(t);
  }, [backfilling, table, convex]);
  return current;
}

function encodeFilters(filters: Filter[], order: "asc" | "desc"): string | null {
  const clauses = [];
  for (const f of filters) {
    if (!f.field) continue;
    let v: unknown;
    try {
      v = JSON.parse(f.value);
    } catch {
      v = f.value; // a bare word is a string
    }
    clauses.push({ op: f.op, field: f.field, value: v, enabled: true });
  }
  if (clauses.length === 0 && order === "desc") return null;
  return b64(JSON.stringify({ clauses, order }));
}

function Table({ table }: { table: string }) {
  const [filters, setFilters] = useState<Filter[]>([]);
  const [draft, setDraft] = useState<Filter>({ field: "", op: "eq", value: "" });
  const [order, setOrder] = useState<"asc" | "desc">("desc");
  const [editing, setEditing] = useState<{ id: string | null; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const count = useQuery(tableSize, { tableName: table }) as number | undefined;
  const filterArg = encodeFilters(filters, order);
  const { results, status, loadMore } = usePaginatedQuery(documents, { table, filters: filterArg }, { initialNumItems: 50 });
  const ix = useIndexes(table);
  const add = useMutation(addDocument);
  const replace = useMutation(replaceDocument);
  const del = useMutation(deleteDocuments);
  const docs = results as Doc[];
  const columns = useMemo(() => {
    const set = new Set<string>();
    for (const d of docs) for (const k of Object.keys(d)) if (k !== "_id" && k !== "_creationTime") set.add(k);
    return ["_id", ...[...set].sort(), "_creationTime"];
  }, [docs]);

  async function save() {
    if (!editing) return;
    setError(null);
    let value: Value;
    try {
      value = fromText(editing.text);
    } catch (e) {
      setError(`Not valid JSON: ${messageOf(e)}`);
      return;
    }
    try {
      const res = (editing.id === null
        ? await add({ table, documents: Array.isArray(value) ? value : [value] })
        : await replace({ id: editing.id, document: value })) as { success: boolean; error?: string };
      if (res && res.success === false) {
        setError(res.error ?? "The edit failed.");
        return;
      }
      setEditing(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  return (
    <div>
      <div className="toolbar">
        <h3>
          {table} <span className="muted small" data-testid="count">{count ?? "…"} documents</span>
        </h3>
        <button onClick={() => { setError(null); setEditing({ id: null, text: "{\n  \n}" }); }}>Add document</button>
        <button className="secondary" onClick={() => setOrder(order === "desc" ? "asc" : "desc")}>
          {order === "desc" ? "Newest first" : "Oldest first"}
        </button>
      </div>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.field) setFilters([...filters, draft]);
          setDraft({ field: "", op: "eq", value: "" });
        }}
      >
        <input aria-label="Filter field" placeholder="field" value={draft.field} onChange={(e) => setDraft({ ...draft, field: e.target.value })} />
        <select aria-label="Filter operator" value={draft.op} onChange={(e) => setDraft({ ...draft, op: e.target.value })}>
          {["eq", "neq", "lt", "lte", "gt", "gte"].map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
        <input aria-label="Filter value" placeholder='value (JSON, e.g. "text" or 3)' value={draft.value} onChange={(e) => setDraft({ ...draft, value: e.target.value })} />
        <button type="submit" className="secondary">Add filter</button>
        {filters.map((f, i) => (
          <span key={i} className="chip">
            {f.field} {f.op} {f.value}
            <button type="button" className="link" aria-label="Remove filter" onClick={() => setFilters(filters.filter((_, j) => j !== i))}>×</button>
          </span>
        ))}
      </form>
      {editing && (
        <div className="editor card">
          <h4>{editing.id === null ? "New document" : `Edit ${editing.id}`}</h4>
          <textarea aria-label="Document JSON" value={editing.text} onChange={(e) => setEditing({ ...editing, text: e.target.value })} rows={10} spellCheck={false} />
          <div className="row">
            <button onClick={save}>Save</button>
            <button className="secondary" onClick={() => { setEditing(null); setError(null); }}>Cancel</button>
          </div>
        </div>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="scroll">
        <table className="docs">
          <thead>
            <tr>
              <th></th>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {docs.map((d) => (
              <tr key={d._id} data-id={d._id}>
                <td className="actions">
                  <button
                    className="link"
                    onClick={() => {
                      const { _id, _creationTime, ...rest } = d;
                      void _id;
                      void _creationTime;
                      setError(null);
                      setEditing({ id: d._id, text: toText(rest as Value) });
                    }}
                  >
                    Edit
                  </button>
                  <button
                    className="link danger"
                    onClick={async () => {
                      setError(null);
                      try {
                        await del({ toDelete: [{ id: d._id, tableName: table }] });
                      } catch (e) {
                        setError(messageOf(e));
                      }
                    }}
                  >
                    Delete
                  </button>
                </td>
                {columns.map((c) => (
                  <td key={c} title={cell(d[c])}>
                    {c === "_creationTime" ? new Date(d._creationTime).toISOString() : cell(d[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {status === "CanLoadMore" && (
        <button className="secondary" onClick={() => loadMore(50)}>
          Load more
        </button>
      )}
      {status === "LoadingFirstPage" && <p className="muted">Loading…</p>}
      <h4>Indexes</h4>
      <table className="indexes">
        <thead>
          <tr>
            <th>name</th>
            <th>fields</th>
            <th>state</th>
          </tr>
        </thead>
        <tbody>
          {(ix ?? []).map((i) => (
            <tr key={i.name}>
              <td>{i.name}</td>
              <td>{i.fields.join(", ")}</td>
              <td>
                {i.backfill.state === "backfilling" ? (
                  <>
                    backfilling <progress max={i.backfill.stats?.totalDocs ?? 1} value={i.backfill.stats?.numDocsIndexed ?? 0} />{" "}
                    {i.backfill.stats?.numDocsIndexed ?? 0}/{i.backfill.stats?.totalDocs ?? "?"}
                  </>
                ) : (
                  i.backfill.state + (i.staged ? " (staged)" : "")
                )}
              </td>
            </tr>
          ))}
          {ix && ix.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">
                No indexes besides by_id and by_creation_time.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
