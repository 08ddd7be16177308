// The package's vocabulary: what a caller passes and reads back, and what the extension hands each operation to.

/** Accelerate's `cacheStrategy`, with the same fields and units. */
export type CacheStrategy = {
  /** Seconds a result is served fresh from the cache. */
  readonly ttl?: number;
  /** Seconds after `ttl` a stale result is still served while a fresh one is fetched in the background. */
  readonly swr?: number;
  /** Names that `$cache.invalidate({ tags })` drops the result by: 1 to 64 of A-Z a-z 0-9 _ : . - each, at most 5. */
  readonly tags?: ReadonlyArray<string>;
};

export type PrismaCacheStrategy = { readonly cacheStrategy?: CacheStrategy };

export type CacheStats = {
  enabled: boolean;
  /** Whether results are being served and stored now (false while Redis or the NOTIFY listener is down). */
  trusted: boolean;
  hits: number;
  misses: number;
  /**
   * Reads with a cacheStrategy that went straight to the database because the cache was untrusted (Redis or the
   * listener down); reads inside a transaction never touch the cache and are not counted.
   */
  bypasses: number;
  /** Tags invalidated: by writes, NOTIFYs, reconnects and $cache.invalidate. */
  invalidations: number;
  evictions: number;
  /** Cache failures (Redis) that a read or write survived by using the database alone. */
  errors: number;
  /** The process's memory layer: bytes counted as V8 holds them (keys, entries, results), its bound, its entries. */
  l1: { bytes: number; maxBytes: number; entries: number } | null;
  redis: "off" | "ready" | "down";
  listener: "off" | "up" | "down";
};

/** Where the cache reports what it survived: Redis or the listener lost, a read answered from the database. */
export type QueryCacheLogger = { error: (message: string) => void };

export type QueryCacheOptions = {
  /** false: `cacheStrategy` is accepted and ignored, and nothing connects anywhere. Default true. */
  enabled?: boolean;
  /** Bytes of process memory the cached results, their keys and their bookkeeping may take. Default 64 MiB. */
  l1MaxBytes?: number;
  /** A Redis every process shares: a second cache layer and the invalidation counters. Without it, one process. */
  redisUrl?: string;
  /**
   * A direct PostgreSQL connection (not through a transaction pooler) that LISTENs for the `cache_notify` triggers,
   * so that writes made outside this client are heard. Without it, only this client's own writes invalidate.
   */
  notifyUrl?: string;
  /** The listener's `application_name` in `pg_stat_activity`. Default "prisma-query-cache". */
  applicationName?: string;
  /** Stale results refreshed at once, at most: keep it well under the pool's size. Default 2. */
  backgroundRefreshes?: number;
  /** Default: console. Connection strings are redacted from what it is given. */
  logger?: QueryCacheLogger;
};

/** The schema's models as a generated client describes them (`_runtimeDataModel`): all the cache needs of it. */
export type RuntimeDataModel = {
  models: Record<string, { dbName?: string | null; fields: { name: string; kind: string; type: string }[] }>;
};

export type Operation = { model?: string; operation: string; args: unknown; inTransaction: boolean };

type Query = (args: unknown) => Promise<unknown>;

/** What the extension hands every operation to. */
export interface QueryCache {
  /** `run` answers a read the cache leaves to the database; `fill`, one whose answer it stores (`run` by default). */
  read(operation: Operation, strategy: CacheStrategy, run: Query, fill?: Query): Promise<unknown>;
  write(operation: Operation, run: () => Promise<unknown>): Promise<unknown>;
  transaction<T>(run: () => Promise<T>): Promise<T>;
  invalidate(tags: ReadonlyArray<string>): Promise<void>;
  stats(): CacheStats;
  /** Resolves once results are served (Redis synced, the listener listening) or `timeoutMs` has passed: whether they are. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}
