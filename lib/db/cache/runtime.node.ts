// The cache as a Node.js process runs it: L1 in memory, Redis when configured, the NOTIFY listener when on.
import { Redis } from "ioredis";
import { memoryGenerations, redisGenerations, type Generations } from "@/lib/db/cache/generations";
import { modelGraph } from "@/lib/db/cache/invalidation";
import { startNotifyListener, type NotifyListener } from "@/lib/db/cache/listener";
import { createQueryCache, type RunningQueryCache } from "@/lib/db/cache/query-cache";
import type { CacheSettings } from "@/lib/db/cache/settings";
import { createStore } from "@/lib/db/cache/store";
import { redact } from "@/lib/redact";

type DataModel = Parameters<typeof modelGraph>[0];

export function createCache(settings: CacheSettings, dataModel: DataModel): RunningQueryCache | null {
  if (!settings.enabled) return null;
  const graph = modelGraph(dataModel);
  let generations: Generations = memoryGenerations();
  let commands: Redis | undefined;
  if (settings.redisUrl) {
    // Fail fast while Redis is away: a read must not wait for it, it goes to the database instead.
    const options = { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000, connectTimeout: 2_000 };
    const retryStrategy = (attempt: number) => Math.min(2_000, 50 * 2 ** attempt);
    commands = new Redis(settings.redisUrl, { ...options, retryStrategy });
    const subscriber = new Redis(settings.redisUrl, { ...options, enableOfflineQueue: true, commandTimeout: undefined, retryStrategy });
    // Once per outage, not once per reconnect attempt.
    let reported = false;
    for (const client of [commands, subscriber]) {
      client.on("error", (error: Error) => {
        if (!reported) console.error(`cache: redis unreachable, reads bypass the cache: ${redact(error.message)}`);
        reported = true;
      });
      client.on("ready", () => (reported = false));
    }
    generations = redisGenerations(commands, subscriber);
  }
  const store = createStore({ l1MaxBytes: settings.l1MaxBytes, redis: commands, backgroundRefreshes: settings.backgroundRefreshes });
  let listener: NotifyListener | undefined;
  const cache = createQueryCache({
    store,
    generations,
    graph,
    listening: settings.notifyUrl ? () => listener?.up() ?? false : undefined,
    redisStatus: commands ? () => (commands.status === "ready" && generations.ready() ? "ready" : "down") : undefined,
    close: async () => listener?.close(),
  });
  if (settings.notifyUrl) {
    listener = startNotifyListener({
      url: settings.notifyUrl,
      applicationName: settings.applicationName,
      onTables: (tables) => void cache.invalidateTables(tables),
      onUp: () => cache.invalidateAll(),
    });
  }
  return cache;
}
