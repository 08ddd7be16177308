// The app's query cache settings: prisma-query-cache's options from the env, reporting through the app's logger.
import type { QueryCacheOptions } from "prisma-query-cache";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/** What the query cache is built from: the env's values unless a caller (a benchmark, a test) overrides one. */
export type CacheSettings = QueryCacheOptions;

/** For a client whose pool holds `poolMax` connections (the env's pool unless the client has another). */
export const cacheSettings = (poolMax = env.DB_POOL_MAX): CacheSettings => ({
  // `next build` imports the data layer with the env unvalidated (unset values are undefined, which the package reads
  // as its default, on): it must not connect anywhere.
  enabled: process.env.NEXT_PHASE !== "phase-production-build" && env.CACHE_ENABLED,
  l1MaxBytes: env.CACHE_L1_MAX_MB * 1024 * 1024,
  redisUrl: env.REDIS_URL,
  notifyUrl: env.CACHE_LISTEN_NOTIFY ? (env.CACHE_NOTIFY_URL ?? env.DATABASE_URL) : undefined,
  applicationName: `${env.DB_APPLICATION_NAME}/cache-listener`,
  // A quarter of the pool: the rest stays free for the requests.
  backgroundRefreshes: Math.max(1, Math.floor(poolMax / 4)),
  logger: log,
});

/** Seconds the app's own reads are cached: fresh for `ttl`, then served stale for `swr` while refreshed. */
export const defaultCacheStrategy = () => ({ ttl: env.CACHE_DEFAULT_TTL_S, swr: env.CACHE_DEFAULT_SWR_S });
