// `bun run bench`: the app's operations through its own data layer against raw `pg` (the floor) and Drizzle, on one
// PostgreSQL, at query level, route level, cold start, memory and growing data. Prints markdown tables, writes
// results.json and SVG charts. Each section below is one step; the report collects what they return.
//   tsx scripts/with-db.ts tsx bench/run.ts [--smoke | --reduced] [--out bench/out]      (BENCH_SMOKE=1 is --smoke)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { databaseSettings } from "@/lib/db/pool-config";
import { runCacheBench } from "./cache";
import { writeCharts } from "./charts";
import { runColdStarts } from "./cold-start";
import { createBenchDatabase, seed } from "./database";
import { drizzleStack } from "./drizzle-stack";
import { runGrowth } from "./growth";
import { pgStack } from "./pg-stack";
import { runQuerySuite, SWEPT } from "./query-suite";
import { machine, printReport, type BenchReport } from "./report";
import { NEXT_FLOOR, runRoutes } from "./routes";
import { FULL, REDUCED, SMOKE } from "./settings";
import { prismaStack } from "./stacks";

const { values } = parseArgs({
  options: {
    smoke: { type: "boolean", default: process.env.BENCH_SMOKE === "1" },
    reduced: { type: "boolean", default: false },
    out: { type: "string", default: "bench/out" },
  },
});
const smoke = values.smoke!;
const size = smoke ? "smoke" : values.reduced ? "reduced" : "full";
const settings = { smoke: SMOKE, reduced: REDUCED, full: FULL }[size];
const SEED = 20260601;
const log = (line: string) => console.error(line);
const started = Date.now();
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is not set: run through `bun run bench`, which provides one.");

ensureBuild();
const database = await createBenchDatabase(serverUrl);
log(`Database ${database.name}, dropped at the end.`);
const admin = new pg.Pool({ connectionString: database.url, max: 2 });
const stacks = [pgStack(database.url), prismaStack(database.url), drizzleStack(database.url)];
const queryOnlyStacks = [prismaStack(database.url, { preparedStatements: true })];
try {
  const poolSize = databaseSettings().pool.max;
  const [{ version }] = (await admin.query("select current_setting('server_version') as version")).rows;
  const before = machine(version);

  log(`Seeding ${settings.shape.projects} projects (seed ${SEED}) on PostgreSQL ${version}...`);
  const fixture = await seed(admin, settings.shape, SEED);

  log(`Queries (pool of ${poolSize}, ${settings.rounds} rounds after warm-up):`);
  const queries = await runQuerySuite([...stacks, ...queryOnlyStacks], { admin, fixture }, {
    rounds: settings.rounds,
    scale: settings.scale,
    concurrencies: (query) => [...new Set([1, poolSize, ...(SWEPT.includes(query) ? settings.sweep : [])])].sort((a, b) => a - b),
    log,
  });

  log(`Routes (next start, ${poolSize} connections):`);
  const routes = await runRoutes(database.url, { connections: poolSize, ...settings.routes, log });

  log("Query cache:");
  await runCacheBench({ url: database.url, fixture, smoke, out: values.out!, log, routeReport: routes });

  log("Cold start and memory (fresh processes):");
  const coldStart = runColdStarts(database.url, ["pg", "prisma", "drizzle"], { repetitions: settings.coldStarts, projectId: fixture.projectIds[0]!, log });

  log("Growing data:");
  const growth = await runGrowth(stacks, admin, { ...settings.growth, seed: SEED, log });

  const report: BenchReport = {
    smoke,
    size,
    date: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: { ...before, loadAverageAfter: os.loadavg()[0]! },
    seed: SEED,
    shape: settings.shape,
    frames: fixture.frames,
    poolSize,
    queries,
    routes,
    coldStart,
    growth,
  };
  const out = path.resolve(values.out!);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "results.json"), `${JSON.stringify(report, null, 2)}\n`);
  const charts = writeCharts(report, out);
  printReport(report);
  console.log(`\nWrote ${[path.join(out, "results.json"), ...charts].map((file) => path.relative(process.cwd(), file)).join(", ")}`);
} finally {
  await Promise.allSettled([...stacks, ...queryOnlyStacks].map((s) => s.close()));
  await admin.end();
  await database.drop();
}

// The route level runs `next start` of the app and of the raw-pg floor, which need production builds.
function ensureBuild() {
  for (const dir of [".", NEXT_FLOOR]) {
    if (existsSync(path.join(dir, ".next/BUILD_ID"))) continue;
    log(`No production build in ${dir} yet: running next build...`);
    execFileSync("node_modules/.bin/next", ["build", dir], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  }
}
