// Accelerate's `cacheStrategy` on a self-hosted cache: the same argument on the same eight reads, typed the same
// way, so code written for `withAccelerate()` moves over by swapping the extension. This module holds the
// extension and its types only; what a read or a write does with the cache is the QueryCache's job.
import { Prisma } from "#db/client";
import type { Types } from "@prisma/client/runtime/client";
import { readOperations } from "@/lib/db/cache/invalidation";

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
  l1: { bytes: number; maxBytes: number; entries: number } | null;
  redis: "off" | "ready" | "down";
  listener: "off" | "up" | "down";
};

type Operation = { model?: string; operation: string; args: unknown; inTransaction: boolean };

/** What the extension hands every operation to; null where the cache does not run (edge routes). */
export interface QueryCache {
  read(operation: Operation, strategy: CacheStrategy, run: (args: unknown) => Promise<unknown>): Promise<unknown>;
  write(operation: Operation, run: () => Promise<unknown>): Promise<unknown>;
  transaction<T>(run: () => Promise<T>): Promise<T>;
  invalidate(tags: ReadonlyArray<string>): Promise<void>;
  stats(): CacheStats;
}

type WithCacheStrategy<Model, Operation extends Types.Public.Operation> = Prisma.Args<Model, Operation> & PrismaCacheStrategy;

const disabledStats: CacheStats = {
  enabled: false,
  trusted: false,
  hits: 0,
  misses: 0,
  bypasses: 0,
  invalidations: 0,
  evictions: 0,
  errors: 0,
  l1: null,
  redis: "off",
  listener: "off",
};


/**
 * Apply it last: an interactive transaction's client is built from the client this extension wraps, so
 * extensions applied after it would not reach the queries inside a transaction.
 */
export function queryCacheExtension(cache: QueryCache | null) {
  return Prisma.defineExtension((client) => {
    const withQueries = client.$extends({
      name: "query-cache",
      query: {
        // Cached reads are answered by the model methods below, before Prisma's request pipeline; what reaches
        // this point is a write, or a read the cache leaves to the database.
        $allOperations(params) {
          const { model, operation, query } = params;
          const args = withoutCacheStrategy(params.args);
          if (!cache || readOperations.has(operation)) return query(args);
          const { __internalParams } = params as { __internalParams?: { transaction?: unknown } };
          return cache.write({ model, operation, args, inTransaction: Boolean(__internalParams?.transaction) }, () => query(args));
        },
      },
    });
    const withModels = withQueries.$extends({
      name: "query-cache",
      model: {
        $allModels: {
          aggregate<T, A>(this: T, args: Prisma.Exact<A, WithCacheStrategy<T, "aggregate">>): Prisma.PrismaPromise<Prisma.Result<T, A, "aggregate">> {
            return cachedRead(cache, this, "aggregate", args);
          },
          count<T, A>(this: T, args?: Prisma.Exact<A, WithCacheStrategy<T, "count">>): Prisma.PrismaPromise<Prisma.Result<T, A, "count">> {
            return cachedRead(cache, this, "count", args);
          },
          findFirst<T, A>(this: T, args?: Prisma.Exact<A, WithCacheStrategy<T, "findFirst">>): Prisma.PrismaPromise<Prisma.Result<T, A, "findFirst"> | null> {
            return cachedRead(cache, this, "findFirst", args);
          },
          findFirstOrThrow<T, A>(this: T, args?: Prisma.Exact<A, WithCacheStrategy<T, "findFirstOrThrow">>): Prisma.PrismaPromise<Prisma.Result<T, A, "findFirstOrThrow">> {
            return cachedRead(cache, this, "findFirstOrThrow", args);
          },
          findMany<T, A>(this: T, args?: Prisma.Exact<A, WithCacheStrategy<T, "findMany">>): Prisma.PrismaPromise<Prisma.Result<T, A, "findMany">> {
            return cachedRead(cache, this, "findMany", args);
          },
          findUnique<T, A>(this: T, args: Prisma.Exact<A, WithCacheStrategy<T, "findUnique">>): Prisma.PrismaPromise<Prisma.Result<T, A, "findUnique"> | null> {
            return cachedRead(cache, this, "findUnique", args);
          },
          findUniqueOrThrow<T, A>(this: T, args: Prisma.Exact<A, WithCacheStrategy<T, "findUniqueOrThrow">>): Prisma.PrismaPromise<Prisma.Result<T, A, "findUniqueOrThrow">> {
            return cachedRead(cache, this, "findUniqueOrThrow", args);
          },
          groupBy<T, A>(this: T, args: Prisma.Exact<A, WithCacheStrategy<T, "groupBy">>): Prisma.PrismaPromise<Prisma.Result<T, A, "groupBy">> {
            return cachedRead(cache, this, "groupBy", args);
          },
        },
      },
    });
    return withModels.$extends({
      name: "query-cache",
      client: {
        $cache: {
          /** Drops every cached result that carries one of `tags`, in every process. */
          invalidate: async ({ tags }: { tags: ReadonlyArray<string> }) => cache?.invalidate(tags),
          stats: (): CacheStats => cache?.stats() ?? disabledStats,
        },
        // Writes inside a transaction invalidate once it has committed, not before.
        $transaction: ((...args: unknown[]) => {
          const parent = withModels as unknown as { $transaction: (...args: unknown[]) => Promise<unknown> };
          return cache ? cache.transaction(() => parent.$transaction(...args)) : parent.$transaction(...args);
        }) as typeof withModels.$transaction,
      },
    });
  });
}

type PrismaPromiseFactory = {
  /**
   * How Prisma builds every model method's promise: lazy, and told the transaction it runs in (an interactive
   * one, the batch of `$transaction([...])`) or undefined. A cached read needs that answer before it may use the cache.
   */
  _createPrismaPromise<T>(run: (transaction?: unknown) => T | Promise<T>): Prisma.PrismaPromise<T>;
};

/**
 * A read with a cacheStrategy, answered from the cache without entering Prisma's request pipeline (its extension
 * chain and result walk cost more than the hit itself); a miss, or a read inside a transaction, goes on to the
 * model below with the cacheStrategy removed.
 */
function cachedRead<T>(cache: QueryCache | null, model: unknown, operation: string, args: unknown): Prisma.PrismaPromise<T> {
  const { $name, $parent } = Prisma.getExtensionContext(model) as unknown as {
    $name: string;
    $parent: PrismaPromiseFactory & Record<string, Record<string, (args: unknown) => Prisma.PrismaPromise<T>>>;
  };
  const below = $parent[$name]!;
  const cacheStrategy = (args as PrismaCacheStrategy | undefined)?.cacheStrategy;
  if (!cache || cacheStrategy === undefined) return below[operation]!(args);
  const forwarded = withoutCacheStrategy(args);
  const described = { model: $name, operation, args: forwarded, inTransaction: false };
  return $parent._createPrismaPromise((transaction) =>
    transaction ? below[operation]!(forwarded) : (cache.read(described, cacheStrategy, (next) => below[operation]!(next)) as Promise<T>),
  );
}

/** The arguments Prisma itself is given; an object copied only when it has a cacheStrategy to drop. */
function withoutCacheStrategy(args: unknown): unknown {
  if ((args as PrismaCacheStrategy | undefined)?.cacheStrategy === undefined) return args;
  const { cacheStrategy: _dropped, ...rest } = args as PrismaCacheStrategy & Record<string, unknown>;
  return rest;
}
