// A soak's result for people: its figures as text, its memory over time as a text chart and as an SVG.
import os from "node:os";
import type { Sample, Slope, SoakResult } from "./soak";

const mib = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(2)}` : "n/a");
const slopeText = (s: Slope | undefined) => (s ? `${mib(s.mibPer10Min)} (windows ${mib(s.windows.median)}, ${mib(s.windows.min)} to ${mib(s.windows.max)})` : "n/a");

function loadText(result: SoakResult) {
  const loads = result.samples.map((s) => s.loadAverage).filter((v) => v !== undefined).sort((a, b) => a - b);
  return loads.length ? `${loads[Math.floor(loads.length / 2)]!.toFixed(1)} (${loads[0]!.toFixed(1)} to ${loads.at(-1)!.toFixed(1)}) on ${os.cpus().length} cores` : "n/a";
}

export function soakSummary(result: SoakResult) {
  const o = result.options;
  const lines = [
    `Soak of ${(result.durationS / 60).toFixed(1)} min on PostgreSQL ${result.postgres}: ${o.servers} next start, DB_POOL_MAX=${o.poolMax}, the cache on with Redis, ` +
      `${result.requests} requests (${result.requestsPerSecond}/s) by ${o.workers} workers, ${result.imports.runs} imports (${result.imports.failed} failed), ` +
      `${result.errors} errors; the machine's load average ${loadText(result)}; warm-up ${+o.warmUpMinutes.toFixed(2)} min, a sample every ${o.sampleEverySeconds} s.`,
    `${result.latencyMs ? `Latency: p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms. ` : ""}Statuses: ${Object.entries(result.statuses).map(([status, n]) => `${status}: ${n}`).join(", ")}`,
    "",
    "Slopes after the warm-up, least squares, MiB per 10 minutes (median and range over windows of a third of it):",
    "",
    "| process | RSS | RSS at end | heap used | heap at end | heap after GC | external | cache L1 | sockets first / last / most |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...Object.entries(result.slopes).map(([name, s]) => {
      const last = result.samples.at(-1)!.processes[name];
      const heapEnd = last?.heapUsedMiB === undefined ? "n/a" : `${last.heapUsedMiB.toFixed(0)} MiB`;
      return `| ${name} | ${slopeText(s.rss)} | ${last ? `${last.rssMiB.toFixed(0)} MiB` : "n/a"} | ${slopeText(s.heapUsed)} | ${heapEnd} | ${slopeText(s.heapAfterGc)} | ${slopeText(s.external)} | ${slopeText(s.cacheL1)} | ${s.sockets.first} / ${s.sockets.last} / ${s.sockets.max} |`;
    }),
    "",
    `Database sessions, most at once (bound): ${Object.entries(result.backends).map(([name, b]) => `${name} ${b.peak} (${b.bound})`).join(", ")}`,
  ];
  if (result.errorExamples.length) lines.push("", "First errors:", ...result.errorExamples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/** Per process, RSS (`*`), heap used (`+`), heap after a collection (`g`) and the cache's L1 (`o`) over time on a grid of characters; `|` below marks the warm-up's end. */
export function textChart(result: SoakResult, width = 72, height = 10) {
  const endS = Math.max(1, result.samples.at(-1)!.atS);
  const column = (s: Sample) => Math.min(width - 1, Math.round((s.atS / endS) * (width - 1)));
  const out: string[] = [];
  for (const name of Object.keys(result.slopes)) {
    const series = [["rssMiB", "*"], ["heapUsedMiB", "+"], ["heapAfterGcMiB", "g"], ["cacheL1MiB", "o"]] as const;
    const values = result.samples.flatMap((s) => series.map(([key]) => s.processes[name]?.[key]).filter((v): v is number => v !== undefined));
    const [low, high] = [Math.min(...values), Math.max(...values)];
    const row = (v: number) => (high === low ? 0 : Math.round(((v - low) / (high - low)) * (height - 1)));
    const grid = Array.from({ length: height }, () => Array<string>(width).fill(" "));
    for (const s of result.samples) {
      for (const [key, mark] of series) {
        const v = s.processes[name]?.[key];
        if (v !== undefined) grid[height - 1 - row(v)]![column(s)] = mark;
      }
    }
    const label = (i: number) => (high === low ? low : high - ((high - low) * i) / (height - 1)).toFixed(0).padStart(6);
    out.push(`${name}: RSS *, heap used +, heap after GC g, cache L1 o in MiB, over ${(endS / 60).toFixed(1)} min`);
    grid.forEach((cells, i) => out.push(`${label(i)} |${cells.join("")}`));
    const axis = Array<string>(width).fill("-");
    axis[Math.min(width - 1, Math.round(((result.options.warmUpMinutes * 60) / endS) * (width - 1)))] = "|";
    out.push(`${" ".repeat(6)} +${axis.join("")}`, "");
  }
  return out.join("\n");
}

const COLORS = { rssMiB: "#2563eb", heapUsedMiB: "#16a34a", heapAfterGcMiB: "#9333ea", cacheL1MiB: "#ea580c" };

/** One panel per process: RSS and heap used over minutes, the warm-up shaded, the fitted slope after it dashed. */
export function soakSvg(result: SoakResult) {
  const names = Object.keys(result.slopes);
  const [panelW, panelH, columns] = [420, 200, 2];
  const [width, height] = [40 + columns * (panelW + 60), 80 + Math.ceil(names.length / columns) * (panelH + 90)];
  const endS = Math.max(1, result.samples.at(-1)!.atS);
  const text = (x: number, y: number, content: string, attrs = "") => `<text x="${x}" y="${y}" ${attrs}>${content}</text>`;
  const body: string[] = [];
  names.forEach((name, i) => {
    const [x0, y0] = [70 + (i % columns) * (panelW + 60), 90 + Math.floor(i / columns) * (panelH + 90)];
    const keys = (["rssMiB", "heapUsedMiB", "heapAfterGcMiB", "cacheL1MiB"] as const).filter((key) => result.samples.some((s) => s.processes[name]?.[key] !== undefined));
    const values = result.samples.flatMap((s) => keys.map((key) => s.processes[name]?.[key] ?? NaN)).filter(Number.isFinite);
    const [low, high] = [0, Math.ceil(Math.max(...values) * 1.05)];
    const fx = (s: number) => x0 + (s / endS) * panelW;
    const fy = (v: number) => y0 + panelH - ((v - low) / Math.max(1, high - low)) * panelH;
    const slopes = result.slopes[name]!;
    const heapSlope = slopes.heapAfterGc ? `, heap after GC ${mib(slopes.heapAfterGc.mibPer10Min)}` : slopes.heapUsed ? `, heap ${mib(slopes.heapUsed.mibPer10Min)}` : "";
    const title = `${name} (MiB): RSS ${mib(slopes.rss.mibPer10Min)}${heapSlope} MiB / 10 min`;
    body.push(
      text(x0, y0 - 12, title, `font-weight="600"`),
      `<rect x="${x0}" y="${y0}" width="${fx(result.options.warmUpMinutes * 60) - x0}" height="${panelH}" fill="#f3f4f6"/>`,
      `<path d="M${x0} ${y0}V${y0 + panelH}H${x0 + panelW}" fill="none" stroke="#111"/>`,
    );
    for (let k = 0; k <= 4; k++) {
      const v = low + ((high - low) * k) / 4;
      body.push(`<line x1="${x0}" y1="${fy(v)}" x2="${x0 + panelW}" y2="${fy(v)}" stroke="#e5e7eb"/>`, text(x0 - 4, fy(v) + 4, v.toFixed(0), `text-anchor="end" fill="#6b7280" font-size="10"`));
    }
    for (let k = 0; k <= 5; k++) body.push(text(fx((endS * k) / 5), y0 + panelH + 14, `${((endS * k) / 5 / 60).toFixed(0)} min`, `text-anchor="middle" fill="#6b7280" font-size="10"`));
    for (const key of keys) {
      const points = result.samples.flatMap((s) => (s.processes[name]?.[key] === undefined ? [] : [[s.atS, s.processes[name][key]] as const]));
      body.push(`<polyline fill="none" stroke="${COLORS[key]}" stroke-width="1.5" points="${points.map(([s, v]) => `${fx(s).toFixed(1)},${fy(v).toFixed(1)}`).join(" ")}"/>`);
      const slope = { rssMiB: slopes.rss, heapUsedMiB: slopes.heapUsed, heapAfterGcMiB: slopes.heapAfterGc, cacheL1MiB: undefined }[key];
      const steady = points.filter(([s]) => s >= result.options.warmUpMinutes * 60);
      if (slope && Number.isFinite(slope.mibPer10Min) && steady.length > 1) {
        const meanS = steady.reduce((sum, [s]) => sum + s, 0) / steady.length;
        const meanV = steady.reduce((sum, [, v]) => sum + v, 0) / steady.length;
        const at = (s: number) => meanV + (slope.mibPer10Min / 600) * (s - meanS);
        const [s0, s1] = [steady[0]![0], steady.at(-1)![0]];
        body.push(`<line x1="${fx(s0)}" y1="${fy(at(s0))}" x2="${fx(s1)}" y2="${fy(at(s1))}" stroke="#111" stroke-dasharray="4 3"/>`);
      }
    }
  });
  const legend = [
    `<rect x="12" y="34" width="12" height="12" fill="${COLORS.rssMiB}"/>`, text(28, 44, "RSS"),
    `<rect x="112" y="34" width="12" height="12" fill="${COLORS.heapUsedMiB}"/>`, text(128, 44, "V8 heap used"),
    `<rect x="262" y="34" width="12" height="12" fill="${COLORS.heapAfterGcMiB}"/>`, text(278, 44, "heap after a full GC"),
    `<rect x="422" y="34" width="12" height="12" fill="${COLORS.cacheL1MiB}"/>`, text(438, 44, "query cache L1"),
    `<rect x="542" y="34" width="12" height="12" fill="#f3f4f6" stroke="#9ca3af"/>`, text(558, 44, "warm-up"),
    `<line x1="630" y1="40" x2="654" y2="40" stroke="#111" stroke-dasharray="4 3"/>`, text(660, 44, "least-squares fit after warm-up"),
  ];
  const o = result.options;
  const title = text(12, 22, `Soak: ${(result.durationS / 60).toFixed(0)} min, ${o.servers} next start + Redis, ${result.requestsPerSecond} req/s, ${result.errors} errors, PostgreSQL ${result.postgres}`, `font-size="15" font-weight="600"`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`;
  return `${svg}\n<rect width="100%" height="100%" fill="white"/>\n${title}\n${legend.join("\n")}\n${body.join("\n")}\n</svg>\n`;
}
