// Hand-written SVG charts of a run: no plotting library, readable in a browser or on GitHub.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { GROWTH_LABELS } from "./growth";
import { QUERY_LABELS, SWEPT, type QueryName } from "./query-suite";
import { QUERY_STACKS, ratio, STACKS, type BenchReport } from "./report";
import type { StackName } from "./stacks";

const COLORS: Record<string, string> = { pg: "#6b7280", prisma: "#2563eb", drizzle: "#16a34a", "prisma-prepared": "#93c5fd", "pg route": "#6b7280", "next pg route": "#9ca3af", "node route": "#2563eb", "node route, no cache": "#93c5fd", "edge route": "#9333ea" };
const FONT = `font-family="system-ui, -apple-system, Segoe UI, sans-serif"`;

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const text = (x: number, y: number, content: string, attrs = "") => `<text x="${x}" y="${y}" ${attrs}>${escape(content)}</text>`;
const svg = (width: number, height: number, body: string[]) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">\n` +
  `<rect width="100%" height="100%" fill="white"/>\n${body.join("\n")}\n</svg>\n`;
const legend = (x: number, y: number, names: string[]) =>
  names.map((name, i) => `<rect x="${x + i * 130}" y="${y - 10}" width="12" height="12" fill="${COLORS[name]}"/>${text(x + i * 130 + 16, y, name)}`).join("");
const formatUs = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} ms` : `${Math.round(value)} us`);

/** Per query, one bar per stack: its cost as a multiple of raw pg's, with the absolute figure beside it. */
function queryChart(report: BenchReport) {
  const queries = Object.keys(QUERY_LABELS) as QueryName[];
  const panels = [...new Set([1, report.poolSize])];
  const barHeight = 13;
  const groupHeight = QUERY_STACKS.length * barHeight + 12;
  const panelWidth = 380;
  const labelWidth = 230;
  const top = 64;
  const height = top + queries.length * groupHeight + 30;
  const width = labelWidth + panels.length * (panelWidth + 30);
  const body = [
    text(12, 22, "Query latency per stack, as a multiple of raw pg (shorter is faster)", `font-size="15" font-weight="600"`),
    legend(12, 44, QUERY_STACKS),
  ];
  panels.forEach((concurrency, p) => {
    const x0 = labelWidth + p * (panelWidth + 30);
    const ratios = queries.flatMap((q) => QUERY_STACKS.map((s) => ratio(report, q, s, concurrency))).filter(Number.isFinite);
    const maxRatio = Math.max(2, Math.ceil(Math.max(...ratios) * 2) / 2);
    const scale = (panelWidth - 120) / maxRatio;
    body.push(text(x0, top - 6, concurrency === 1 ? "concurrency 1: p50 latency" : `concurrency ${concurrency} (pool size): time per op at full throughput`, `font-weight="600"`));
    for (let tick = 0; tick <= maxRatio; tick += maxRatio > 4 ? 1 : 0.5) {
      const x = x0 + tick * scale;
      body.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${height - 24}" stroke="${tick === 1 ? "#111" : "#e5e7eb"}" stroke-dasharray="${tick === 1 ? "4 3" : ""}"/>`);
      body.push(text(x, height - 10, `${tick}x`, `text-anchor="middle" fill="#6b7280"`));
    }
    queries.forEach((query, q) => {
      const y0 = top + q * groupHeight + 4;
      if (p === 0) body.push(text(12, y0 + groupHeight / 2, QUERY_LABELS[query], `dominant-baseline="middle"`));
      QUERY_STACKS.forEach((stack, s) => {
        const m = report.queries.find((r) => r.query === query && r.stack === stack && r.concurrency === concurrency);
        if (!m) return;
        const r = ratio(report, query, stack, concurrency);
        const y = y0 + s * barHeight;
        const absolute = concurrency === 1 ? formatUs(m.p50Us) : `${Math.round(m.opsPerSecond)}/s`;
        body.push(`<rect x="${x0}" y="${y}" width="${Math.max(1, r * scale)}" height="${barHeight - 2}" fill="${COLORS[stack]}"/>`);
        body.push(text(x0 + r * scale + 4, y + barHeight - 3, `${r.toFixed(2)}x  ${absolute}`, `font-size="10" fill="#374151"`));
      });
    });
  });
  return svg(width, height, body);
}

type Series = { name: string; points: [number, number][] };

/** Lines on linear or log axes, one panel. */
function linePanel(x0: number, y0: number, w: number, h: number, title: string, xLabel: string, yLabel: string, series: Series[], logX: boolean) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return [] as string[];
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const yMax = Math.max(...ys) * 1.1;
  const yMin = logX ? Math.min(...ys) / 1.5 : 0;
  const fx = (x: number) =>
    xMax === xMin ? x0 + w / 2 : logX ? x0 + ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * w : x0 + ((x - xMin) / (xMax - xMin)) * w;
  const fy = (y: number) => (logX ? y0 + h - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * h : y0 + h - (y / yMax) * h);
  const body = [
    text(x0, y0 - 12, title, `font-weight="600"`),
    `<line x1="${x0}" y1="${y0 + h}" x2="${x0 + w}" y2="${y0 + h}" stroke="#111"/>`,
    `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y0 + h}" stroke="#111"/>`,
    text(x0 + w / 2, y0 + h + 34, xLabel, `text-anchor="middle" fill="#374151"`),
    text(x0 - 46, y0 + h / 2, yLabel, `text-anchor="middle" fill="#374151" transform="rotate(-90 ${x0 - 46} ${y0 + h / 2})"`),
  ];
  for (const x of [...new Set(xs)]) body.push(text(fx(x), y0 + h + 16, x.toLocaleString("en"), `text-anchor="middle" fill="#6b7280"`));
  const yTicks = logX ? [...new Set(ys)].length > 0 && Array.from({ length: 5 }, (_, i) => yMin * (yMax / yMin) ** (i / 4)) : Array.from({ length: 5 }, (_, i) => (yMax * i) / 4);
  for (const y of yTicks || []) {
    body.push(`<line x1="${x0}" y1="${fy(y)}" x2="${x0 + w}" y2="${fy(y)}" stroke="#e5e7eb"/>`);
    body.push(text(x0 - 6, fy(y) + 4, logX ? formatUs(y) : Math.round(y).toLocaleString("en"), `text-anchor="end" fill="#6b7280" font-size="10"`));
  }
  for (const s of series) {
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    body.push(`<polyline fill="none" stroke="${COLORS[s.name]}" stroke-width="2" points="${points.map(([x, y]) => `${fx(x)},${fy(y)}`).join(" ")}"/>`);
    for (const [x, y] of points) body.push(`<circle cx="${fx(x)}" cy="${fy(y)}" r="3" fill="${COLORS[s.name]}"/>`);
  }
  return body;
}

function throughputChart(report: BenchReport) {
  const queries: QueryName[] = SWEPT;
  const body = [text(12, 22, "Throughput versus concurrency (higher is better)", `font-size="15" font-weight="600"`), legend(12, 44, QUERY_STACKS)];
  queries.forEach((query, i) => {
    const series = QUERY_STACKS.map((stack) => ({
      name: stack,
      points: report.queries.filter((m) => m.query === query && m.stack === stack).map((m) => [m.concurrency, m.opsPerSecond] as [number, number]),
    }));
    body.push(...linePanel(80 + i * 420, 90, 320, 220, QUERY_LABELS[query], `concurrent callers (pool of ${report.poolSize})`, "operations/s", series, false));
  });
  return svg(880, 370, body);
}

function routeChart(report: BenchReport) {
  const { routes } = report.routes;
  const max = Math.max(...routes.map((r) => r.requestsPerSecond));
  const floor = routes.find((r) => r.route === "pg route")!.requestsPerSecond;
  const body = [
    text(12, 22, `Route level: GET 20 projects on next start, ${report.routes.connections} connections (higher is better)`, `font-size="15" font-weight="600"`),
  ];
  routes.forEach((r, i) => {
    const y = 48 + i * 34;
    const w = (r.requestsPerSecond / max) * 440;
    body.push(text(12, y + 16, r.route));
    body.push(`<rect x="170" y="${y}" width="${w}" height="24" fill="${COLORS[r.route]}"/>`);
    body.push(
      text(176 + w, y + 16, `${Math.round(r.requestsPerSecond)} req/s (${(floor / r.requestsPerSecond).toFixed(2)}x)  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms`, `fill="#374151"`),
    );
  });
  return svg(920, 60 + routes.length * 34, body);
}

function growthChart(report: BenchReport) {
  const body = [text(12, 22, "Growing data: p50 latency at concurrency 1 (log scales)", `font-size="15" font-weight="600"`), legend(12, 44, STACKS)];
  (["findProject", "findAnimationPage"] as const).forEach((query, i) => {
    const series: Series[] = STACKS.map((stack: StackName) => ({
      name: stack,
      points: report.growth.filter((g) => g.query === query && g.stack === stack).map((g) => [g.frames, g.p50Us] as [number, number]),
    }));
    body.push(...linePanel(90 + i * 420, 90, 310, 220, GROWTH_LABELS[query], "frames in the database", "p50 latency", series, true));
  });
  return svg(880, 370, body);
}

/** Writes the charts next to results.json and returns their paths. */
export function writeCharts(report: BenchReport, directory: string) {
  const charts = { "queries.svg": queryChart(report), "throughput.svg": throughputChart(report), "routes.svg": routeChart(report), "growth.svg": growthChart(report) };
  return Object.entries(charts).map(([name, content]) => {
    const file = path.join(directory, name);
    writeFileSync(file, content);
    return file;
  });
}
