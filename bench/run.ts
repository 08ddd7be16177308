// `bun run bench`: this project's Prisma client against raw `pg` (the floor) and Drizzle, on one PostgreSQL, at
// query level, route level, cold start, memory and growing data. Prints a table, writes results.json and SVG charts.
//   tsx scripts/with-db.ts tsx bench/run.ts [--smoke] [--out bench/out]      (BENCH_SMOKE=1 is --smoke)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import type { PrismaClient } from "#db/client";
import { runCacheBench } from "./cache";
import { writeCharts } from "./charts";
import { runColdStarts } from "./cold-start";
import { createBenchDatabase, seed, type Shape } from "./database";
import { runGrowth } from "./growth";
import { runQuerySuite, type QueryName } from "./query-suite";
import { printReport, type BenchReport } from "./report";
import { runRoutes } from "./routes";
import { drizzleStack, pgStack, preparedPrismaStack, prismaStack, type Stack } from "./stacks";

const { values } = parseArgs({
  options: { smoke: { type: "boolean", default: process.env.BENCH_SMOKE === "1" }, out: { type: "string", default: "bench/out" } },
});
const smoke = values.smoke!;
const SEED = 20260601;

const settings = smoke
  ? {
      shape: { projects: 10, charactersPerProject: 2, animationsPerCharacter: 2, framesPerAnimation: 24 } satisfies Shape,
      rounds: 1,
      scale: 0.05,
      sweep: [] as number[],
      routes: { seconds: 1, rounds: 1 },
      coldStarts: 1,
      growth: { sizes: [1_000], rounds: 1, scale: 0.05 },
    }
  : {
      shape: { projects: 100, charactersPerProject: 2, animationsPerCharacter: 4, framesPerAnimation: 24 } satisfies Shape,
      rounds: 5,
      scale: 1,
      sweep: [1, 2, 5, 10, 20],
      routes: { seconds: 5, rounds: 3 },
      coldStarts: 5,
      growth: { sizes: [1_000, 10_000, 100_000], rounds: 3, scale: 1 },
    };
const SWEPT: QueryName[] = ["pointRead", "nestedRead"];

const log = (line: string) => console.error(line);
const started = Date.now();
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is not set: run through `bun run bench`, which provides one.");

ensureBuild();
const database = await createBenchDatabase(serverUrl);
log(`Database ${database.name}, dropped at the end.`);
const stacks: Stack[] = [];
const queryOnlyStacks: Stack[] = [];
// An idle connection the server closes must not end the run: the pool opens another for the next query.
const pool = (config: pg.PoolConfig) => new pg.Pool(config).on("error", (error) => log(`bench: idle connection closed: ${error.message}`));
const admin = pool({ connectionString: database.url, max: 2 });
try {
  process.env.DATABASE_URL = database.url;
  const { env } = await import("@/lib/env");
  const { poolConfig } = await import("@/lib/db/pool-config");
  const lib = await import("@/lib/prisma");
  stacks.push(pgStack(pool(poolConfig)), prismaStack(lib.prisma as unknown as PrismaClient, lib.disconnect), drizzleStack(pool(poolConfig)));
  queryOnlyStacks.push(preparedPrismaStack(pool(poolConfig)));
  const poolSize = env.DB_POOL_MAX;
  const [{ version }] = (await admin.query("select current_setting('server_version') as version")).rows;
  const loadBefore = os.loadavg()[0]!;

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
  await runCacheBench({ url: database.url, fixture, smoke, out: values.out!, log });

  log("Cold start and memory (fresh processes):");
  const coldStart = runColdStarts(database.url, ["pg", "prisma", "drizzle"], {
    repetitions: settings.coldStarts,
    projectId: fixture.projectIds[0]!,
    animationId: fixture.animationIds[0]!,
    log,
  });

  log("Growing data:");
  const growth = await runGrowth(stacks, admin, { ...settings.growth, seed: SEED, log });

  const report: BenchReport = {
    smoke,
    date: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      postgres: version,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg()[0]!,
    },
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
  console.log(`\nWrote ${path.relative(process.cwd(), path.join(out, "results.json"))} and ${charts.map((c) => path.relative(process.cwd(), c)).join(", ")}`);
} finally {
  await Promise.allSettled([...stacks, ...queryOnlyStacks].map((s) => s.close()));
  await admin.end();
  await database.drop();
}

// The route level runs `next start`, which needs a production build that has the bench route in it.
function ensureBuild() {
  if (existsSync(".next/BUILD_ID") && existsSync(".next/server/app/api/bench/projects/route.js")) return;
  log("No production build with the bench route yet: running next build...");
  execFileSync("node_modules/.bin/next", ["build"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}
