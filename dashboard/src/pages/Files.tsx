// Files: what is in file storage; upload, download and delete.
import { useRef, useState } from "react";
import { useMutation, usePaginatedQuery, useQuery } from "convex/react";
import { deploymentUrl, messageOf, sysMutation, sysQuery } from "../lib";

const fileMetadata = sysQuery("fileStorageV2:fileMetadata");
const numFiles = sysQuery("fileStorageV2:numFiles");
const generateUploadUrl = sysMutation("fileStorageV2:generateUploadUrl");
const deleteFiles = sysMutation("fileStorageV2:deleteFiles");

type FileDoc = { _id: string; _creationTime: number; size: number; contentType?: string; sha256?: string; url?: string };

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

export function Files() {
  const { results, status, loadMore } = usePaginatedQuery(fileMetadata, {}, { initialNumItems: 50 });
  const count = useQuery(numFiles, {}) as number | undefined;
  const upload = useMutation(generateUploadUrl);
  const del = useMutation(deleteFiles);
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const files = results as FileDoc[];

  async function send(file: File) {
    setBusy(true);
    setError(null);
    try {
      const url = (await upload({})) as string;
      const res = await fetch(url, { method: "POST", headers: { "Content-Type": file.type || "application/octet-stream" }, body: file });
      if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }

  return (
    <section>
      <h2>
        Files <span className="muted small">{count ?? "…"} files</span>
      </h2>
      <div className="toolbar">
        <input ref={input} type="file" aria-label="File to upload" onChange={(e) => e.target.files?.[0] && send(e.target.files[0])} disabled={busy} />
        {busy && <span className="muted">Uploading…</span>}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="files">
        <thead>
          <tr>
            <th>id</th>
            <th>uploaded</th>
            <th>type</th>
            <th>size</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {files.length === 0 && status !== "LoadingFirstPage" && (
            <tr>
              <td colSpan={5} className="muted">No files yet.</td>
            </tr>
          )}
          {files.map((f) => (
            <tr key={f._id} data-id={f._id}>
              <td>{f._id}</td>
              <td>{new Date(f._creationTime).toLocaleString()}</td>
              <td>{f.contentType ?? ""}</td>
              <td>{size(f.size)}</td>
              <td className="actions">
                <a href={f.url ?? `${deploymentUrl}/api/storage/${f._id}`} download>
                  Download
                </a>
                <button
                  className="link danger"
                  onClick={async () => {
                    setError(null);
                    try {
                      await del({ storageIds: [f._id] });
                    } catch (e) {
                      setError(messageOf(e));
                    }
                  }}
                >
                  Delete
                </button>
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
      <p className="muted small">Files are served at {deploymentUrl}/api/storage/&lt;id&gt;.</p>
    </section>
  );
}
