import { perRequestDatabase } from "#db/per-request";
import { exposePoolStats, exposeTotals } from "#telemetry/metrics";
import { createDatabase, type Database } from "@/lib/db/client";

// Hot reload re-evaluates this module; the cache on globalThis keeps one pool for the life of the process.
const cache = globalThis as unknown as { database?: Database };
// workerd alone needs one per request (lib/db/per-request.workerd.ts); everywhere else this is the plain client.
const database = perRequestDatabase ?? (cache.database ??= createDatabase());
exposePoolStats(() => database.poolStats());
exposeTotals("db_cache_lookups_total", "Reads that passed a cacheStrategy, by how they were answered.", "result", () => {
  const { hits, misses, bypasses } = database.prisma.$cache.stats();
  return { hit: hits, miss: misses, bypass: bypasses };
});
exposeTotals("db_cache_events_total", "Query cache invalidations, evictions and survived failures.", "event", () => {
  const { invalidations, evictions, errors } = database.prisma.$cache.stats();
  return { invalidation: invalidations, eviction: evictions, error: errors };
});

export const prisma = database.prisma;
export const primary = database.primary;
export const poolStats = database.poolStats;

/** Finishes what is running, then closes every connection. */
export async function disconnect() {
  await database.close();
  delete cache.database;
}
