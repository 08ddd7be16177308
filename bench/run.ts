// `bun run bench`: the app's operations through its own data layer against raw `pg` (the floor) and Drizzle, on one
// PostgreSQL, section by section; prints markdown tables, writes results.json and SVG charts.
//   tsx scripts/with-db.ts tsx bench/run.ts [--smoke | --reduced] [--only <section>,…] [--frames 1000,100000,…]
//     [--baseline-dir <a built checkout, for the tracing section>] [--out bench/out]        (BENCH_SMOKE=1 is --smoke)
// The sections: queries, routes, cache, tracing, cold-start, worst, growth (all by default), runtimes (`bun run runtimes`).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { databaseSettings } from "@/lib/db/pool-config";
import { runCache } from "./cache";
import { runColdStarts } from "./cold-start";
import { createBenchDatabase, seed, type Shape } from "./database";
import { growthChart, runGrowth } from "./growth";
import type { Table } from "./harness";
import { runQueries } from "./queries";
import { printReport, type BenchReport } from "./report";
import { NEXT_FLOOR, runRoutes } from "./routes";
import { runRuntimes } from "./runtimes";
import { openStack, type Stack } from "./stacks";
import { runTracing } from "./tracing";
import { runWorst } from "./worst";

// How big a run is: the smoke size only proves the benchmark still works; the full size gives the figures; the
// reduced one is for a busy machine, or several runs in a row.
const FULL = {
  shape: { projects: 100, charactersPerProject: 2, animationsPerCharacter: 4, framesPerAnimation: 24 } as Shape,
  rounds: 5, scale: 1, sweep: [1, 2, 5, 10, 20], coldStarts: 5, routes: { seconds: 5, rounds: 3 },
  cache: { rounds: 3, operations: 4_000, missRounds: 24, invalidations: 200 }, runtimes: { rounds: 3, reads: 200, seconds: 3 },
  tracing: { rounds: 15, seconds: 4, generations: 5, cycles: 6, cycleSeconds: 8, queryOperations: 4_000, queryPairs: 5, everySetting: true },
  growth: { frames: [1_000, 100_000, 1_000_000, 10_000_000], rounds: 5, roundMs: 400 },
};
const SIZES: Record<"smoke" | "reduced" | "full", typeof FULL> = {
  full: FULL,
  reduced: {
    ...FULL, rounds: 3, scale: 0.25, sweep: [1, 10], coldStarts: 3, routes: { seconds: 3, rounds: 3 },
    tracing: { rounds: 6, seconds: 3, generations: 2, cycles: 6, cycleSeconds: 4, queryOperations: 2_000, queryPairs: 3, everySetting: true },
    growth: { frames: [1_000, 100_000, 1_000_000], rounds: 3, roundMs: 200 },
  },
  smoke: {
    shape: { projects: 10, charactersPerProject: 2, animationsPerCharacter: 2, framesPerAnimation: 24 },
    rounds: 1, scale: 0.05, sweep: [], coldStarts: 1, routes: { seconds: 1, rounds: 1 },
    cache: { rounds: 1, operations: 200, missRounds: 6, invalidations: 20 },
    tracing: { rounds: 1, seconds: 1, generations: 1, cycles: 1, cycleSeconds: 1, queryOperations: 100, queryPairs: 1, everySetting: false },
    runtimes: { rounds: 1, reads: 20, seconds: 1 }, growth: { frames: [1_000, 10_000], rounds: 1, roundMs: 20 },
  },
};

const DEFAULT = ["queries", "routes", "cache", "tracing", "cold-start", "worst", "growth"];
const { values } = parseArgs({
  options: {
    smoke: { type: "boolean", default: process.env.BENCH_SMOKE === "1" }, reduced: { type: "boolean", default: false }, frames: { type: "string" },
    only: { type: "string", default: DEFAULT.join(",") }, "baseline-dir": { type: "string" }, out: { type: "string", default: "bench/out" },
  },
});
const size = values.smoke ? "smoke" : values.reduced ? "reduced" : "full";
const settings = SIZES[size];
const sections = values.only.split(",").map((s) => s.trim());
const unknown = sections.filter((s) => ![...DEFAULT, "runtimes"].includes(s));
if (unknown.length) throw new Error(`--only: no section ${unknown}; there are ${DEFAULT} and runtimes`);
const [log, started, serverUrl] = [(line: string) => console.error(line), Date.now(), process.env.DATABASE_URL];
if (!serverUrl) throw new Error("DATABASE_URL is not set: run through `bun run bench`, which provides one.");

// The route level and the tracing and runtimes sections start the app's production build (and the raw-pg floor's).
const builds = [...(sections.some((s) => ["routes", "tracing", "runtimes", "worst"].includes(s)) ? ["."] : []), ...(sections.includes("routes") ? [NEXT_FLOOR] : [])];
for (const dir of builds.filter((dir) => !existsSync(path.join(dir, ".next/BUILD_ID")))) {
  log(`No production build in ${dir} yet: running next build...`);
  execFileSync("node_modules/.bin/next", ["build", dir], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}
const database = await createBenchDatabase(serverUrl);
log(`Database ${database.name}, dropped at the end.`);
const admin = new pg.Pool({ connectionString: database.url, max: 2 });
const stacks: Stack[] = [];
try {
  const poolSize = databaseSettings().pool.max;
  const [{ version }] = (await admin.query("select current_setting('server_version') as version")).rows;
  const [cpus, memoryGiB, loadAverage] = [os.cpus(), Math.round(os.totalmem() / 2 ** 30), os.loadavg()[0]!];
  const machine = { cpus: cpus.length, cpuModel: cpus[0]?.model ?? "unknown", memoryGiB, node: process.version, postgres: version, loadAverage };
  const report: BenchReport = { size, sections, date: new Date().toISOString(), durationS: 0, machine, poolSize, tables: [] };
  // The query level's data set, for every section but the growth section (which grows its own) and the runtimes.
  const seeded = sections.some((s) => s !== "growth" && s !== "runtimes");
  log(`PostgreSQL ${version}${seeded ? `: seeding ${settings.shape.projects} projects` : ""}.`);
  const context = { admin, fixture: (seeded ? await seed(admin, settings.shape) : undefined)! };
  const projectId = context.fixture?.projectIds[0] ?? "";
  for (const kind of ["pg", "prisma", "drizzle"] as const) stacks.push(await openStack(kind, database.url));
  const run: Record<string, () => Promise<Table | Table[]>> = {
    queries: async () => {
      stacks.push(await openStack("prisma", database.url, { name: "prisma-prepared", preparedStatements: true }));
      return runQueries(stacks, context, { ...settings, poolSize, log });
    },
    routes: () => runRoutes(database.url, { connections: poolSize, ...settings.routes, log }),
    cache: () => runCache(database.url, context, { ...settings.cache, log }),
    tracing: () => runTracing(database.url, projectId, { ...settings.tracing, baselineDir: values["baseline-dir"], log }),
    "cold-start": () => runColdStarts(database.url, ["pg", "prisma", "drizzle"], { repetitions: settings.coldStarts, projectId, log }),
    worst: () => runWorst(database.url, { rounds: settings.rounds, log }),
    runtimes: () => runRuntimes(database.url, { ...settings.runtimes, log }),
    growth: () => runGrowth(stacks.slice(0, 3), admin, { ...settings.growth, frames: values.frames?.split(",").map(Number) ?? settings.growth.frames, log }),
  };
  // The growth section last: it replaces the data set with its own.
  for (const section of Object.keys(run).filter((s) => sections.includes(s))) {
    log(`${section}:`);
    report.tables.push(...[await run[section]!()].flat());
  }
  report.durationS = Math.round((Date.now() - started) / 1000);
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "results.json"), `${JSON.stringify(report, null, 2)}\n`);
  const growth = report.tables.find((t) => t.title === "Growing data");
  if (growth) writeFileSync(path.join(out, "growth.svg"), growthChart(growth));
  printReport([report]);
  console.log(`\nWrote ${path.relative(process.cwd(), out)}/results.json${growth ? " and growth.svg" : ""}`);
} finally {
  await Promise.allSettled(stacks.map((s) => s.close()));
  await admin.end();
  await database.drop();
}
