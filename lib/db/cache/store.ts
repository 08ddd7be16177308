// Where cached results live: bentocache over an in-memory L1 bounded in bytes and, with Redis, a shared L2.
import { BentoCache, bentostore } from "bentocache";
import { MemoryDriver } from "bentocache/drivers/memory";
import { redisDriver } from "bentocache/drivers/redis";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { prismaValueSerializer } from "@/lib/db/cache/serializer";

export type Store = ReturnType<typeof createStore>;

export function createStore({ l1MaxBytes, redis }: { l1MaxBytes: number; redis?: Redis }) {
  let evictions = 0;
  // The LRU is built here rather than by the driver so that evictions can be counted.
  const l1 = new LRUCache<string, string>({
    maxSize: l1MaxBytes,
    sizeCalculation: (value, key) => Buffer.byteLength(value) + Buffer.byteLength(key),
    // One entry may take at most an eighth of L1, so a huge result cannot flush everything else.
    maxEntrySize: Math.max(1, Math.floor(l1MaxBytes / 8)),
    dispose: (_value, _key, reason) => {
      if (reason === "evict") evictions++;
    },
  });
  let store = bentostore().useL1Layer({
    options: {},
    factory: (config: object) => new MemoryDriver({ ...config, cacheInstance: l1 }),
  });
  if (redis) store = store.useL2Layer(redisDriver({ connection: redis }));
  const bento = new BentoCache({
    default: "queries",
    stores: { queries: store },
    serializer: prismaValueSerializer,
    // A broken L2 is skipped, never an error: the result comes from the database instead.
    suppressL2Errors: true,
  });
  return {
    bento,
    l1: () => ({ bytes: l1.calculatedSize, maxBytes: l1MaxBytes, entries: l1.size, evictions }),
    close: () => bento.disconnect(),
  };
}
