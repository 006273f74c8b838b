// The dashboard's frame: login (admin key or one-time link), then a
// ConvexReactClient with the admin key and the pages behind a hash router.
import { useEffect, useMemo, useState } from "react";
import { ConvexProvider, ConvexReactClient } from "convex/react";
import { checkKey, deploymentUrl, exchangeLinkCode, forgetKey, messageOf, saveKey, savedKey, takeLinkCode } from "./lib";
import { Overview } from "./pages/Overview";
import { Data } from "./pages/Data";
import { Functions } from "./pages/Functions";
import { Logs } from "./pages/Logs";
import { Schedules } from "./pages/Schedules";
import { Files } from "./pages/Files";
import { EnvVars } from "./pages/EnvVars";
import { Settings } from "./pages/Settings";

const pages = [
  ["overview", "Overview"],
  ["data", "Data"],
  ["functions", "Functions"],
  ["logs", "Logs"],
  ["schedules", "Schedules"],
  ["files", "Files"],
  ["env", "Environment"],
  ["settings", "Settings"],
] as const;

function useRoute(): string[] {
  const parse = () => window.location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function Root() {
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(true);

  useEffect(() => {
    const code = takeLinkCode();
    (async () => {
      try {
        if (code) {
          const k = await exchangeLinkCode(code);
          saveKey(k);
          setKey(k);
          return;
        }
        const k = savedKey();
        if (k) {
          await checkKey(k);
          setKey(k);
        }
      } catch (e) {
        forgetKey();
        setError(messageOf(e));
      } finally {
        setBusy(false);
      }
    })();
  }, []);

  if (busy) return <div className="center muted">Connecting…</div>;
  if (!key) {
    return (
      <Login
        error={error}
        onKey={async (k) => {
          try {
            await checkKey(k);
            saveKey(k);
            setError(null);
            setKey(k);
          } catch (e) {
            setError(messageOf(e));
          }
        }}
      />
    );
  }
  return (
    <Shell
      adminKey={key}
      onLogout={() => {
        forgetKey();
        setKey(null);
      }}
    />
  );
}

function Login({ error, onKey }: { error: string | null; onKey: (k: string) => void }) {
  const [k, setK] = useState("");
  return (
    <div className="center">
      <form
        className="login card"
        onSubmit={(e) => {
          e.preventDefault();
          if (k.trim()) onKey(k.trim());
        }}
      >
        <h1>hull</h1>
        <p className="muted">{deploymentUrl}</p>
        <label htmlFor="admin-key">Admin key</label>
        <input id="admin-key" type="password" autoComplete="off" value={k} onChange={(e) => setK(e.target.value)} placeholder="instance|01…" />
        <button type="submit">Log in</button>
        {error && <p className="error" role="alert">{error}</p>}
        <p className="muted small">
          Print a key with <code>hull keys admin</code>, or a one-time login link with <code>hull dashboard</code>.
        </p>
      </form>
    </div>
  );
}

function Shell({ adminKey, onLogout }: { adminKey: string; onLogout: () => void }) {
  const client = useMemo(() => {
    const c = new ConvexReactClient(deploymentUrl, { skipConvexDeploymentUrlCheck: true, logger: false });
    // setAdminAuth is how Convex's own dashboard authenticates; the
    // client's types leave it out.
    (c as unknown as { setAdminAuth(key: string): void }).setAdminAuth(adminKey);
    return c;
  }, [adminKey]);
  useEffect(() => () => void client.close(), [client]);
  const route = useRoute();
  const page = pages.some(([p]) => p === route[0]) ? route[0] : "overview";
  return (
    <ConvexProvider client={client}>
      <div className="shell">
        <nav>
          <div className="brand">hull</div>
          {pages.map(([p, label]) => (
            <a key={p} href={`#/${p}`} className={p === page ? "active" : ""} data-page={p}>
              {label}
            </a>
          ))}
          <button className="link logout" onClick={onLogout}>
            Log out
          </button>
        </nav>
        <main>
          {page === "overview" && <Overview />}
          {page === "data" && <Data table={route[1]} />}
          {page === "functions" && <Functions selected={route[1]} />}
          {page === "logs" && <Logs />}
          {page === "schedules" && <Schedules />}
          {page === "files" && <Files />}
          {page === "env" && <EnvVars />}
          {page === "settings" && <Settings onLogout={onLogout} />}
        </main>
      </div>
    </ConvexProvider>
  );
}
