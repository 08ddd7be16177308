// An SVG chart of series read back from Prometheus (query_range), for lib/telemetry/README.md.
import { writeFileSync } from "node:fs";

type RangeSource = {
  queryRange: (promql: string, start: number, end: number, step: number) => Promise<{ metric: Record<string, string>; values: [number, string][] }[]>;
};

const panels = [
  {
    title: "Pool connections (DB_POOL_MAX=2)",
    series: [
      { label: "open", promql: "db_pool_connections", color: "#2563eb" },
      { label: "idle", promql: "db_pool_idle_connections", color: "#16a34a" },
      { label: "waiting for one", promql: "db_pool_waiting_requests", color: "#dc2626" },
    ],
  },
  {
    title: "Totals since the server started",
    series: [
      { label: "errors: pool_exhausted", promql: 'sum(http_errors_total{code="pool_exhausted"}) or vector(0)', color: "#dc2626" },
      { label: "acquires that failed", promql: 'sum(db_pool_acquire_seconds_count{outcome="failed"}) or vector(0)', color: "#9333ea" },
    ],
  },
];

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export async function writeTelemetryChart(prometheus: RangeSource, { start, end, out }: { start: number; end: number; out: string }) {
  const step = 1;
  const width = 760;
  const panelHeight = 200;
  const body: string[] = [];
  for (const [index, panel] of panels.entries()) {
    const top = 30 + index * (panelHeight + 70);
    const left = 50;
    const plotWidth = width - left - 200;
    const data = await Promise.all(panel.series.map(async (s) => ({ ...s, points: (await prometheus.queryRange(s.promql, start, end, step))[0]?.values ?? [] })));
    const maxY = Math.max(1, ...data.flatMap((s) => s.points.map(([, v]) => Number(v))));
    const x = (t: number) => left + ((t - start) / (end - start)) * plotWidth;
    const y = (v: number) => top + panelHeight - (v / maxY) * panelHeight;
    body.push(`<text x="${left}" y="${top - 10}" font-weight="600">${escape(panel.title)}</text>`);
    body.push(`<rect x="${left}" y="${top}" width="${plotWidth}" height="${panelHeight}" fill="none" stroke="#d1d5db"/>`);
    body.push(`<text x="${left - 6}" y="${top + 4}" text-anchor="end">${Math.round(maxY * 10) / 10}</text>`);
    body.push(`<text x="${left - 6}" y="${top + panelHeight}" text-anchor="end">0</text>`);
    body.push(`<text x="${left + plotWidth}" y="${top + panelHeight + 16}" text-anchor="end">${Math.round(end - start)} s</text>`);
    for (const [i, s] of data.entries()) {
      const points = s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(Number(v)).toFixed(1)}`).join(" ");
      body.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
      body.push(`<rect x="${left + plotWidth + 12}" y="${top + 10 + i * 20}" width="12" height="3" fill="${s.color}"/>`);
      body.push(`<text x="${left + plotWidth + 30}" y="${top + 15 + i * 20}">${escape(s.label)}</text>`);
    }
  }
  const height = 30 + panels.length * (panelHeight + 70);
  writeFileSync(
    out,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">` +
      `<rect width="100%" height="100%" fill="white"/>${body.join("")}</svg>\n`,
  );
}
