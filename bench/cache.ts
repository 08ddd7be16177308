// The query cache's section: the app's reads through the cache (memory only, and with a Redis L2) against the plain
// client and raw pg, every read a hit after the warm-up; the miss path against the plain client; and a write in this
// process until another process first reads the new value. (The route level has the Node.js route with the cache
// and without.)
import { fork } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createDatabase, type Db } from "@/lib/db/client";
import { startRedis } from "../scripts/support/redis-server";
import { compare, comparedRow, figure, load, newTable, percentile, rowText, type Log } from "./harness";
import { operationNamed, pick, type Context } from "./operations";
import { measureOperation } from "./queries";
import { openStack, type StackOptions } from "./stacks";

/** A client with the cache on; until Redis has synced and the listener listens, every read bypasses it. */
async function cachedStack(name: string, url: string, cache: StackOptions["cache"]) {
  const stack = await openStack("prisma", url, { name, cache: { ...cache, enabled: true } });
  while (!stack.database!.prisma.$cache.stats().trusted) await new Promise((resolve) => setTimeout(resolve, 20));
  return stack;
}

export async function runCache(url: string, context: Context, options: { rounds: number; operations: number; missRounds: number; invalidations: number; log: Log }) {
  const redis = await startRedis();
  const stacks = [
    await openStack("pg", url),
    await openStack("prisma", url),
    await cachedStack("prisma+cache", url, { redisUrl: undefined, notifyUrl: url }),
    await cachedStack("prisma+cache+redis", url, { redisUrl: redis.url, notifyUrl: url }),
  ];
  try {
    const note = "Operations per second, every read a hit after the warm-up (medians over rounds).";
    const hits = newTable("Query cache: hits", note, ["read", "c", ...stacks.map((s) => s.name), "prisma+cache vs pg"]);
    for (const read of ["findProject", "listProjects", "findAnimationPage"]) {
      for (const concurrency of [1, 10]) {
        // The warm-up fills the caches with every key, so the timed rounds measure hits.
        const warmUp = Math.max(options.operations / 4, context.fixture.projectIds.length * 2);
        const m = await measureOperation(stacks, operationNamed(read), context, { concurrency, count: options.operations, rounds: options.rounds, warmUp });
        const cells = [...stacks.map((s) => figure(m[s.name]!.opsPerSecond, "")), figure(m["prisma+cache"]!.opsPerSecond / m.pg!.opsPerSecond, "x")];
        hits.rows.push({ key: `${read}@${concurrency}`, cells: [read, String(concurrency), ...cells] });
        options.log(`  ${read} c=${concurrency}: ${stacks.map((s) => `${s.name} ${Math.round(m[s.name]!.opsPerSecond)}/s`).join(", ")}`);
      }
    }

    // Every read a miss (new arguments, the same statement shape), short runs compared with the plain client's in the
    // same round, in each of the six orders as often: the few-percent difference needs the machine's drift cancelled.
    // The plain client runs twice per round, the second a control: how far this machine moves a figure with no cause.
    // Beside the throughput, the CPU time per read: what a miss costs a server; at c=1 throughput is mostly round trips.
    const clients = { plain: stacks[1]!.database!.prisma, cached: stacks[2]!.database!.prisma, control: stacks[1]!.database!.prisma };
    const pointMiss = (client: Db, k: number, strategy?: { ttl: number }) =>
      client.project.findUnique({ where: { id: pick(context.fixture.projectIds, k), name: { not: `miss-${k}-${performance.now()}` } }, cacheStrategy: strategy });
    const perRun = Math.max(250, options.operations / 4);
    const missPath = newTable(
      "Query cache: the miss path",
      `Every read a miss, ${perRun} per run, ${options.missRounds} rounds in each of the six orders as often; changes against the plain client in the same round (quartiles).`,
      ["client", "c", "ops/s", "ops/s vs plain", "CPU µs per read", "CPU vs plain"],
    );
    for (const concurrency of [1, 10]) {
      const compared = await compare(["plain", "cached", "control"] as const, "plain", options.missRounds, async (which) => {
        const cpuBefore = process.cpuUsage();
        const { opsPerSecond } = await load(concurrency, perRun, (k) => pointMiss(clients[which], k, which === "cached" ? { ttl: 300 } : undefined));
        const cpu = process.cpuUsage(cpuBefore);
        return { opsPerSecond, cpuUs: (cpu.user + cpu.system) / perRun };
      }, { order: "permute" });
      for (const c of compared) missPath.rows.push(comparedRow(c, [["opsPerSecond", ""], ["cpuUs", "µs"]], [c.name, String(concurrency)]));
      for (const row of missPath.rows.slice(-3)) options.log(`  miss path: ${rowText(missPath, row)}`);
    }

    const latenciesMs = await invalidationLatencies(url, redis.url, context.fixture.projectIds[0]!, options.invalidations);
    const invalidation = newTable(
      "Query cache: cross-process invalidation",
      `From a write in one process to another process's first read of the new value from its cache (Redis on loopback), ${options.invalidations} writes.`,
      ["", "p50", "p99", "max"],
      [{ key: "invalidation", cells: ["invalidation", ...[0.5, 0.99, 1].map((p) => figure(percentile(latenciesMs, p), "ms"))] }],
    );
    options.log(`  cross-process invalidation: p50 ${percentile(latenciesMs, 0.5).toFixed(2)} ms, p99 ${percentile(latenciesMs, 0.99).toFixed(2)} ms`);
    return [hits, missPath, invalidation];
  } finally {
    await Promise.allSettled(stacks.map((stack) => stack.close()));
    await redis.stop();
  }
}

/** A write in this process, and the moment a reader in another process first reads the new value from its cache. */
async function invalidationLatencies(databaseUrl: string, redisUrl: string, projectId: string, samples: number) {
  const writer = createDatabase({ url: databaseUrl, cache: { enabled: true, redisUrl, notifyUrl: undefined } });
  const reader = fork(path.join(import.meta.dirname, "child.ts"), ["cache-reader", "prisma", databaseUrl, projectId], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, CACHE_LISTEN_NOTIFY: "false" },
  });
  const [seen, waiting] = [new Map<string, number>(), new Map<string, () => void>()];
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
  return latenciesMs;
}
