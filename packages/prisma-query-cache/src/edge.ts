// The build for Vercel's edge runtime, Cloudflare's workerd and Deno (package.json's export conditions). An edge
// sandbox has memory of its own and no connection that could hear an invalidation, so a cache there could serve
// stale data indefinitely: nothing is cached in the sandbox, and `$cache.stats()` reports the cache disabled. A
// client with an `accelerateUrl` sends each read's `cacheStrategy` on as Accelerate's headers, so that a
// prisma-gateway caches it where invalidations are heard; over a driver adapter it is ignored. Nothing here loads a
// Node.js module.
import { cacheExtension } from "./extension.ts";
import type { QueryCacheOptions } from "./types.ts";

export type { CacheStats, CacheStrategy, PrismaCacheStrategy, QueryCacheLogger, QueryCacheOptions } from "./types.ts";

/** The same extension as the Node.js build's, with no cache behind it. */
export function withQueryCache(_options: QueryCacheOptions = {}) {
  return cacheExtension(() => null, { sendToGateway: true });
}
