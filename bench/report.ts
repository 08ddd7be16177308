// A run's results as one JSON document, and the report of one run or of several (bench/spread.ts): every section's
// tables, then the targets, met or missed.
import { figure, FORMAT, median, newTable, printTables, valueOf, type Table } from "./harness";

/** A run: its tables, and the machine and server it measured on (the load average says how busy the machine was). */
export type BenchReport = { size: string; sections: string[]; date: string; durationS: number; poolSize: number; tables: Table[] } & {
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; postgres: string; loadAverage: number };
};

// The growth targets hold at a million frames; a run that stops short of it is judged at its largest size. Row keys
// are "<read | write> <operation>@<frames>".
function atMillion(tables: Table[], column: (stack: string, header: string[]) => string, reads: boolean, of: (value: (stack: string) => number) => number) {
  const growth = tables.find((t) => t.title === "Growing data");
  const largest = Math.max(...(growth?.rows ?? []).map((row) => Number(row.key.split("@")[1])).filter((frames) => frames <= 1_000_000));
  const rows = growth?.rows.filter((row) => row.key.endsWith(`@${largest}`) && (row.key.startsWith("read ") || !reads)) ?? [];
  return rows.length ? Math.max(...rows.map((row) => of((stack) => valueOf(tables, growth!.title, row.key, column(stack, growth!.header))))) : NaN;
}
const vsPg = (stack: string) => `${stack} vs pg`;
type Target = [name: string, goal: number, unit: "x" | "ms" | "%", measure: (tables: Table[], report: BenchReport) => number, atLeast?: true];
const TARGETS: Target[] = [
  ["list of projects, c=1, vs raw pg", 1.3, "x", (t) => valueOf(t, "Query level", "listProjects@1", "prisma vs pg")],
  ["list of projects, c=pool, vs raw pg", 1.1, "x", (t, r) => valueOf(t, "Query level", `listProjects@${r.poolSize}`, "prisma vs pg")],
  ["project by id (nested), c=1, vs raw pg", 1.5, "x", (t) => valueOf(t, "Query level", "findProject@1", "prisma vs pg")],
  ["project by id (nested), c=pool, vs raw pg", 1.5, "x", (t, r) => valueOf(t, "Query level", `findProject@${r.poolSize}`, "prisma vs pg")],
  ["node route's cost vs bare node:http + pg", 1.2, "x", (t) => valueOf(t, "Route level", "node route", "vs pg route")],
  ["node route's cost vs the next pg route (the cache on)", 1, "x", (t) => valueOf(t, "Route level", "node route", "vs next pg route")],
  ["client construction + first query", 150, "ms", (t) => valueOf(t, "Cold start and memory", "prisma", "construction + first query")],
  ["cached reads vs raw pg at c=10, lowest of the three", 5, "x", (t) => Math.min(...["findProject", "listProjects", "findAnimationPage"].map((r) => valueOf(t, "Query cache: hits", `${r}@10`, "prisma+cache vs pg"))), true],
  ["cross-process invalidation p99", 50, "ms", (t) => valueOf(t, "Query cache: cross-process invalidation", "invalidation", "p99")],
  ["tracing on, one server at a time: req/s", -10, "%", (t) => valueOf(t, "Tracing: one server at a time", "tracing on", "req/s vs tracing off"), true],
  ["growth: worst operation's p50 at 1M frames over its own at 1k", 1.5, "x", (t) => atMillion(t, (s, header) => header.find((h) => h.startsWith(`${s} / `))!, false, (v) => v("prisma"))],
  ["growth: worst read at 1M frames vs raw pg", 2.5, "x", (t) => atMillion(t, vsPg, true, (v) => v("prisma"))],
  ["growth: worst read at 1M frames, its ratio to raw pg over Drizzle's", 1, "x", (t) => atMillion(t, vsPg, true, (v) => v("prisma") / v("drizzle"))],
];

export function printReport(reports: BenchReport[]) {
  console.log(`\n# ${reports.length === 1 ? "One run" : `${reports.length} runs, each cell the median (range) over them`}\n`);
  for (const { size, date, machine: m, durationS } of reports) {
    console.log(`- ${date}, ${size} size, ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, PostgreSQL ${m.postgres}, load ${m.loadAverage.toFixed(1)} before, ${durationS} s`);
  }
  const verdicts = TARGETS.map(([, goal, , measure, atLeast]) => {
    const measured = reports.map((r) => measure(r.tables, r)).filter(Number.isFinite);
    const met = measured.filter((value) => (atLeast ? value >= goal : value <= goal)).length;
    if (met === measured.length) return "met";
    return (atLeast ? median(measured) >= goal : median(measured) <= goal) ? `met on the median, in ${met} of ${measured.length} runs` : "MISSED";
  });
  const targets = (r: BenchReport) =>
    newTable("Targets (reported, not enforced)", "Each measured in the sections above.", ["target", "goal", "measured", ""], TARGETS.flatMap(([name, goal, unit, measure, atLeast], i) => {
      const value = measure(r.tables, r);
      return Number.isFinite(value) ? [{ key: name, cells: [name, `${atLeast ? "≥" : "≤"} ${FORMAT[unit](goal)}`, figure(value, unit), verdicts[i]!] }] : [];
    }));
  printTables(reports.map((r) => [...r.tables, targets(r)]));
}
