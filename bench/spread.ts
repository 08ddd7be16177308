// The spread of several runs: for each figure, the median and the range over the results.json files given (and
// over the cache.json files beside them).
//   tsx bench/spread.ts <results.json>...
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CacheReport } from "./cache";
import { QUERY_LABELS } from "./query-suite";
import { QUERY_STACKS, ratio, type BenchReport } from "./report";

const reports = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, "utf8")) as BenchReport);
if (reports.length === 0) throw new Error("usage: tsx bench/spread.ts <results.json>...");

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
/** "median (min–max)" of a figure over the runs. */
function spread(values: number[], format: (value: number) => string) {
  const s = sorted(values);
  const middle = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `${format(middle)} (${format(s[0]!)}–${format(s.at(-1)!)})`;
}
const x = (value: number) => `${value.toFixed(2)}x`;
const us = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} ms` : `${Math.round(value)} µs`);
const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;

const first = reports[0]!;
console.log(`${reports.length} runs, PostgreSQL ${[...new Set(reports.map((r) => r.machine.postgres.split(" ")[0]))].join(", ")}, ` +
  `load average before ${reports.map((r) => r.machine.loadAverageBefore.toFixed(1)).join(", ")}\n`);
console.log(row(["query", "c", "pg: p50 at c=1, ops/s above", ...QUERY_STACKS.slice(1).map((s) => `${s} vs pg`)]));
console.log(row(["---", "---", "---", ...QUERY_STACKS.slice(1).map(() => "---")]));
for (const query of Object.keys(QUERY_LABELS) as (keyof typeof QUERY_LABELS)[]) {
  for (const concurrency of [1, first.poolSize]) {
    const pg = reports.map((r) => r.queries.find((m) => m.query === query && m.stack === "pg" && m.concurrency === concurrency)!);
    const floor = concurrency === 1 ? spread(pg.map((m) => m.p50Us), us) : `${spread(pg.map((m) => m.opsPerSecond), (v) => String(Math.round(v)))}/s`;
    console.log(row([QUERY_LABELS[query], concurrency, floor, ...QUERY_STACKS.slice(1).map((s) => spread(reports.map((r) => ratio(r, query, s, concurrency)), x))]));
  }
}
console.log(`\n${row(["route", "req/s", "vs pg route", "vs next pg route"])}\n${row(["---", "---", "---", "---"])}`);
for (const route of first.routes.routes.map((r) => r.route)) {
  const rate = (r: BenchReport, name: string) => r.routes.routes.find((x) => x.route === name)?.requestsPerSecond ?? NaN;
  console.log(
    row([
      route,
      spread(reports.map((r) => rate(r, route)), (v) => String(Math.round(v))),
      spread(reports.map((r) => rate(r, "pg route") / rate(r, route)), x),
      spread(reports.map((r) => rate(r, "next pg route") / rate(r, route)), x),
    ]),
  );
}
console.log(`\n${row(["stack", "construction + first query ms", "RSS after the run MiB"])}\n${row(["---", "---", "---"])}`);
for (const stack of first.coldStart.map((c) => c.stack)) {
  const of = (r: BenchReport) => r.coldStart.find((c) => c.stack === stack)!;
  console.log(row([stack, spread(reports.map((r) => of(r).constructionMs + of(r).firstQueryMs), (v) => String(Math.round(v))), spread(reports.map((r) => of(r).rssAfterRunMiB), (v) => String(Math.round(v)))]));
}

// The query cache's section, from the cache.json beside each results.json.
const caches = process.argv.slice(2).map((file) => path.join(path.dirname(file), "cache.json")).filter(existsSync);
if (caches.length === reports.length) {
  const cacheReports = caches.map((file) => JSON.parse(readFileSync(file, "utf8")) as CacheReport);
  const ops = (c: CacheReport, read: string, stack: string, concurrency: number) =>
    c.throughput.find((r) => r.read === read && r.stack === stack && r.concurrency === concurrency)!.opsPerSecond;
  const count = (v: number) => String(Math.round(v));
  const stacks = ["pg", "prisma", "prisma+cache", "prisma+cache+redis"];
  console.log(`\n${row(["read", "c", ...stacks.map((s) => `${s} ops/s`), "prisma+cache vs pg"])}\n${row(["---", "---", ...stacks.map(() => "---"), "---"])}`);
  for (const read of [...new Set(cacheReports[0]!.throughput.map((r) => r.read))]) {
    for (const concurrency of [1, 10]) {
      console.log(
        row([
          read,
          concurrency,
          ...stacks.map((stack) => spread(cacheReports.map((c) => ops(c, read, stack, concurrency)), count)),
          spread(cacheReports.map((c) => ops(c, read, "prisma+cache", concurrency) / ops(c, read, "pg", concurrency)), x),
        ]),
      );
    }
  }
  const percent = (v: number) => `${v.toFixed(1)}%`;
  for (const concurrency of [1, 10]) {
    const rows = cacheReports.map((c) => c.missPath.find((m) => m.concurrency === concurrency)!);
    // Reports written before the CPU figure, or the control, existed have none.
    const cpu = rows.flatMap((row) => (row.cpuOverheadPercent === undefined ? [] : [row.cpuOverheadPercent]));
    const control = rows.flatMap((row) => (row.control ? [row.control.overheadPercent] : []));
    console.log(
      `\nMiss path at c=${concurrency}, slower than the plain client by: ${spread(rows.map((row) => row.overheadPercent), percent)}` +
        (cpu.length ? `; more CPU per read by: ${spread(cpu, percent)}` : "") +
        (control.length ? `; the plain client slower than itself by: ${spread(control, percent)}` : ""),
    );
  }
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  console.log(`Cross-process invalidation: p50 ${spread(cacheReports.map((c) => c.invalidation.p50Ms), ms)}, p99 ${spread(cacheReports.map((c) => c.invalidation.p99Ms), ms)}`);
  console.log(
    `Node route vs the raw-pg route in next start: cached ${spread(cacheReports.map((c) => c.routes.cachedNodeRoute / c.routes.pgRoute), x)}, ` +
      `uncached ${spread(cacheReports.map((c) => c.routes.uncachedNodeRoute / c.routes.pgRoute), x)}`,
  );
}
