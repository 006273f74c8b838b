// Environment variables: list, add, change, remove.
import { useState } from "react";
import { useQuery } from "convex/react";
import { api, messageOf, sysQuery } from "../lib";

const listEnv = sysQuery("listEnvironmentVariables:default");

type EnvDoc = { name: string; value: string };

export function EnvVars() {
  const vars = useQuery(listEnv, {}) as EnvDoc[] | undefined;
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [editing, setEditing] = useState<Record<string, string>>({});
  const [shown, setShown] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<string | null>(null);

  async function change(changes: { name: string; value: string | null }[]) {
    setError(null);
    try {
      await api("/api/update_environment_variables", { method: "POST", body: JSON.stringify({ changes }) });
      return true;
    } catch (e) {
      setError(messageOf(e));
      return false;
    }
  }

  return (
    <section>
      <h2>Environment variables</h2>
      <p className="muted small">Functions read these as process.env. A change reaches every function run that starts after it.</p>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="env">
        <thead>
          <tr>
            <th>name</th>
            <th>value</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {vars && vars.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">None set.</td>
            </tr>
          )}
          {(vars ?? []).map((v) => (
            <tr key={v.name} data-name={v.name}>
              <td>
                <code>{v.name}</code>
              </td>
              <td>
                {editing[v.name] !== undefined ? (
                  <input aria-label={`Value of ${v.name}`} value={editing[v.name]} onChange={(e) => setEditing({ ...editing, [v.name]: e.target.value })} />
                ) : (
                  <code>{shown[v.name] ? v.value : "•".repeat(Math.min(12, Math.max(4, v.value.length)))}</code>
                )}
              </td>
              <td className="actions">
                {editing[v.name] !== undefined ? (
                  <>
                    <button
                      className="link"
                      onClick={async () => {
                        if (await change([{ name: v.name, value: editing[v.name] }])) {
                          const { [v.name]: _, ...rest } = editing;
                          void _;
                          setEditing(rest);
                        }
                      }}
                    >
                      Save
                    </button>
                    <button
                      className="link"
                      onClick={() => {
                        const { [v.name]: _, ...rest } = editing;
                        void _;
                        setEditing(rest);
                      }}
                    >
                      Cancel
                    </button>
                  </>
                ) : (
                  <>
                    <button className="link" onClick={() => setShown({ ...shown, [v.name]: !shown[v.name] })}>
                      {shown[v.name] ? "Hide" : "Show"}
                    </button>
                    <button className="link" onClick={() => setEditing({ ...editing, [v.name]: v.value })}>
                      Edit
                    </button>
                    <button className="link danger" onClick={() => change([{ name: v.name, value: null }])}>
                      Remove
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="row"
        onSubmit={async (e) => {
          e.preventDefault();
          if (name && (await change([{ name, value }]))) {
            setName("");
            setValue("");
          }
        }}
      >
        <input aria-label="New variable name" placeholder="NAME" value={name} onChange={(e) => setName(e.target.value)} />
        <input aria-label="New variable value" placeholder="value" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit">Add</button>
      </form>
    </section>
  );
}
