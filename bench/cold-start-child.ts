// One fresh process per measurement (spawned by cold-start.ts): load one stack, construct its client, answer the
// first query; with --memory, then warm it up and run a mixed load, reading RSS after each.
//   tsx bench/cold-start-child.ts <pg|prisma|drizzle> <projectId> <animationId> [--memory]
import { performance } from "node:perf_hooks";
import type { PrismaClient } from "#db/client";
import { rssMiB, runLoad } from "./measure";
import { pick } from "./random";
import type { StackName } from "./stacks";

const [stackName, projectId, animationId, mode] = process.argv.slice(2) as [StackName, string, string, string | undefined];
const scriptStart = performance.now();

async function load() {
  if (stackName === "prisma") {
    await Promise.all([import("#db/client"), import("#db/adapter")]);
    const modulesLoaded = performance.now();
    const lib = await import("@/lib/prisma");
    const constructed = performance.now();
    const first = () => lib.prisma.project.findUnique({ where: { id: projectId } });
    return { modulesLoaded, constructed, first, stack: async () => (await import("./stacks")).prismaStack(lib.prisma as unknown as PrismaClient, lib.disconnect) };
  }
  const [{ default: pg }, { poolConfig }] = await Promise.all([import("pg"), import("@/lib/db/pool-config")]);
  if (stackName === "pg") {
    const modulesLoaded = performance.now();
    const pool = new pg.Pool(poolConfig);
    const constructed = performance.now();
    const first = () => pool.query("select * from projects where id = $1", [projectId]);
    return { modulesLoaded, constructed, first, stack: async () => (await import("./stacks")).pgStack(pool) };
  }
  const [{ drizzle }, schema, { eq }] = await Promise.all([import("drizzle-orm/node-postgres"), import("./drizzle-schema"), import("drizzle-orm")]);
  const modulesLoaded = performance.now();
  const pool = new pg.Pool(poolConfig);
  const db = drizzle({ client: pool, schema });
  const constructed = performance.now();
  const first = () => db.select().from(schema.projects).where(eq(schema.projects.id, projectId));
  return { modulesLoaded, constructed, first, stack: async () => (await import("./stacks")).drizzleStack(pool) };
}

const loaded = await load();
await loaded.first();
const answered = performance.now();
const result: Record<string, number | string> = {
  stack: stackName,
  processStartToFirstQueryMs: answered,
  scriptStartToFirstQueryMs: answered - scriptStart,
  moduleLoadMs: loaded.modulesLoaded - scriptStart,
  constructionMs: loaded.constructed - loaded.modulesLoaded,
  firstQueryMs: answered - loaded.constructed,
};

if (mode === "--memory") {
  const { operations, close } = await loaded.stack();
  const ids = [projectId];
  const mixed = (k: number) =>
    k % 10 === 0 ? operations.nestedRead(pick(ids, k)) : k % 2 ? operations.list(animationId) : operations.pointRead(pick(ids, k));
  await runLoad(1, 500, mixed);
  result.rssAfterWarmUpMiB = rssMiB();
  await runLoad(10, 5_000, mixed);
  result.rssAfterRunMiB = rssMiB();
  await close();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
