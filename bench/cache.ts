// The query cache's section: the app's reads through the cache (memory only, and with a Redis L2) against the plain
// client and raw pg, every read a hit after the warm-up; the miss path against the plain client; and a write in this
// process until another process first reads the new value. (The route level has the Node.js route with the cache
// and without.)
import { fork } from "node:child_process";
import { createDatabase, type Db } from "@/lib/db/client";
import { startRedis } from "../scripts/support/redis-server";
import { compare, comparedRow, figure, load, newTable, percentile, rowText, type Log } from "./harness";
import { measureOperation, OPERATIONS, pick, type Context } from "./operations";
import { openStack } from "./stacks";

export async function runCache(url: string, context: Context, options: { rounds: number; operations: number; missRounds: number; invalidations: number; log: Log }) {
  const redis = await startRedis();
  /** A client with the cache on; until Redis has synced and the listener listens, every read bypasses it. */
  const cachedStack = async (name: string, redisUrl?: string) => {
    const stack = await openStack("prisma", url, { name, cache: { enabled: true, redisUrl, notifyUrl: url } });
    while (!stack.database!.prisma.$cache.stats().trusted) await new Promise((resolve) => setTimeout(resolve, 20));
    return stack;
  };
  const stacks = [await openStack("pg", url), await openStack("prisma", url)];
  stacks.push(await cachedStack("prisma+cache"), await cachedStack("prisma+cache+redis", redis.url));
  try {
    const note = "Operations per second, every read a hit after the warm-up (medians over rounds).";
    const hits = newTable("Query cache: hits", note, ["read", "c", ...stacks.map((s) => s.name), "prisma+cache vs pg"]);
    for (const operation of OPERATIONS.filter((o) => ["findProject", "listProjects", "findAnimationPage"].includes(o.name))) {
      const read = operation.name;
      for (const concurrency of [1, 10]) {
        // The warm-up fills the caches with every key, so the timed rounds measure hits.
        const warmUp = Math.max(options.operations / 4, context.fixture.projectIds.length * 2);
        const m = await measureOperation(stacks, operation, context, { concurrency, count: options.operations, rounds: options.rounds, warmUp });
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
    const missNote = `Every read a miss, ${perRun} per run, ${options.missRounds} rounds in each of the six orders as often; changes against the plain client in the same round (quartiles).`;
    const missPath = newTable("Query cache: the miss path", missNote, ["client", "c", "ops/s", "ops/s vs plain", "CPU µs per read", "CPU vs plain"]);
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
    const invalidationNote = `From a write in one process to another process's first read of the new value from its cache (Redis on loopback), ${options.invalidations} writes.`;
    const cells = ["invalidation", ...[0.5, 0.99, 1].map((p) => figure(percentile(latenciesMs, p), "ms"))];
    const invalidation = newTable("Query cache: cross-process invalidation", invalidationNote, ["", "p50", "p99", "max"], [{ key: "invalidation", cells }]);
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
  const reader = fork("bench/child.ts", ["cache-reader", "prisma", databaseUrl, projectId], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, CACHE_LISTEN_NOTIFY: "false" },
  });
  const waiting = new Map<string, (at: number) => void>();
  reader.on("message", ({ name, at }: { name: string; at: number }) => waiting.get(name)?.(at));
  await new Promise<void>((resolve) => reader.once("message", () => resolve()));
  const latenciesMs: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const name = `latency-${i}-${Date.now()}`;
      const read = new Promise<number>((resolve) => waiting.set(name, resolve));
      await writer.prisma.project.update({ where: { id: projectId }, data: { name } });
      const written = performance.timeOrigin + performance.now();
      latenciesMs.push(Math.max(0, (await read) - written));
    }
  } finally {
    reader.kill();
    await writer.close();
  }
  return latenciesMs;
}
