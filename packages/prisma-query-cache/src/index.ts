// The Node.js build (Bun's too): the extension over a cache in process memory, Redis when configured, and the
// NOTIFY listener when given a connection.
import { cacheExtension } from "./extension.ts";
import { startQueryCache } from "./start.ts";
import type { QueryCacheOptions } from "./types.ts";

export type { CacheStats, CacheStrategy, PrismaCacheStrategy, QueryCacheLogger, QueryCacheOptions } from "./types.ts";

/**
 * Accelerate's `cacheStrategy` on the eight reads of every model, `$cache.invalidate({ tags })` and
 * `$cache.stats()`: `prisma.$extends(withQueryCache({ redisUrl, notifyUrl }))`, applied last. `$disconnect()`
 * closes the cache's connections too.
 */
export function withQueryCache(options: QueryCacheOptions = {}) {
  return cacheExtension((dataModel) => startQueryCache(options, dataModel));
}
