// The data layer's factory: settings in, clients out. lib/prisma.ts keeps one per process; benchmarks and tests
// build their own from the same code, so they measure and check what the app runs.
import { readReplicas } from "@prisma/extension-read-replicas";
import { withQueryCache } from "prisma-query-cache";
import { createAdapter, reachesReplicas } from "#db/adapter";
import { PrismaClient } from "#db/client";
import { batchesAcrossRequests, gatewayUrl } from "#db/gateway";
import { cacheSettings, type CacheSettings } from "@/lib/db/cache/settings";
import { databaseSettings, type DatabaseSettings, type PoolStats } from "@/lib/db/pool-config";
import { commentedAdapter, commentOptions, telemetryOptions, withTelemetry } from "@/lib/db/telemetry/client";
import { withTransactionStartState } from "@/lib/db/transaction-start";

export function createDatabase({
  cache: cacheOverrides,
  gateway = gatewayUrl(),
  ...overrides
}: Partial<DatabaseSettings> & { cache?: Partial<CacheSettings>; gateway?: string } = {}) {
  const settings = { ...databaseSettings(), ...overrides };
  if (gateway) return createGatewayDatabase(gateway, settings, cacheOverrides);
  const urls = [settings.url, ...(reachesReplicas ? settings.replicaUrls : [])];
  const pools = urls.map((url) => createAdapter({ ...settings, url }));
  // "minimal" skips capturing a stack trace on every query for the code frame of an error message: ~5% of a read.
  // An interactive transaction waits for its connection as long as a query does (DB_POOL_ACQUIRE_TIMEOUT_MS), not
  // Prisma's 2 s: a little longer, so that the pool's own timeout, which answers 503, comes first. 0 waits as long
  // as it takes; Prisma needs a number, so the longest wait the env accepts.
  const transactionOptions = { maxWait: (settings.pool.connectionTimeoutMillis || 600_000) + 1_000 };
  const [primary, ...replicas] = pools.map(({ adapter }) =>
    withTelemetry(new PrismaClient({ adapter: commentedAdapter(adapter, settings), errorFormat: "minimal", transactionOptions, ...telemetryOptions() })),
  );
  // With replicas, reads outside a transaction go to one of them and everything else to the primary. The extended
  // client keeps PrismaClient's API; with no replicas there is nothing to extend.
  const routed = replicas.length ? (primary!.$extends(readReplicas({ replicas })) as unknown as PrismaClient) : primary!;
  // Last, so that reads it serves skip the replicas too and the queries inside a transaction still reach it. On the
  // edge runtimes the package's edge build has no cache: `cacheStrategy` is accepted and ignored there.
  const cached = routed.$extends(withQueryCache({ ...cacheSettings(settings.pool.max), ...cacheOverrides }));
  const prisma = withTransactionStartState(cached, pools[0]!.acquireState);
  return {
    prisma,
    /** The primary alone, for a read that must see a write just made (replicas lag behind it). */
    primary: primary!,
    poolStats: pools[0]!.poolStats,
    /** Finishes what is running, then closes every connection (the cache's with the client's). */
    close: async () => {
      await prisma.$disconnect();
      await Promise.all(pools.map(({ closePool }) => closePool()));
    },
  };
}

// Through a prisma-gateway the client holds no connection: it compiles each query and posts the plan. The pool,
// its stats and replicas are the gateway's; the extensions are the same as over a driver adapter.
function createGatewayDatabase(accelerateUrl: string, settings: DatabaseSettings, cacheOverrides?: Partial<CacheSettings>) {
  // The gateway's own transaction wait is the bound; the client's is set past it, so that the gateway's answer (a
  // 503 for a busy pool) comes first, as with the pool's own acquire timeout above.
  const transactionOptions = { maxWait: (settings.pool.connectionTimeoutMillis || 600_000) + 1_000 };
  // Query events would be shipped back with every answer; the gateway logs its own slow statements. There is no
  // adapter here to add the SQL comments: Prisma's own `comments` option writes them into the plans it sends.
  const client = new PrismaClient({ accelerateUrl, errorFormat: "minimal", transactionOptions, ...commentOptions(settings) });
  if (!batchesAcrossRequests) sendEachQueryAlone(client);
  const primary = withTelemetry(client);
  const prisma = primary.$extends(withQueryCache({ ...cacheSettings(settings.pool.max), ...cacheOverrides }));
  return {
    prisma,
    primary,
    poolStats: (): PoolStats | null => null,
    close: () => prisma.$disconnect(),
  };
}

// Prisma Client's batching (its DataLoader: findUnique calls of one tick, an interactive transaction's queries) sent
// off from one request's context. Every query then goes out at once, from the request that made it. Internal to
// Prisma Client 7.10, pinned exactly; the workerd tests of concurrent requests fail if it moves.
function sendEachQueryAlone(client: PrismaClient) {
  const handler = (client as unknown as { _requestHandler?: { dataloader?: { options?: { batchBy?: unknown } } } })._requestHandler;
  if (!handler?.dataloader?.options) throw new Error("Prisma Client's request batching is not where it was in 7.10: see lib/db/client.ts");
  handler.dataloader.options.batchBy = () => undefined;
}

export type Database = ReturnType<typeof createDatabase>;
/** The client every operation in lib/ takes: whatever extensions lib/prisma.ts applies, PrismaClient's API. */
export type Db = Database["prisma"];
