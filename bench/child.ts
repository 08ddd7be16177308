// The process of a measurement that needs one of its own; prints its figures as JSON.
//   tsx bench/child.ts <start | memory | traced-reads | cache-reader> <pg | prisma | drizzle> <databaseUrl> <projectId> [operations]
// start: load a stack's modules, construct it, answer the first query (each timed); memory: then 500 reads and 5,000
// more at concurrency 10, RSS after each; traced-reads: tracing started as instrumentation.ts starts it (before `pg`
// loads), then ops/s of the app's reads, the cache off; cache-reader: the invalidation measure's other process, reading
// one project through the cache as fast as it can and sending the parent each new name with when it first read it.
import { load, rssMiB, type Sample } from "./harness";
import type { StackKind } from "./stacks";

const scriptStart = performance.now();
const [mode, kind, url, projectId, operations] = process.argv.slice(2) as [string, StackKind, string, string, string];
type Reads = { findProject: (client: unknown, id: string) => Promise<unknown>; listProjects: (client: unknown, page: { limit: number }) => Promise<unknown> };
const readsOf = { prisma: () => import("@/lib/projects/queries"), pg: () => import("./pg-stack"), drizzle: () => import("./drizzle-stack") };

if (mode === "cache-reader") {
  const { prisma } = (await import("@/lib/db/client")).createDatabase();
  while (!prisma.$cache.stats().trusted) await new Promise((resolve) => setTimeout(resolve, 10));
  process.send!({ name: "", at: 0 });
  for (let last: string | undefined; ; await new Promise((resolve) => setImmediate(resolve))) {
    // Between reads, setImmediate lets the Redis subscription's messages in: a hit answers without I/O.
    const row = await prisma.project.findUnique({ where: { id: projectId }, cacheStrategy: { ttl: 300 } });
    if (row && row.name !== last) process.send!({ name: (last = row.name), at: performance.timeOrigin + performance.now() });
  }
}
// Imported late: nothing but this file loads before the clock starts, and tracing starts before `pg` loads.
const tracing = mode === "traced-reads" ? await (await import("@/lib/telemetry/tracing")).startTracing() : undefined;
const [open, reads] = await Promise.all([import("./stacks").then((stacks) => stacks.loadStack(kind)), readsOf[kind]() as Promise<unknown> as Promise<Reads>]);
const loaded = performance.now();
const stack = open(url);
tracing?.pgLoaded();
const constructed = performance.now();
const read = { findProject: () => reads.findProject(stack.client, projectId), listProjects: () => reads.listProjects(stack.client, { limit: 20 }) };
await read.findProject();
const answered = performance.now();
const starting = { moduleLoadMs: loaded - scriptStart, constructionMs: constructed - loaded, processStartToFirstQueryMs: answered };
const firstQuery = { firstQueryMs: answered - constructed, constructionAndFirstQueryMs: answered - loaded, scriptStartToFirstQueryMs: answered - scriptStart };
const result: Sample = mode === "traced-reads" ? {} : { ...starting, ...firstQuery };
if (mode === "memory") {
  const mixed = (k: number) => (k % 2 ? read.listProjects() : read.findProject());
  result.rssAfterWarmUpMiB = await load(1, 500, mixed).then(() => rssMiB([process.pid]));
  result.rssAfterRunMiB = await load(10, 5_000, mixed).then(() => rssMiB([process.pid]));
}
for (const [name, call] of mode === "traced-reads" ? Object.entries(read) : []) {
  for (const concurrency of [1, 10]) {
    await load(concurrency, Number(operations) / 4, call);
    result[`${name} c=${concurrency}`] = (await load(concurrency, Number(operations), call)).opsPerSecond;
  }
}
await stack.close();
await tracing?.sdk.shutdown();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
