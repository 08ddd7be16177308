// What a read or a write does with the cache: serve or store a read under a key that names its generations,
// invalidate a write's models once it has committed, bypass everything the cache cannot vouch for.
import { AsyncLocalStorage } from "node:async_hooks";
import { everyTag, type Generations } from "./generations.ts";
import { modelsForTables, modelsRead, modelsWritten, type ModelGraph } from "./invalidation.ts";
import { queryKey } from "./keys.ts";
import type { Report } from "./logger.ts";
import { StoreFailure, type Store } from "./store.ts";
import type { CacheStats, CacheStrategy, QueryCache } from "./types.ts";

type Parts = {
  store: Store;
  generations: Generations;
  graph: ModelGraph;
  report: Report;
  /** Whether the NOTIFY listener is listening; absent when it is off. */
  listening?: () => boolean;
  redisStatus?: () => "ready" | "down";
  close?: () => Promise<void>;
};

// One string per model, made once: a read builds its tags on every call.
const modelTags = new Map<string, string>();
const modelTag = (model: string) => modelTags.get(model) ?? modelTags.set(model, `model:${model}`).get(model)!;
const userTag = (tag: string) => `tag:${tag}`;
const tagPattern = /^[\w:.-]{1,64}$/;

const validSeconds = (name: string, value: unknown) => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 31_536_000) {
    throw new TypeError(`cacheStrategy.${name} must be a number of seconds from 0 to 31536000`);
  }
  return value;
};

export function validStrategy({ ttl = 0, swr = 0, tags = [] }: CacheStrategy) {
  if (!Array.isArray(tags) || tags.length > 5 || !tags.every((tag) => typeof tag === "string" && tagPattern.test(tag))) {
    throw new TypeError("cacheStrategy.tags must be at most 5 tags of 1 to 64 characters from A-Z a-z 0-9 _ : . -");
  }
  return { ttl: validSeconds("ttl", ttl), swr: validSeconds("swr", swr), tags: tags as string[] };
}

export type RunningQueryCache = QueryCache & {
  /** Tables a NOTIFY named, changed by any client. */
  invalidateTables: (tables: string[]) => Promise<void>;
  invalidateAll: () => Promise<void>;
};

export function createQueryCache({ store, generations, graph, report, listening, redisStatus, close }: Parts): RunningQueryCache {
  const counts = { hits: 0, misses: 0, bypasses: 0, invalidations: 0, errors: 0 };
  // Tags written inside the transaction the current async context runs in.
  const pending = new AsyncLocalStorage<Set<string>>();
  const trusted = () => generations.ready() && (listening?.() ?? true);

  const invalidate = async (tags: Iterable<string>) => {
    const list = [...tags];
    if (list.length === 0) return;
    counts.invalidations += list.length;
    try {
      await generations.bump(list);
    } catch {
      // Generations no longer ready: reads bypass the cache until a resync has invalidated everything.
      counts.errors++;
    }
  };

  const tagsOf = (models: Set<string> | null) => (models ? [...models].map(modelTag) : [everyTag]);

  return {
    async read({ model, operation, args, inTransaction }, strategy, run, fill = run) {
      const { ttl, swr, tags } = validStrategy(strategy);
      // Accelerate caches nothing without a ttl or swr, and a transaction must see its own uncommitted rows.
      if ((ttl === 0 && swr === 0) || inTransaction || !trusted()) {
        if (!inTransaction && (ttl > 0 || swr > 0)) counts.bypasses++;
        return run(args);
      }
      const keyTags: string[] = [];
      for (const read of modelsRead(graph, model!, args)) keyTags.push(modelTag(read));
      for (const tag of tags) keyTags.push(userTag(tag));
      // The generations are read before the query runs: see generations.ts.
      const key = `${queryKey(model!, operation, args)}@${generations.token(keyTags)}`;
      try {
        const { value, loaded } = await store.getOrLoad(key, { ttl: Math.max(1, ttl * 1000), grace: swr * 1000 }, () => fill(args));
        if (loaded) counts.misses++;
        else counts.hits++;
        return value;
      } catch (error) {
        if (!(error instanceof StoreFailure)) throw error;
        counts.errors++;
        report(`read answered from the database: ${error.message}`);
        return run(args);
      }
    },

    async write({ model, operation, args, inTransaction }, run) {
      const models = modelsWritten(graph, model, operation, args);
      if (models?.size === 0) return run();
      const tags = tagsOf(models);
      const buffer = inTransaction ? pending.getStore() : undefined;
      try {
        return await run();
      } finally {
        // A failed statement may still have committed (a connection lost after COMMIT): invalidate either way.
        if (buffer) for (const tag of tags) buffer.add(tag);
        else await invalidate(tags);
      }
    },

    async transaction(run) {
      const buffer = new Set<string>();
      try {
        return await pending.run(buffer, run);
      } finally {
        await invalidate(buffer);
      }
    },

    invalidate: async (tags) => {
      const { tags: valid } = validStrategy({ tags });
      return invalidate(valid.map(userTag));
    },

    stats: (): CacheStats => {
      const { evictions, ...l1 } = store.l1();
      return {
        enabled: true,
        trusted: trusted(),
        ...counts,
        evictions,
        l1,
        redis: redisStatus?.() ?? "off",
        listener: listening ? (listening() ? "up" : "down") : "off",
      };
    },

    invalidateTables: (tables) => invalidate(tagsOf(modelsForTables(graph, tables))),
    invalidateAll: () => invalidate([everyTag]),
    ready: async (timeoutMs) => {
      for (const deadline = Date.now() + timeoutMs; !trusted() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
      return trusted();
    },
    close: async () => {
      await close?.();
      await store.close();
      generations.close();
    },
  };
}
