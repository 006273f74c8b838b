// Settings: how to reach this deployment from the CLI, clients and the
// official Convex dashboard; the session.
import { useQuery } from "convex/react";
import { deploymentUrl, sysQuery } from "../lib";

const cloudUrl = sysQuery("convexCloudUrl:default");
const siteUrl = sysQuery("convexSiteUrl:default");

export function Settings({ onLogout }: { onLogout: () => void }) {
  const cloud = (useQuery(cloudUrl, {}) as string | undefined) || deploymentUrl;
  const site = useQuery(siteUrl, {}) as string | undefined;
  return (
    <section>
      <h2>Settings</h2>
      <div className="card">
        <h4>Deployment URL</h4>
        <p>
          <code data-testid="cloud-url">{cloud}</code>
        </p>
        {site && (
          <>
            <h4>HTTP actions URL</h4>
            <p>
              <code>{site}</code>
            </p>
          </>
        )}
        <h4>Deploy with the Convex CLI</h4>
        <pre>{`CONVEX_SELF_HOSTED_URL=${cloud}\nCONVEX_SELF_HOSTED_ADMIN_KEY=<hull keys admin>\nnpx convex deploy`}</pre>
        <h4>The official Convex dashboard</h4>
        <pre>{`docker run -p 6791:6791 -e NEXT_PUBLIC_DEPLOYMENT_URL=${cloud} ghcr.io/get-convex/convex-dashboard`}</pre>
      </div>
      <div className="card">
        <h4>Session</h4>
        <p className="muted small">The admin key is kept in this tab only and forgotten when it closes.</p>
        <button className="secondary" onClick={onLogout}>
          Log out
        </button>
      </div>
    </section>
  );
}
