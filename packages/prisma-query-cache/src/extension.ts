// Accelerate's `cacheStrategy` on a self-hosted cache: the same argument on the same eight reads, typed the same
// way, so code written for `withAccelerate()` moves over by swapping the extension. This module holds the
// extension and its types only, and loads no Node.js module (the edge build uses it too); what a read or a write does
// with the cache is the QueryCache's job.
import { Prisma } from "@prisma/client/extension";
import type { Types } from "@prisma/client/runtime/client";
import { readOperations } from "./invalidation.ts";
import type { CacheStats, CacheStrategy, PrismaCacheStrategy, QueryCache, RuntimeDataModel } from "./types.ts";

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
 * The extension around the cache `start` builds from the client's schema (null: none, e.g. on the edge). Apply it
 * last: an interactive transaction's client is built from the client this extension wraps, so extensions applied
 * after it would not reach the queries inside a transaction.
 */
export function cacheExtension(start: (dataModel: RuntimeDataModel) => QueryCache | null, { sendToGateway = false } = {}) {
  return Prisma.defineExtension((client) => {
    // Null once `$disconnect()` has closed it: reads go to the database from then on, and nothing reconnects.
    const state = { cache: start(dataModelOf(client)) };
    const withQueries = client.$extends({
      name: "query-cache",
      query: {
        // Cached reads are answered by the model methods below, before Prisma's request pipeline; what reaches
        // this point is a write, or a read the cache leaves to the database.
        $allOperations(params) {
          const { model, operation, query } = params;
          const args = withoutCacheStrategy(params.args);
          const { cache } = state;
          if (!cache && sendToGateway) sendCacheStrategy(params, (params.args as PrismaCacheStrategy | undefined)?.cacheStrategy);
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
            return cachedRead(state.cache, this, "aggregate", args);
          },
          count<T, A>(this: T, args?: Prisma.Exact<A, WithCacheStrategy<T, "count">>): Prisma.PrismaPromise<Prisma.Result<T, A, "count">> {
            return cachedRead(state.cache, this, "count", args);
          },
          findFirst<T, A>(this: T, args?: Prisma.Exact<A, WithCacheStrategy<T, "findFirst">>): Prisma.PrismaPromise<Prisma.Result<T, A, "findFirst"> | null> {
            return cachedRead(state.cache, this, "findFirst", args);
          },
          findFirstOrThrow<T, A>(this: T, args?: Prisma.Exact<A, WithCacheStrategy<T, "findFirstOrThrow">>): Prisma.PrismaPromise<Prisma.Result<T, A, "findFirstOrThrow">> {
            return cachedRead(state.cache, this, "findFirstOrThrow", args);
          },
          findMany<T, A>(this: T, args?: Prisma.Exact<A, WithCacheStrategy<T, "findMany">>): Prisma.PrismaPromise<Prisma.Result<T, A, "findMany">> {
            return cachedRead(state.cache, this, "findMany", args);
          },
          findUnique<T, A>(this: T, args: Prisma.Exact<A, WithCacheStrategy<T, "findUnique">>): Prisma.PrismaPromise<Prisma.Result<T, A, "findUnique"> | null> {
            return cachedRead(state.cache, this, "findUnique", args);
          },
          findUniqueOrThrow<T, A>(this: T, args: Prisma.Exact<A, WithCacheStrategy<T, "findUniqueOrThrow">>): Prisma.PrismaPromise<Prisma.Result<T, A, "findUniqueOrThrow">> {
            return cachedRead(state.cache, this, "findUniqueOrThrow", args);
          },
          groupBy<T, A>(this: T, args: Prisma.Exact<A, WithCacheStrategy<T, "groupBy">>): Prisma.PrismaPromise<Prisma.Result<T, A, "groupBy">> {
            return cachedRead(state.cache, this, "groupBy", args);
          },
        },
      },
    });
    const parent = withModels as unknown as {
      $transaction: (...args: unknown[]) => Promise<unknown>;
      $connect: () => Promise<void>;
      $disconnect: () => Promise<void>;
    };
    const withCache = withModels.$extends({
      name: "query-cache",
      client: {
        $cache: {
          /** Drops every cached result that carries one of `tags`, in every process. */
          invalidate: async ({ tags }: { tags: ReadonlyArray<string> }): Promise<void> => state.cache?.invalidate(tags),
          stats: (): CacheStats => state.cache?.stats() ?? disabledStats,
        },
        /**
         * Connects the client, then waits until the cache serves reads (Redis synced, the listener listening), for at
         * most 5 s: until then, reads bypass it.
         */
        async $connect(): Promise<void> {
          await parent.$connect();
          await state.cache?.ready(5_000);
        },
        /** Closes the cache's connections (Redis, the listener), then the client's. */
        async $disconnect(): Promise<void> {
          const closing = state.cache;
          state.cache = null;
          await closing?.close();
          await parent.$disconnect();
        },
      },
    });
    // Writes inside a transaction invalidate once it has committed, not before. Typed as `{ name }` so that the
    // client keeps its own `$transaction` type, whose callback is handed the schema's typed models.
    const transactions = {
      name: "query-cache",
      client: {
        $transaction: (...args: unknown[]) => {
          const { cache } = state;
          return cache ? cache.transaction(() => parent.$transaction(...args)) : parent.$transaction(...args);
        },
      },
    };
    return withCache.$extends(transactions as { name: string });
  });
}

/** The schema's models, which the automatic tags are derived from; every generated client carries them. */
const dataModelOf = (client: unknown) => (client as { _runtimeDataModel: RuntimeDataModel })._runtimeDataModel;

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
  type Models = Record<string, Record<string, (args: unknown) => Prisma.PrismaPromise<T>>>;
  const { $name, $parent } = Prisma.getExtensionContext(model) as unknown as {
    $name: string;
    $parent: PrismaPromiseFactory & Models & { $primary?: () => Models };
  };
  const below = $parent[$name]!;
  const cacheStrategy = (args as PrismaCacheStrategy | undefined)?.cacheStrategy;
  if (!cache || cacheStrategy === undefined) return below[operation]!(args);
  const forwarded = withoutCacheStrategy(args);
  const described = { model: $name, operation, args: forwarded, inTransaction: false };
  // Under @prisma/extension-read-replicas, a read whose answer the cache stores is sent to the primary: a replica
  // that has not yet replayed a write would store the old answer, after the write's invalidation, for its ttl.
  const fill = $parent.$primary?.()[$name] ?? below;
  return $parent._createPrismaPromise((transaction) =>
    transaction
      ? below[operation]!(forwarded)
      : (cache.read(described, cacheStrategy, (next) => below[operation]!(next), (next) => fill[operation]!(next)) as Promise<T>),
  );
}

type Fetch = (url: string, init: { headers?: Record<string, string> } & Record<string, unknown>) => Promise<unknown>;

/**
 * A read's cacheStrategy as the headers @prisma/extension-accelerate sends with it, for a prisma-gateway (or
 * Accelerate) to cache it: a client with an `accelerateUrl` sends each query through the fetch this wraps. A client
 * with a driver adapter never calls it.
 */
function sendCacheStrategy(params: unknown, strategy: CacheStrategy | undefined) {
  if (!strategy) return;
  const control = [
    ...(typeof strategy.ttl === "number" ? [`max-age=${strategy.ttl}`] : []),
    ...(typeof strategy.swr === "number" ? [`stale-while-revalidate=${strategy.swr}`] : []),
  ].join(",");
  const tags = strategy.tags?.join(",") ?? "";
  const headers: Record<string, string> = { "cache-control": control || "no-cache", ...(tags && { "accelerate-cache-tags": tags }) };
  const internal = (params as { __internalParams?: { customDataProxyFetch?: (fetch: Fetch) => Fetch } }).__internalParams;
  if (internal) internal.customDataProxyFetch = (fetch) => (url, init) => fetch(url, { ...init, headers: { ...init.headers, ...headers } });
}

/** The arguments Prisma itself is given; an object copied only when it has a cacheStrategy to drop. */
function withoutCacheStrategy<T>(args: T): T {
  if ((args as PrismaCacheStrategy | undefined)?.cacheStrategy === undefined) return args;
  const { cacheStrategy: _dropped, ...rest } = args as PrismaCacheStrategy & Record<string, unknown>;
  return rest as T;
}
