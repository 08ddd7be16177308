// Where cached results live: bentocache over an in-memory L1 bounded in bytes and, with Redis, a shared L2.
import { Semaphore } from "async-mutex";
import { BentoCache, bentostore } from "bentocache";
import { MemoryDriver } from "bentocache/drivers/memory";
import { redisDriver } from "bentocache/drivers/redis";
import type { GetSetFactoryContext } from "bentocache/types";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { copyResult } from "./copy.ts";
import { prismaValueSerializer } from "./serializer.ts";
import { entryBytes, flat } from "./size.ts";

export type Store = ReturnType<typeof createStore>;

/** The cache failed (Redis, or a result it could not copy), not the query: the caller may still answer from the database. */
export class StoreFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

type Outcome = { value: unknown; loaded: boolean };

/** bentocache's entry as L1 holds it: the value itself, not its JSON (see copy.ts). */
type Entry = { value: unknown; createdAt: number; logicalExpiration: number };

/**
 * bentocache copies an entry it found in L2 into L1 still serialised, even with an unserialised L1; decoded here
 * once, so that L1 holds entries of one kind.
 */
class DecodedMemoryDriver extends MemoryDriver {
  override set(key: string, value: unknown, ttl?: number) {
    // The driver's own signature says text; with `serialize: false` it holds whatever it is given.
    return super.set(key, (typeof value === "string" ? prismaValueSerializer.deserialize(value) : value) as string, ttl);
  }
}

export function createStore({ l1MaxBytes, redis, backgroundRefreshes }: { l1MaxBytes: number; redis?: Redis; backgroundRefreshes: number }) {
  let evictions = 0;
  // The LRU is built here rather than by the driver so that it can be bounded in bytes and evictions counted.
  const l1 = new LRUCache<string, Entry>({
    maxSize: l1MaxBytes,
    sizeCalculation: (entry, key) => entryBytes(key, entry.value),
    // One entry may take at most an eighth of L1, so a huge result cannot flush everything else.
    maxEntrySize: Math.max(1, Math.floor(l1MaxBytes / 8)),
    // The clock read on every check: by default lru-cache caches it and re-arms a 1 ms timer to forget it, which
    // wakes a busy server's event loop every millisecond.
    ttlResolution: 0,
    dispose: (_value, _key, reason) => {
      if (reason === "evict") evictions++;
    },
  });
  let store = bentostore().useL1Layer({
    options: { serialize: false },
    // The LRU's type is the driver's (text); with `serialize: false` it holds entries. No prefix in L1 (only Redis is
    // shared), so that the driver's keys are the LRU's, which the miss and hit paths below read and write directly.
    factory: (config: object) => new DecodedMemoryDriver({ ...config, prefix: undefined, cacheInstance: l1 as unknown as LRUCache<string, string> }),
  });
  if (redis) store = store.useL2Layer(redisDriver({ connection: redis }));
  const bento = new BentoCache({
    default: "queries",
    stores: { queries: store },
    // Only L2 (Redis) holds text.
    serializer: prismaValueSerializer,
    // A broken L2 is skipped, never an error: the result comes from the database instead.
    suppressL2Errors: true,
  });
  // Stale results are refreshed a few at a time. Entries stored together expire together, and refreshing them all at
  // once put hundreds of queries in the pool's queue, ahead of the requests that needed a connection, while the
  // stale results they replace were still good enough to serve.
  const refreshes = new Semaphore(backgroundRefreshes);
  // Loads in progress, by key: concurrent misses on one key wait for the same query, then copy what L1 kept.
  const loading = new Map<string, { done: Promise<Outcome>; kept?: unknown }>();

  /**
   * A miss with nothing in L1 and no L2 to ask: the query runs once for every concurrent caller and a copy of its
   * result goes straight into L1, in bentocache's own entry format. bentocache's getOrSet costs several times more
   * than that (it resolves its options and takes a lock on every call), and every step here is paid by every miss.
   */
  const loadIntoL1 = (key: string, ttl: number, grace: number, load: () => Promise<unknown>): Promise<Outcome> => {
    const running = loading.get(key);
    if (running !== undefined) return running.done.then(() => ({ value: copyResult(running.kept), loaded: false }));
    const started: { done: Promise<Outcome>; kept?: unknown } = {
      done: load().then(
        (value) => {
          loading.delete(key);
          try {
            started.kept = copyResult(value);
            const now = Date.now();
            l1.set(key, { value: started.kept, createdAt: now, logicalExpiration: now + ttl }, { ttl: ttl + grace });
          } catch (error) {
            throw new StoreFailure(error);
          }
          return { value, loaded: true };
        },
        (error: unknown) => {
          loading.delete(key);
          throw error;
        },
      ),
    };
    loading.set(key, started);
    return started.done;
  };

  /**
   * A result found stale in Redis only, refreshed in the background a few at a time and once per key, however many
   * callers it serves meanwhile.
   */
  const refreshing = new Set<string>();
  const refresh = (key: string, ttl: number, grace: number, load: () => Promise<unknown>) => {
    if (refreshing.has(key)) return;
    refreshing.add(key);
    refreshes
      .runExclusive(load)
      // No copy: no caller holds this result.
      .then((value) => bento.set({ key, value, ttl, grace }))
      // The stale result is served until its grace ends; a later read tries again.
      .catch(() => {})
      .finally(() => refreshing.delete(key));
  };

  /** A stale result (grace, for swr), or one that may be in L2: bentocache's getOrSet. */
  const loadThroughBento = async (key: string, ttl: number, grace: number, timeout: 0 | null, load: () => Promise<unknown>): Promise<Outcome> => {
    // Only an answer that is what `load` returned counts as loaded.
    let produced: { value: unknown; copy: unknown } | undefined;
    let stale: { value: unknown } | undefined;
    let failure: { error: unknown } | undefined;
    const factory = async ({ gracedEntry, skip }: GetSetFactoryContext) => {
      // Handed a stale result (only with the soft timeout off): the caller gets it, a refresh is queued.
      if (gracedEntry !== undefined && grace > 0) {
        stale = gracedEntry;
        refresh(key, ttl, grace, load);
        return skip();
      }
      let value: unknown;
      try {
        value = await load();
      } catch (error) {
        failure = { error };
        throw error;
      }
      produced = { value, copy: copyResult(value) };
      return produced.copy;
    };
    let stored: unknown;
    try {
      stored = await bento.getOrSet({ key, ttl, grace: grace || false, timeout, factory });
    } catch (error) {
      if (failure) throw failure.error;
      throw new StoreFailure(error);
    }
    if (stale !== undefined) return { value: copyResult(stale.value), loaded: false };
    if (produced !== undefined && produced.copy === stored) return { value: produced.value, loaded: true };
    return { value: copyResult(stored), loaded: false };
  };

  return {
    bento,
    /**
     * The result under `key`, and whether this caller's `load` produced it. Every caller gets an object of its own:
     * the one that loaded gets the query's result and the cache keeps a copy, the others get copies of that copy
     * (copy.ts). It rejects with what `load` threw, or with a StoreFailure when the cache itself failed. A fresh L1
     * hit needs none of bentocache's machinery.
     */
    getOrLoad(key: string, { ttl, grace }: { ttl: number; grace: number }, load: () => Promise<unknown>): Promise<Outcome> {
      const entry = l1.get(key);
      if (entry !== undefined && Date.now() < entry.logicalExpiration) return Promise.resolve({ value: copyResult(entry.value), loaded: false });
      // Every path from here may store the key.
      key = flat(key);
      if (entry === undefined && !redis) return loadIntoL1(key, ttl, grace, load);
      // Stale in L1 within its grace: bentocache answers with it at once (soft timeout 0) and refreshes it in the
      // background, holding the key's lock meanwhile, so that the other callers get it at once too.
      if (entry !== undefined && grace > 0) return loadThroughBento(key, ttl, grace, 0, () => refreshes.runExclusive(load));
      // Maybe in Redis, maybe stale there. bentocache's background refresh of such a result cannot be told from the
      // load of a miss, which must not wait for a refresh's turn: the soft timeout is off, so that the factory is handed
      // the stale result (`gracedEntry`) and refreshes it a few at a time itself.
      return loadThroughBento(key, ttl, grace, null, load);
    },
    /** Bytes as the heap holds them (size.ts), entries, and how many were evicted to stay within the bound. */
    l1: () => ({ bytes: l1.calculatedSize, maxBytes: l1MaxBytes, entries: l1.size, evictions }),
    close: () => bento.disconnect(),
  };
}
