// The cache as a Node.js process runs it: L1 in memory, Redis when configured, the NOTIFY listener when on.
import { Redis } from "ioredis";
import { memoryGenerations, redisGenerations, type Generations } from "./generations.ts";
import { modelGraph } from "./invalidation.ts";
import { startNotifyListener, type NotifyListener } from "./listener.ts";
import { reporter, type Report } from "./logger.ts";
import { createQueryCache, type RunningQueryCache } from "./query-cache.ts";
import { createStore } from "./store.ts";
import type { QueryCacheOptions, RuntimeDataModel } from "./types.ts";

export const defaults = {
  l1MaxBytes: 64 * 1024 * 1024,
  applicationName: "prisma-query-cache",
  // A quarter of a pool of 10, node-postgres's default: the rest stays free for the requests.
  backgroundRefreshes: 2,
};

export function startQueryCache(options: QueryCacheOptions, dataModel: RuntimeDataModel): RunningQueryCache | null {
  const { enabled = true, redisUrl, notifyUrl, logger } = options;
  if (!enabled) return null;
  const settings = { ...defaults, ...withoutUndefined(options) };
  const report = reporter(logger);
  const graph = modelGraph(dataModel);
  const shared = redisUrl ? connectRedis(redisUrl, report) : undefined;
  const generations = shared?.generations ?? memoryGenerations();
  const commands = shared?.commands;
  const store = createStore({ l1MaxBytes: settings.l1MaxBytes, redis: commands, backgroundRefreshes: settings.backgroundRefreshes });
  let listener: NotifyListener | undefined;
  const cache = createQueryCache({
    store,
    generations,
    graph,
    report,
    listening: notifyUrl ? () => listener?.up() ?? false : undefined,
    redisStatus: commands ? () => (commands.status === "ready" && generations.ready() ? "ready" : "down") : undefined,
    close: async () => listener?.close(),
  });
  if (notifyUrl) {
    listener = startNotifyListener({
      url: notifyUrl,
      applicationName: settings.applicationName,
      report,
      onTables: (tables) => void cache.invalidateTables(tables),
      onUp: () => cache.invalidateAll(),
    });
  }
  return cache;
}

/** Options left undefined take their defaults, as a spread alone would not do. */
const withoutUndefined = <T extends object>(options: T) =>
  Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;

/**
 * The Redis every process shares: a connection for commands (L2 and the counters) and one subscribed to the
 * counters' channel. Commands fail fast while Redis is away: a read must not wait for it, it goes to the database.
 */
export function connectRedis(redisUrl: string, report: Report): { commands: Redis; generations: Generations } {
  const options = { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000, connectTimeout: 2_000 };
  const retryStrategy = (attempt: number) => Math.min(2_000, 50 * 2 ** attempt);
  const commands = new Redis(redisUrl, { ...options, retryStrategy });
  const subscriber = new Redis(redisUrl, { ...options, enableOfflineQueue: true, commandTimeout: undefined, retryStrategy });
  // Once per outage, not once per reconnect attempt.
  let reported = false;
  for (const client of [commands, subscriber]) {
    client.on("error", (error: Error) => {
      if (!reported) report(`redis unreachable, reads bypass the cache: ${error.message}`);
      reported = true;
    });
    client.on("ready", () => (reported = false));
  }
  return { commands, generations: redisGenerations(commands, subscriber) };
}
