import { createAdapter } from "#db/adapter";
import { PrismaClient } from "#db/client";

function createDatabase() {
  const { adapter, poolStats, closePool } = createAdapter();
  return { prisma: new PrismaClient({ adapter }), poolStats, closePool };
}

// Hot reload re-evaluates this module; the cache on globalThis keeps one pool for the life of the process.
const cache = globalThis as unknown as { database?: ReturnType<typeof createDatabase> };
const database = (cache.database ??= createDatabase());

export const prisma = database.prisma;
export const poolStats = database.poolStats;

/** Finishes what is running, then closes every connection. */
export async function disconnect() {
  await prisma.$disconnect();
  await database.closePool();
  delete cache.database;
}
