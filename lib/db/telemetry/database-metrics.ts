// The data layer's own counts as Prometheus series: the pool's connections and the query cache's lookups and events,
// read from the process's database at every scrape.
import { exposePoolStats, exposeTotals } from "#telemetry/metrics";
import type { Database } from "@/lib/db/client";

export function exposeDatabaseStats(database: Pick<Database, "prisma" | "poolStats">): void {
  exposePoolStats(() => database.poolStats());
  exposeTotals("db_cache_lookups_total", "Reads that passed a cacheStrategy, by how they were answered.", "result", () => {
    const { hits, misses, bypasses } = database.prisma.$cache.stats();
    return { hit: hits, miss: misses, bypass: bypasses };
  });
  exposeTotals("db_cache_events_total", "Query cache invalidations, evictions and survived failures.", "event", () => {
    const { invalidations, evictions, errors } = database.prisma.$cache.stats();
    return { invalidation: invalidations, eviction: evictions, error: errors };
  });
}
