import { createAdapter } from "#db/adapter";
import { PrismaClient } from "@/lib/generated/prisma/client";

function createDatabase() {
  const { adapter, pool } = createAdapter();
  return { prisma: new PrismaClient({ adapter }), pool };
}

// Hot reload re-evaluates this module; the cache on globalThis keeps one pool for the life of the process.
const cache = globalThis as unknown as { database?: ReturnType<typeof createDatabase> };
const database = (cache.database ??= createDatabase());

export const prisma = database.prisma;

export function poolStats() {
  const { totalCount: total, idleCount: idle, waitingCount: waiting, options } = database.pool;
  return { total, idle, waiting, max: options.max };
}

/** Finishes what is running, then closes every connection. */
export async function disconnect() {
  await prisma.$disconnect();
  await database.pool.end();
  delete cache.database;
}
