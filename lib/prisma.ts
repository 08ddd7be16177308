import { perRequestDatabase } from "#db/per-request";
import { createDatabase, type Database } from "@/lib/db/client";

// Hot reload re-evaluates this module; the cache on globalThis keeps one pool for the life of the process.
const cache = globalThis as unknown as { database?: Database };
// workerd alone needs one per request (lib/db/per-request.workerd.ts); everywhere else this is the plain client.
const database = perRequestDatabase ?? (cache.database ??= createDatabase());

export const prisma = database.prisma;
export const primary = database.primary;
export const poolStats = database.poolStats;

/** Finishes what is running, then closes every connection. */
export async function disconnect() {
  await database.close();
  delete cache.database;
}
