// The query cache over the real bentocache memory driver; the "database" is a variable the test controls, so
// that the order of a read, a commit and an invalidation can be chosen exactly.
import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryGenerations } from "../../src/generations.ts";
import { modelGraph } from "../../src/invalidation.ts";
import { createQueryCache, type RunningQueryCache } from "../../src/query-cache.ts";
import { createStore } from "../../src/store.ts";

const graph = modelGraph({
  models: {
    Project: { dbName: "projects", fields: [{ name: "characters", kind: "object", type: "Character" }] },
    Character: { dbName: "characters", fields: [{ name: "project", kind: "object", type: "Project" }] },
  },
});
const caches: RunningQueryCache[] = [];
const reported: string[] = [];
const cacheOf = (l1MaxBytes = 1024 * 1024) => {
  const store = createStore({ l1MaxBytes, backgroundRefreshes: 2 });
  const cache = createQueryCache({ store, generations: memoryGenerations(), graph, report: (message) => reported.push(message) });
  caches.push(cache);
  return { cache, store };
};
afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
});

const findProject = { model: "Project", operation: "findUnique", args: { where: { id: "1" } }, inTransaction: false };
const updateProject = { model: "Project", operation: "update", args: { where: { id: "1" }, data: { name: "new" } }, inTransaction: false };
const strategy = { ttl: 60 };

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe("query cache", () => {
  it("serves a second read from the cache, with Dates still Dates", async () => {
    const { cache } = cacheOf();
    let queries = 0;
    const row = { id: "1", name: "old", createdAt: new Date("2026-01-01T00:00:00Z") };
    const run = async () => (queries++, row);
    await cache.read(findProject, strategy, run);
    const cached = (await cache.read(findProject, strategy, run)) as typeof row;
    expect(queries).toBe(1);
    expect(cached).toEqual(row);
    expect(cached.createdAt).toBeInstanceOf(Date);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it("shares L1 with bentocache both ways: what one stores, the other finds, fresh or stale", async () => {
    const { store } = cacheOf();
    const never = async () => expect.unreachable("a stored result is not loaded again");
    await store.bento.getOrSet({ key: "by-bento", ttl: 60_000, factory: () => ({ at: new Date(0) }) });
    expect(await store.getOrLoad("by-bento", { ttl: 60_000, grace: 0 }, never)).toEqual({ value: { at: new Date(0) }, loaded: false });

    expect(await store.getOrLoad("by-store", { ttl: 60_000, grace: 0 }, async () => ({ n: 1 }))).toEqual({ value: { n: 1 }, loaded: true });
    expect(await store.bento.get({ key: "by-store" })).toEqual({ n: 1 });

    // Stale but within its grace (swr): answered with the stale result, refreshed in the background.
    await store.getOrLoad("stale", { ttl: 1, grace: 60_000 }, async () => "old");
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await store.getOrLoad("stale", { ttl: 60_000, grace: 60_000 }, async () => "new")).toEqual({ value: "old", loaded: false });
    await vi.waitFor(async () => expect((await store.getOrLoad("stale", { ttl: 60_000, grace: 0 }, never)).value).toBe("new"));
  });

  it("refreshes stale results two at a time, serving them stale meanwhile, and refreshes every one", async () => {
    const { store } = cacheOf();
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    for (const key of keys) await store.getOrLoad(key, { ttl: 1, grace: 60_000 }, async () => "old");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const database = deferred<void>();
    let running = 0;
    let most = 0;
    let refreshed = 0;
    const refresh = async () => {
      most = Math.max(most, ++running);
      await database.promise;
      running--;
      refreshed++;
      return "new";
    };
    const stale = { ttl: 60_000, grace: 60_000 };
    // Twice over, the second time while the refreshes still wait: every read is answered at once.
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(keys.map((key) => store.getOrLoad(key, stale, refresh)));
      expect(answers.every(({ value, loaded }) => value === "old" && !loaded)).toBe(true);
    }
    await vi.waitFor(() => expect(running).toBe(2));
    database.resolve();
    await vi.waitFor(() => expect(refreshed).toBe(keys.length));
    expect(most).toBe(2);
    const never = async () => expect.unreachable("a refreshed result is not loaded again");
    for (const key of keys) expect((await store.getOrLoad(key, { ttl: 60_000, grace: 0 }, never)).value).toBe("new");
  });

  it("hands every caller a copy of its own", async () => {
    const { cache } = cacheOf();
    const run = async () => ({ name: "cached", tags: ["a"], at: new Date(0) });
    const first = (await cache.read(findProject, strategy, run)) as Awaited<ReturnType<typeof run>>;
    first.name = "changed by the first caller";
    first.tags.push("b");
    first.at.setFullYear(2000);
    expect(await cache.read(findProject, strategy, run)).toEqual({ name: "cached", tags: ["a"], at: new Date(0) });
  });

  it("never lets a read that started before a commit store its older result after the invalidation", async () => {
    const { cache } = cacheOf();
    let database = "old";
    // A read reaches the database and gets the old row, but its answer is held back...
    const slowAnswer = deferred<void>();
    const queried = deferred<void>();
    const slowRead = cache.read(findProject, strategy, async () => {
      const seen = database;
      queried.resolve();
      await slowAnswer.promise;
      return { name: seen };
    });
    await queried.promise;
    // ...while a write commits and invalidates...
    await cache.write(updateProject, async () => (database = "new"));
    // ...and only then does the old answer arrive and get stored.
    slowAnswer.resolve();
    expect(await slowRead).toEqual({ name: "old" });
    // Every read from now on sees the write.
    expect(await cache.read(findProject, strategy, async () => ({ name: database }))).toEqual({ name: "new" });
    expect(await cache.read(findProject, strategy, async () => ({ name: "never asked" }))).toEqual({ name: "new" });
  });

  it("stores only what `fill` answers (a primary, under read replicas), and leaves the reads it keeps nothing of to `run`", async () => {
    const { cache } = cacheOf();
    const run = async () => ({ from: "replica" });
    const fill = async () => ({ from: "primary" });
    expect(await cache.read(findProject, { ttl: 0 }, run, fill)).toEqual({ from: "replica" });
    expect(await cache.read({ ...findProject, inTransaction: true }, strategy, run, fill)).toEqual({ from: "replica" });
    expect(await cache.read(findProject, strategy, run, fill)).toEqual({ from: "primary" });
    expect(await cache.read(findProject, strategy, run, async () => expect.unreachable("a hit"))).toEqual({ from: "primary" });
  });

  it("runs one query for many concurrent misses on one key", async () => {
    const { cache } = cacheOf();
    let queries = 0;
    const answer = deferred<void>();
    const reads = Array.from({ length: 200 }, () =>
      cache.read(findProject, strategy, async () => {
        queries++;
        await answer.promise;
        return { name: "x" };
      }),
    );
    answer.resolve();
    const rows = await Promise.all(reads);
    expect(new Set(rows.map((row) => JSON.stringify(row)))).toEqual(new Set(['{"name":"x"}']));
    // One query, but an object of its own for every caller.
    expect(new Set(rows).size).toBe(200);
    expect(queries).toBe(1);
  });


  it("passes a query's failure on as it is, and answers from the database when the cache itself fails", async () => {
    const { cache } = cacheOf();
    const failure = new Error("relation does not exist");
    await expect(cache.read(findProject, strategy, async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(cache.stats()).toMatchObject({ errors: 0, misses: 0 });

    // A result L1 cannot copy: the caller still gets an answer, from a second query.
    reported.length = 0;
    let queries = 0;
    const uncopyable = () => ({
      id: ++queries,
      get broken(): never {
        throw new Error("not copyable");
      },
    });
    const answer = (await cache.read(findProject, strategy, async () => uncopyable())) as { id: number };
    expect(answer.id).toBe(2);
    expect(cache.stats()).toMatchObject({ errors: 1, misses: 0 });
    expect(reported).toEqual(["read answered from the database: not copyable"]);
  });
  it("buffers a transaction's invalidations until it ends", async () => {
    const { cache } = cacheOf();
    let database = "old";
    const read = () => cache.read(findProject, strategy, async () => ({ name: database }));
    await read();
    await cache.transaction(async () => {
      await cache.write({ ...updateProject, inTransaction: true }, async () => (database = "uncommitted"));
      // Not committed yet: the cache still answers with what was committed.
      expect(await read()).toEqual({ name: "old" });
    });
    expect(await read()).toEqual({ name: "uncommitted" });
  });

  it("never touches the cache for reads inside a transaction", async () => {
    const { cache } = cacheOf();
    await cache.read(findProject, strategy, async () => ({ name: "cached" }));
    expect(await cache.read({ ...findProject, inTransaction: true }, strategy, async () => ({ name: "in tx" }))).toEqual({ name: "in tx" });
  });

  it("invalidates by user tag, and rejects tags Accelerate would", async () => {
    const { cache } = cacheOf();
    const tagged = { ttl: 60, tags: ["project:1"] };
    let value = 1;
    await cache.read(findProject, tagged, async () => ({ value }));
    value = 2;
    expect(await cache.read(findProject, tagged, async () => ({ value }))).toEqual({ value: 1 });
    await cache.invalidate(["project:1"]);
    expect(await cache.read(findProject, tagged, async () => ({ value }))).toEqual({ value: 2 });
    await expect(cache.invalidate(["has space"])).rejects.toThrow(/cacheStrategy.tags/);
    await expect(cache.read(findProject, { ttl: -1 }, async () => 1)).rejects.toThrow(/cacheStrategy.ttl/);
  });

  it("is ready at once without Redis or a listener, and says when it is not after the time it was given", async () => {
    const { cache } = cacheOf();
    expect(await cache.ready(0)).toBe(true);
    let listening = false;
    const store = createStore({ l1MaxBytes: 1024 * 1024, backgroundRefreshes: 2 });
    const waiting = createQueryCache({ store, generations: memoryGenerations(), graph, report: () => {}, listening: () => listening });
    caches.push(waiting);
    expect(await waiting.ready(50)).toBe(false);
    setTimeout(() => (listening = true), 20);
    expect(await waiting.ready(10_000)).toBe(true);
  });

  it("keeps L1 within its bound with 100,000 distinct keys", async () => {
    const maxBytes = 256 * 1024;
    const { cache, store } = cacheOf(maxBytes);
    let largest = 0;
    for (let i = 0; i < 100_000; i++) {
      await store.bento.set({ key: `Project.findUnique:${i}`, value: { id: i, name: `project ${i}`.padEnd(100, ".") }, ttl: 60_000 });
      if (i % 1000 === 0) largest = Math.max(largest, store.l1().bytes);
    }
    const { bytes, entries, evictions } = store.l1();
    expect(Math.max(largest, bytes)).toBeLessThanOrEqual(maxBytes);
    expect(entries).toBeGreaterThan(100);
    expect(evictions).toBeGreaterThan(90_000);
    expect(cache.stats().evictions).toBe(evictions);
  }, 300_000);
});
