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
  let l1Driver: MemoryDriver | undefined;
  let store = bentostore().useL1Layer({
    options: {},
    factory: (config: object) => (l1Driver = new MemoryDriver({ ...config, cacheInstance: l1 })),
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
    /**
     * A fresh result straight from L1, or undefined. bentocache's getOrSet costs several times more than the lookup
     * itself (it resolves its options on every call); a fresh L1 hit needs none of its machinery, and anything
     * else (stale, missing, in L2 only) still goes through getOrSet.
     */
    peek(key: string): { value: unknown } | undefined {
      const text = l1Driver?.get(key);
      if (typeof text !== "string") return undefined;
      const entry = prismaValueSerializer.deserialize(text) as { value?: unknown; logicalExpiration?: unknown } | null;
      if (typeof entry?.logicalExpiration !== "number" || !("value" in entry) || Date.now() >= entry.logicalExpiration) return undefined;
      return { value: entry.value };
    },
    l1: () => ({ bytes: l1.calculatedSize, maxBytes: l1MaxBytes, entries: l1.size, evictions }),
    close: () => bento.disconnect(),
  };
}
