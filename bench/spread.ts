// The spread of several runs: for each figure, the median and the range over the results.json files given.
//   tsx bench/spread.ts <results.json>...
import { readFileSync } from "node:fs";
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
console.log(`\n${row(["route", "req/s", "vs pg route"])}\n${row(["---", "---", "---"])}`);
for (const route of first.routes.routes.map((r) => r.route)) {
  const rate = (r: BenchReport, name: string) => r.routes.routes.find((x) => x.route === name)!.requestsPerSecond;
  console.log(row([route, spread(reports.map((r) => rate(r, route)), (v) => String(Math.round(v))), spread(reports.map((r) => rate(r, "pg route") / rate(r, route)), x)]));
}
console.log(`\n${row(["stack", "construction + first query ms", "RSS after the run MiB"])}\n${row(["---", "---", "---"])}`);
for (const stack of first.coldStart.map((c) => c.stack)) {
  const of = (r: BenchReport) => r.coldStart.find((c) => c.stack === stack)!;
  console.log(row([stack, spread(reports.map((r) => of(r).constructionMs + of(r).firstQueryMs), (v) => String(Math.round(v))), spread(reports.map((r) => of(r).rssAfterRunMiB), (v) => String(Math.round(v)))]));
}
