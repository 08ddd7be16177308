// Growing data: every read of the app, and each write marked `growth`, at sizes from a thousand frames to ten million,
// the stacks side by side, p50 at concurrency 1. Every project is alike, so a read returns as much at every size: an
// operation whose cost follows the size of the tables rather than its answer shows here.
import type pg from "pg";
import { fixture, FRAMES_PER_PROJECT, grow, GROWTH_SHAPE } from "./database";
import { figure, newTable, ranged, rowText, us, valueOf, type Log, type Table } from "./harness";
import { calls, checkAnswers, measureOperation, OPERATIONS } from "./operations";
import type { Stack } from "./stacks";

export async function runGrowth(stacks: Stack[], admin: pg.Pool, options: { frames: number[]; rounds: number; roundMs: number; log: Log }): Promise<Table> {
  const names = stacks.map((s) => s.name);
  const smallest = Math.max(1, Math.round(options.frames[0]! / FRAMES_PER_PROJECT)) * FRAMES_PER_PROJECT;
  const [first, at] = [{} as Record<string, number>, smallest.toLocaleString("en")];
  const header = ["operation", "frames", ...names.map((s) => `${s} p50`), ...names.map((s) => `${s} / ${at}`), ...names.filter((s) => s !== "pg").map((s) => `${s} vs pg`)];
  const table = newTable("Growing data", `p50 at concurrency 1 (range over rounds); "/ ${at}" is a stack's p50 over its own at ${at} frames. Grown in`, header);
  await admin.query("truncate projects cascade");
  let projects = 0;
  for (const frames of options.frames) {
    const [started, target] = [performance.now(), Math.max(1, Math.round(frames / FRAMES_PER_PROJECT))];
    await grow(admin, projects, target);
    const [size, seconds] = [(target * FRAMES_PER_PROJECT).toLocaleString("en"), ((performance.now() - started) / 1000).toFixed(1)];
    projects = target;
    table.note += ` ${size} frames: ${seconds} s;`;
    options.log(`  ${size} frames in ${projects} projects (grown in ${seconds} s):`);
    const context = { admin, fixture: await fixture(admin, { projects, ...GROWTH_SHAPE }, 50) };
    for (const operation of OPERATIONS.filter((o) => o.read || o.growth)) {
      await checkAnswers(operation, stacks, context);
      // Each stack warms up for `roundMs` (3 calls at least); a round is as many calls as the slowest made, for all.
      let slowestMs = 0;
      for (const stack of stacks) {
        const [started, calledMs] = [performance.now(), () => performance.now() - started];
        const made = await calls(stack, operation, context, 0, async (call) => {
          let k = 0;
          while (k < 3 || calledMs() < options.roundMs) await call(k++);
          return k;
        });
        slowestMs = Math.max(slowestMs, calledMs() / made);
      }
      const count = Math.min(200, Math.max(3, Math.round(options.roundMs / slowestMs)));
      const m = await measureOperation(stacks, operation, context, { concurrency: 1, count, rounds: options.rounds, warmUp: 0 });
      for (const name of names) first[`${operation.name}/${name}`] ??= m[name]!.p50Us;
      const cells = [
        ...names.map((s) => ranged(m[s]!, "p50Us", "µs")),
        ...names.map((s) => figure(m[s]!.p50Us / first[`${operation.name}/${s}`]!, "x")),
        ...names.filter((s) => s !== "pg").map((s) => figure(m[s]!.p50Us / m.pg!.p50Us, "x")),
      ];
      table.rows.push({ key: `${operation.read ? "read" : "write"} ${operation.name}@${projects * FRAMES_PER_PROJECT}`, cells: [operation.name, size, ...cells] });
      options.log(`    ${rowText(table, table.rows.at(-1)!)}`);
    }
  }
  table.note = table.note.replace(/;$/, ".");
  return table;
}

const COLORS = ["#6b7280", "#2563eb", "#16a34a"];
const text = (x: number, y: number, content: string, attrs = "") => `<text x="${x}" y="${y}" ${attrs}>${content}</text>`;

/** One line per series on log–log axes. */
function lines(x0: number, y0: number, w: number, h: number, title: string, series: [number, number][][]) {
  const all = series.flat().filter(([, y]) => y > 0);
  if (all.length === 0) return [];
  const [xs, ys] = [all.map(([x]) => x), all.map(([, y]) => y)];
  const [xMin, xMax, yMin, yMax] = [Math.min(...xs), Math.max(...xs), Math.min(...ys) / 1.5, Math.max(...ys) * 1.5];
  const fx = (x: number) => (xMax === xMin ? x0 + w / 2 : x0 + (Math.log(x / xMin) / Math.log(xMax / xMin)) * w);
  const fy = (y: number) => y0 + h - (Math.log(y / yMin) / Math.log(yMax / yMin)) * h;
  const body = [text(x0, y0 - 10, title, `font-weight="600"`), `<path d="M${x0} ${y0}V${y0 + h}H${x0 + w}" fill="none" stroke="#111"/>`];
  for (const x of new Set(all.map(([x]) => x))) body.push(text(fx(x), y0 + h + 14, x >= 1e6 ? `${x / 1e6}M` : `${x / 1e3}k`, `text-anchor="middle" fill="#6b7280"`));
  for (const y of [0, 1, 2, 3, 4].map((i) => yMin * (yMax / yMin) ** (i / 4))) {
    body.push(`<line x1="${x0}" y1="${fy(y)}" x2="${x0 + w}" y2="${fy(y)}" stroke="#e5e7eb"/>`, text(x0 - 4, fy(y) + 4, us(y), `text-anchor="end" fill="#6b7280" font-size="10"`));
  }
  series.forEach((points, i) => {
    const shown = points.filter(([, y]) => y > 0);
    body.push(`<polyline fill="none" stroke="${COLORS[i]}" stroke-width="2" points="${shown.map(([x, y]) => `${fx(x)},${fy(y)}`).join(" ")}"/>`);
    for (const [x, y] of shown) body.push(`<circle cx="${fx(x)}" cy="${fy(y)}" r="3" fill="${COLORS[i]}"/>`);
  });
  return body;
}

/** The table as a chart: one panel per operation, p50 by frames in the database, one line per stack (hand-written SVG). */
export function growthChart(table: Table) {
  const stacks = table.header.filter((h) => h.endsWith(" p50")).map((h) => h.replace(" p50", ""));
  const operations = [...new Set(table.rows.map((row) => row.key.split("@")[0]!))]; // "<read | write> <operation>"
  const [width, height] = [1060, 100 + Math.ceil(operations.length / 3) * 290];
  const body = stacks.map((name, i) => `<rect x="${12 + i * 150}" y="34" width="12" height="12" fill="${COLORS[i]}"/>${text(28 + i * 150, 44, name)}`);
  operations.forEach((operation, i) => {
    const rows = table.rows.filter((row) => row.key.startsWith(`${operation}@`));
    const series = stacks.map((s) => rows.map((row) => [Number(row.key.split("@")[1]), valueOf([table], table.title, row.key, `${s} p50`)] as [number, number]));
    body.push(...lines(80 + (i % 3) * 330, 100 + Math.floor(i / 3) * 290, 240, 200, operation.split(" ")[1]!, series));
  });
  const title = text(12, 22, "Growing data: p50 at concurrency 1 by frames in the database (log scales)", `font-size="15" font-weight="600"`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`;
  return `${svg}\n<rect width="100%" height="100%" fill="white"/>\n${title}\n${body.join("\n")}\n</svg>\n`;
}
