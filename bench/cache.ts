// The query cache's section of `bun run bench`: cached vs uncached Prisma vs raw pg on the suite's own reads,
// the miss path's cost over the plain client, cross-process invalidation latency, and (from the route level) the
// Node route with and without the cache against the raw-pg route under the same framework.
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { CacheSettings } from "@/lib/db/cache/settings";
import { createDatabase } from "@/lib/db/client";
import { startRedis } from "../scripts/support/redis-server";
import type { Fixture } from "./database";
import { median, pairedChange, percentile, permutations, rotate, runLoad } from "./measure";
import { pick } from "./random";
import type { RouteName, RouteReport } from "./routes";
import { pgStack } from "./pg-stack";
import { prismaStack, type Operations, type Stack } from "./stacks";

type Options = {
  url: string;
  fixture: Fixture;
  smoke: boolean;
  out: string;
  log: (line: string) => void;
  /** The route level's figures, which include the Node.js route with and without the cache. */
  routeReport: RouteReport;
  operations?: number;
};
const READS = ["findProject", "listProjects", "findAnimationPage"] as const;

/** The app's reads, which pass their own cacheStrategy, on a client with the cache switched on. */
async function cachedStack(name: string, url: string, cache: Partial<CacheSettings>) {
  const stack = prismaStack(url, { cache: { ...cache, enabled: true } });
  // Until Redis has synced and the listener listens, every read bypasses the cache.
  while (!stack.database.prisma.$cache.stats().trusted) await new Promise((resolve) => setTimeout(resolve, 20));
  return { ...stack, name: name as Stack["name"] };
}

/** The k-th read of a kind, with arguments that cycle through the fixture. */
function reader(operations: Operations, read: (typeof READS)[number], fixture: Fixture) {
  if (read === "findProject") return (k: number) => operations.findProject(pick(fixture.projectIds, k));
  if (read === "listProjects") return (k: number) => operations.listProjects({ limit: 20, cursor: pick(fixture.projectIds, k) });
  return (k: number) => operations.findAnimationPage(pick(fixture.animations, k));
}

export async function runCacheBench({ url, fixture, smoke, out, log, routeReport, ...sizes }: Options) {
  const rounds = smoke ? 1 : 3;
  const operations = sizes.operations ?? (smoke ? 200 : 4_000);
  const redis = await startRedis();
  const plainStack = prismaStack(url);
  const plain = plainStack.database;
  const stacks = [
    pgStack(url),
    plainStack,
    await cachedStack("prisma+cache", url, { redisUrl: undefined, notifyUrl: url }),
    await cachedStack("prisma+cache+redis", url, { redisUrl: redis.url, notifyUrl: url }),
  ];
  const throughput: { read: string; stack: string; concurrency: number; opsPerSecond: number; p50Us: number; p99Us: number }[] = [];
  try {
    for (const read of READS) {
      for (const concurrency of [1, 10]) {
        const samples = new Map(stacks.map((stack) => [stack.name, [] as { ops: number; p50: number; p99: number }[]]));
        // Warm-up fills the caches with every key, so the timed rounds measure hits.
        for (const stack of stacks) await runLoad(concurrency, Math.max(operations / 4, fixture.projectIds.length * 2), reader(stack.operations, read, fixture));
        for (let round = 0; round < rounds; round++) {
          for (const stack of rotate(stacks, round)) {
            const { latenciesUs, wallMs } = await runLoad(concurrency, operations, reader(stack.operations, read, fixture));
            samples.get(stack.name)!.push({ ops: (operations / wallMs) * 1000, p50: percentile(latenciesUs, 0.5), p99: percentile(latenciesUs, 0.99) });
          }
        }
        for (const [stack, results] of samples) {
          const row = {
            read,
            stack,
            concurrency,
            opsPerSecond: Math.round(median(results.map((r) => r.ops))),
            p50Us: Math.round(median(results.map((r) => r.p50))),
            p99Us: Math.round(median(results.map((r) => r.p99))),
          };
          throughput.push(row);
          log(`  ${read} c=${concurrency} ${stack}: ${row.opsPerSecond} ops/s, p50 ${row.p50Us} us`);
        }
      }
    }

    // Every read a miss: distinct arguments each time, the same statement shape for both clients. Short runs of each,
    // alternated many times, and the ratio taken run by run: the machine's drift cancels out of a ratio of neighbours,
    // which the few-percent difference measured here needs. Each round also runs the plain client a second time, as a
    // control: how far it moves from itself is how far this machine moves a figure that has no cause. Beside the
    // throughput, the process's CPU time per read: what a miss costs the server, where the throughput at c=1 is mostly
    // the round trip's.
    const missPath: MissPathRow[] = [];
    const cached = stacks[2] as Awaited<ReturnType<typeof cachedStack>>;
    const pointMiss = (client: typeof plain.prisma, k: number, strategy?: { ttl: number }) =>
      client.project.findUnique({ where: { id: pick(fixture.projectIds, k), name: { not: `miss-${k}-${performance.now()}` } }, cacheStrategy: strategy });
    // Each of the six orders as often, so that the plain client and its control each follow the cached one as often.
    const orders = permutations(["plain", "cached", "control"] as const);
    const missRounds = smoke ? orders.length : 4 * orders.length;
    const perRun = Math.max(250, operations / 4);
    for (const concurrency of [1, 10]) {
      const runs = { plain: new Runs(), cached: new Runs(), control: new Runs() };
      for (let round = 0; round < missRounds; round++) {
        for (const which of orders[round % orders.length]!) {
          const client = which === "cached" ? cached.database.prisma : plain.prisma;
          const cpuBefore = process.cpuUsage();
          const { wallMs } = await runLoad(concurrency, perRun, (k) => pointMiss(client, k, which === "cached" ? { ttl: 300 } : undefined));
          const cpu = process.cpuUsage(cpuBefore);
          runs[which].ops.push((perRun / wallMs) * 1000);
          runs[which].cpuUs.push((cpu.user + cpu.system) / perRun);
        }
      }
      const row = { concurrency, ...missPathChange(runs.cached, runs.plain), control: missPathChange(runs.control, runs.plain) };
      missPath.push(row);
      log(`  miss path c=${concurrency}: ${describeMissPath(row)}`);
    }

    const invalidation = await invalidationLatency(url, redis.url, fixture.projectIds[0]!, smoke ? 20 : 200);
    log(`  cross-process invalidation: p50 ${invalidation.p50Ms} ms, p99 ${invalidation.p99Ms} ms over ${invalidation.samples}`);

    const rps = (route: RouteName) => Math.round(routeReport.routes.find((r) => r.route === route)!.requestsPerSecond);
    const routes = {
      pgRoute: rps("next pg route"),
      cachedNodeRoute: rps("node route"),
      uncachedNodeRoute: rps("node route, no cache"),
    };

    const report = { throughput, missPath, invalidation, routes };
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "cache.json"), `${JSON.stringify(report, null, 2)}\n`);
    printCacheReport(report);
    return report;
  } finally {
    await Promise.allSettled(stacks.map((stack) => stack.close()));
    await redis.stop();
  }
}

/** A write in this process, and the moment a reader in another process first reads the new value from its cache. */
async function invalidationLatency(databaseUrl: string, redisUrl: string, projectId: string, samples: number) {
  const writer = createDatabase({ url: databaseUrl, cache: { enabled: true, redisUrl, notifyUrl: undefined } });
  const reader = fork(path.join(import.meta.dirname, "cache-reader.ts"), [projectId], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, CACHE_LISTEN_NOTIFY: "false" },
  });
  const seen = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  reader.on("message", ({ name, at }: { name: string; at: number }) => {
    seen.set(name, at);
    waiting.get(name)?.();
  });
  await new Promise<void>((resolve) => reader.once("message", () => resolve()));
  const latenciesMs: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const name = `latency-${i}-${Date.now()}`;
      const arrived = new Promise<void>((resolve) => waiting.set(name, resolve));
      await writer.prisma.project.update({ where: { id: projectId }, data: { name } });
      const written = performance.timeOrigin + performance.now();
      await arrived;
      latenciesMs.push(Math.max(0, seen.get(name)! - written));
    }
  } finally {
    reader.kill();
    await writer.close();
  }
  const ms = (value: number) => Math.round(value * 100) / 100;
  return { samples, p50Ms: ms(percentile(latenciesMs, 0.5)), p99Ms: ms(percentile(latenciesMs, 0.99)), maxMs: ms(Math.max(...latenciesMs)) };
}

export type CacheReport = Awaited<ReturnType<typeof runCacheBench>>;

class Runs {
  ops: number[] = [];
  cpuUs: number[] = [];
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** How much slower `runs` went than `baseline`, and how much more CPU each read took, round by round. */
function missPathChange(runs: Runs, baseline: Runs) {
  // How much faster the baseline ran: how much slower the runs were.
  const slower = pairedChange(baseline.ops, runs.ops);
  const moreCpu = pairedChange(runs.cpuUs, baseline.cpuUs);
  return {
    ops: Math.round(median(runs.ops)),
    baselineOps: Math.round(median(baseline.ops)),
    overheadPercent: round1(slower.median),
    quartilesPercent: slower.quartiles.map(round1) as [number, number],
    cpuUs: Math.round(median(runs.cpuUs)),
    baselineCpuUs: Math.round(median(baseline.cpuUs)),
    cpuOverheadPercent: round1(moreCpu.median),
    cpuQuartilesPercent: moreCpu.quartiles.map(round1) as [number, number],
  };
}

type MissPathChange = ReturnType<typeof missPathChange>;
/** The cached client's miss against the plain client, and the plain client against itself (absent from older reports). */
type MissPathRow = MissPathChange & { concurrency: number; control?: MissPathChange };

const describeChange = (row: MissPathChange) =>
  `${row.overheadPercent}% slower (median of rounds, quartiles ${row.quartilesPercent.join(" to ")}%; ${row.ops} vs ${row.baselineOps} ops/s), ` +
  `${row.cpuOverheadPercent}% more CPU per read (quartiles ${row.cpuQuartilesPercent.join(" to ")}%; ${row.cpuUs} vs ${row.baselineCpuUs} us)`;

const describeMissPath = (row: MissPathRow) =>
  `a miss against the plain client: ${describeChange(row)}${row.control ? `; the plain client against itself: ${describeChange(row.control)}` : ""}`;

function printCacheReport({ throughput, missPath, invalidation, routes }: CacheReport) {
  console.log("\n## Query cache\n");
  console.log("| read | c | raw pg ops/s | prisma | prisma+cache | prisma+cache+redis | cached / raw pg |");
  console.log("|---|---|---|---|---|---|---|");
  for (const read of READS) {
    for (const concurrency of [1, 10]) {
      const of = (stack: string) => throughput.find((r) => r.read === read && r.concurrency === concurrency && r.stack === stack)!.opsPerSecond;
      console.log(
        `| ${read} | ${concurrency} | ${of("pg")} | ${of("prisma")} | ${of("prisma+cache")} | ${of("prisma+cache+redis")} | ${(of("prisma+cache") / of("pg")).toFixed(1)}x |`,
      );
    }
  }
  console.log();
  for (const row of missPath) console.log(`Miss path c=${row.concurrency}: ${describeMissPath(row)}`);
  console.log(`Cross-process invalidation (Redis on loopback): p50 ${invalidation.p50Ms} ms, p99 ${invalidation.p99Ms} ms, max ${invalidation.maxMs} ms`);
  console.log(
    `Routes (GET /api/projects, next start): raw-pg route ${routes.pgRoute} req/s, node route cached ${routes.cachedNodeRoute} (${(routes.cachedNodeRoute / routes.pgRoute).toFixed(2)}x), uncached ${routes.uncachedNodeRoute} (${(routes.uncachedNodeRoute / routes.pgRoute).toFixed(2)}x)`,
  );
}
