import { readReplicas } from "@prisma/extension-read-replicas";
import { createAdapter, createReplicaAdapters } from "#db/adapter";
import { PrismaClient } from "#db/client";

function createDatabase() {
  const pools = [createAdapter(), ...createReplicaAdapters()];
  // "minimal" skips capturing a stack trace on every query for the code frame of an error message: ~5% of a read.
  const [primary, ...replicas] = pools.map(({ adapter }) => new PrismaClient({ adapter, errorFormat: "minimal" }));
  // With replicas (DB_READ_REPLICA_URLS), reads outside a transaction go to one of them and everything else to
  // the primary. The extended client keeps PrismaClient's API; with no replicas there is nothing to extend.
  const prisma = replicas.length ? (primary!.$extends(readReplicas({ replicas })) as unknown as PrismaClient) : primary!;
  return {
    prisma,
    primary: primary!,
    poolStats: pools[0]!.poolStats,
    closePools: () => Promise.all(pools.map(({ closePool }) => closePool())),
  };
}

// Hot reload re-evaluates this module; the cache on globalThis keeps one pool for the life of the process.
const cache = globalThis as unknown as { database?: ReturnType<typeof createDatabase> };
const database = (cache.database ??= createDatabase());

export const prisma = database.prisma;
/** The primary alone, for a read that must see a write just made (replicas lag behind it). */
export const primary = database.primary;
export const poolStats = database.poolStats;

/** Finishes what is running, then closes every connection. */
export async function disconnect() {
  await prisma.$disconnect();
  await database.closePools();
  delete cache.database;
}
