// The data layer's factory: settings in, clients out. lib/prisma.ts keeps one per process; benchmarks and tests
// build their own from the same code, so they measure and check what the app runs.
import { readReplicas } from "@prisma/extension-read-replicas";
import { withQueryCache } from "prisma-query-cache";
import { createAdapter, reachesReplicas } from "#db/adapter";
import { PrismaClient } from "#db/client";
import { cacheSettings, type CacheSettings } from "@/lib/db/cache/settings";
import { databaseSettings, type DatabaseSettings } from "@/lib/db/pool-config";
import { telemetryOptions, withTelemetry } from "@/lib/db/telemetry/client";

export function createDatabase({ cache: cacheOverrides, ...overrides }: Partial<DatabaseSettings> & { cache?: Partial<CacheSettings> } = {}) {
  const settings = { ...databaseSettings(), ...overrides };
  const urls = [settings.url, ...(reachesReplicas ? settings.replicaUrls : [])];
  const pools = urls.map((url) => createAdapter({ ...settings, url }));
  // "minimal" skips capturing a stack trace on every query for the code frame of an error message: ~5% of a read.
  // An interactive transaction waits for its connection as long as a query does (DB_POOL_ACQUIRE_TIMEOUT_MS), not
  // Prisma's 2 s: a little longer, so that the pool's own timeout, which answers 503, comes first. 0 waits as long
  // as it takes; Prisma needs a number, so the longest wait the env accepts.
  const transactionOptions = { maxWait: (settings.pool.connectionTimeoutMillis || 600_000) + 1_000 };
  const [primary, ...replicas] = pools.map(({ adapter }) =>
    withTelemetry(new PrismaClient({ adapter, errorFormat: "minimal", transactionOptions, ...telemetryOptions(settings) })),
  );
  // With replicas, reads outside a transaction go to one of them and everything else to the primary. The extended
  // client keeps PrismaClient's API; with no replicas there is nothing to extend.
  const routed = replicas.length ? (primary!.$extends(readReplicas({ replicas })) as unknown as PrismaClient) : primary!;
  // Last, so that reads it serves skip the replicas too and the queries inside a transaction still reach it. On the
  // edge runtimes the package's edge build has no cache: `cacheStrategy` is accepted and ignored there.
  const prisma = routed.$extends(withQueryCache({ ...cacheSettings(settings.pool.max), ...cacheOverrides }));
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

export type Database = ReturnType<typeof createDatabase>;
/** The client every operation in lib/ takes: whatever extensions lib/prisma.ts applies, PrismaClient's API. */
export type Db = Database["prisma"];
