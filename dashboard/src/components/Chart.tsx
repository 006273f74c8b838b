// A small SVG line chart of one or more metrics series.
import type { Series } from "../lib";

export type Line = { name: string; color: string; series: Series; scale?: number };

export function Chart({ title, lines, unit }: { title: string; lines: Line[]; unit?: string }) {
  const w = 320;
  const h = 110;
  const pad = 4;
  const values = lines.flatMap((l) => l.series.map(([, v]) => (v ?? 0) * (l.scale ?? 1)));
  const maxV = Math.max(1e-9, ...values);
  const n = Math.max(1, ...lines.map((l) => l.series.length));
  const x = (i: number) => pad + (i * (w - 2 * pad)) / Math.max(1, n - 1);
  const y = (v: number) => h - pad - (v / maxV) * (h - 2 * pad);
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2));
  return (
    <figure className="chart card">
      <figcaption>
        {title}
        <span className="muted small">
          {" "}max {fmt(maxV)}
          {unit ? ` ${unit}` : ""}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={title}>
        <line x1={pad} y1={h - pad} x2={w - pad} y2={h - pad} className="axis" />
        {lines.map((l) => (
          <polyline
            key={l.name}
            fill="none"
            stroke={l.color}
            strokeWidth={1.5}
            points={l.series.map(([, v], i) => `${x(i).toFixed(1)},${y((v ?? 0) * (l.scale ?? 1)).toFixed(1)}`).join(" ")}
          />
        ))}
      </svg>
      <div className="legend small">
        {lines.map((l) => (
          <span key={l.name}>
            <i style={{ background: l.color }} /> {l.name}
          </span>
        ))}
      </div>
    </figure>
  );
}
