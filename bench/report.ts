// The run's results as one JSON document, and as markdown tables on stdout with ratios against raw `pg`.
import os from "node:os";
import type { ColdStart } from "./cold-start";
import type { Shape } from "./database";
import { GROWTH_LABELS, type GrowthMeasurement } from "./growth";
import { QUERY_LABELS, type Measurement, type QueryName } from "./query-suite";
import type { RouteReport } from "./routes";
import type { StackName } from "./stacks";

export type BenchReport = {
  smoke: boolean;
  size: "smoke" | "reduced" | "full";
  date: string;
  durationS: number;
  machine: ReturnType<typeof machine> & { loadAverageAfter: number };
  seed: number;
  shape: Shape;
  frames: number;
  poolSize: number;
  queries: Measurement[];
  routes: RouteReport;
  coldStart: ColdStart[];
  growth: GrowthMeasurement[];
};

/** The machine and server a run measured on; the load average says how busy the machine was. */
export function machine(postgres: string) {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres,
    loadAverageBefore: os.loadavg()[0]!,
  };
}

export const STACKS: StackName[] = ["pg", "prisma", "drizzle"];
/** The query level also measures the client with prepared statements, to show what they would close. */
export const QUERY_STACKS: StackName[] = [...STACKS, "prisma-prepared"];

/** How many times the floor's cost: latency at concurrency 1, time per operation (1 / throughput) above it. */
export function ratio(report: BenchReport, query: QueryName, stack: StackName, concurrency: number) {
  const of = (s: StackName) => report.queries.find((m) => m.query === query && m.stack === s && m.concurrency === concurrency);
  const floor = of("pg");
  const measured = of(stack);
  if (!floor || !measured) return NaN;
  return concurrency === 1 ? measured.p50Us / floor.p50Us : floor.opsPerSecond / measured.opsPerSecond;
}

export type Target = { name: string; goal: number; measured: number; unit: "x" | "ms"; met: boolean };

export function targets(report: BenchReport): Target[] {
  const route = (name: string) => report.routes.routes.find((r) => r.route === name)!.requestsPerSecond;
  const prismaStart = report.coldStart.find((c) => c.stack === "prisma")!;
  const list: Omit<Target, "met">[] = [
    { name: "list of projects, c=1", goal: 1.3, measured: ratio(report, "listProjects", "prisma", 1), unit: "x" },
    { name: `list of projects, c=${report.poolSize}`, goal: 1.1, measured: ratio(report, "listProjects", "prisma", report.poolSize), unit: "x" },
    { name: "project by id (nested), c=1", goal: 1.5, measured: ratio(report, "findProject", "prisma", 1), unit: "x" },
    { name: `project by id (nested), c=${report.poolSize}`, goal: 1.5, measured: ratio(report, "findProject", "prisma", report.poolSize), unit: "x" },
    { name: "Node route req/s vs bare node:http + pg", goal: 1.2, measured: route("pg route") / route("node route"), unit: "x" },
    { name: "client construction + first query", goal: 150, measured: round(prismaStart.constructionMs + prismaStart.firstQueryMs), unit: "ms" },
  ];
  return list.map((t) => ({ ...t, met: t.measured <= t.goal }));
}

const round = (value: number) => Math.round(value * 10) / 10;
const table = (headers: string[], rows: (string | number)[][]) =>
  [`| ${headers.join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const x = (value: number) => `${value.toFixed(2)}x`;
const us = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} ms` : `${Math.round(value)} us`);

export function printReport(report: BenchReport) {
  const { machine } = report;
  console.log(
    `\n${report.smoke ? "SMOKE RUN (sizes too small to mean anything). " : report.size === "reduced" ? "Reduced size. " : ""}${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, ` +
      `PostgreSQL ${machine.postgres}, load ${machine.loadAverageBefore.toFixed(2)} before; ${report.frames} frames, pool ${report.poolSize}, ` +
      `${report.durationS} s`,
  );
  const combos = [...new Set(report.queries.map((m) => `${m.query}@${m.concurrency}`))];
  console.log("\nQuery level: p50 latency and throughput (medians over rounds); ratio = cost / raw pg's\n");
  console.log(
    table(
      ["query", "c", ...QUERY_STACKS.map((s) => `${s} p50`), ...QUERY_STACKS.map((s) => `${s} ops/s`), ...QUERY_STACKS.slice(1).map((s) => `${s} vs pg`)],
      combos.map((combo) => {
        const [query, c] = combo.split("@") as [QueryName, string];
        const concurrency = Number(c);
        const of = (s: StackName) => report.queries.find((m) => m.query === query && m.stack === s && m.concurrency === concurrency)!;
        return [
          QUERY_LABELS[query],
          concurrency,
          ...QUERY_STACKS.map((s) => us(of(s).p50Us)),
          ...QUERY_STACKS.map((s) => Math.round(of(s).opsPerSecond)),
          ...QUERY_STACKS.slice(1).map((s) => x(ratio(report, query, s, concurrency))),
        ];
      }),
    ),
  );
  const rate = (name: string) => report.routes.routes.find((r) => r.route === name)!.requestsPerSecond;
  console.log(`\nRoute level: GET list of 20 projects, ${report.routes.connections} connections, ${report.routes.rounds} x ${report.routes.secondsPerRound} s\n`);
  console.log(
    table(
      ["route", "req/s", "p50 ms", "p99 ms", "vs pg route", "vs next pg route", "non-2xx", "errors"],
      report.routes.routes.map((r) => [
        r.route,
        Math.round(r.requestsPerSecond),
        r.p50Ms,
        r.p99Ms,
        x(rate("pg route") / r.requestsPerSecond),
        x(rate("next pg route") / r.requestsPerSecond),
        r.non2xx,
        r.errors,
      ]),
    ),
  );
  const { server } = report.routes;
  console.log(
    `\nnext start: ${Math.round(server.startToFirstQueryMs)} ms from spawn to the first answered query; RSS ${server.rssAfterWarmUpMiB} MiB ` +
      `after warm-up, ${server.rssAfterRunMiB} MiB after the run`,
  );
  console.log("\nCold start (fresh process, medians) and memory\n");
  console.log(
    table(
      ["stack", "module load ms", "construction ms", "first query ms", "construction + first query ms", "script start to first query ms", "process start to first query ms", "RSS warm MiB", "RSS after MiB"],
      report.coldStart.map((c) => [
        c.stack,
        c.moduleLoadMs,
        c.constructionMs,
        c.firstQueryMs,
        round(c.constructionMs + c.firstQueryMs),
        c.scriptStartToFirstQueryMs,
        c.processStartToFirstQueryMs,
        c.rssAfterWarmUpMiB,
        c.rssAfterRunMiB,
      ]),
    ),
  );
  console.log("\nGrowing data: p50 at c=1\n");
  const sizes = [...new Set(report.growth.map((g) => g.frames))];
  console.log(
    table(
      ["frames", "query", ...STACKS, "prisma vs pg", "drizzle vs pg"],
      sizes.flatMap((frames) =>
        (["findProject", "findAnimationPage"] as const).map((query) => {
          const of = (s: StackName) => report.growth.find((g) => g.frames === frames && g.query === query && g.stack === s)!.p50Us;
          return [frames, GROWTH_LABELS[query], ...STACKS.map((s) => us(of(s))), x(of("prisma") / of("pg")), x(of("drizzle") / of("pg"))];
        }),
      ),
    ),
  );
  console.log("\nTargets (reported, not enforced)\n");
  console.log(
    table(
      ["target", "goal", "measured", ""],
      targets(report).map((t) => [t.name, t.unit === "x" ? `<= ${t.goal}x` : `< ${t.goal} ms`, t.unit === "x" ? x(t.measured) : `${t.measured} ms`, t.met ? "met" : "MISSED"]),
    ),
  );
}
