// The query cache in this process, on real PostgreSQL and a real redis-server: what a write, a transaction, a
// write from outside the app and a failing Redis or listener do to what reads return.
import { Decimal } from "@prisma/client/runtime/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../../../scripts/support/postgres-admin";
import { startRedis, type RunningRedis } from "../../../scripts/support/redis-server";
import { eventually } from "../../../tests/support/eventually";
import type { QueryCacheOptions } from "../src/index.ts";
import { createSchemaDatabase, openClient, type OpenClient, type TestClient } from "./support/client";
import { startFreezableRelay } from "./support/frozen-path";

let db: TestDatabase;
let admin: pg.Client;
const opened: OpenClient[] = [];
const applicationName = `cache-test-${process.pid}`;
const logged: string[] = [];

beforeAll(async () => {
  db = await createSchemaDatabase("cache_client");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});
afterAll(async () => {
  await Promise.allSettled(opened.map((client) => client.close()));
  await admin?.end();
  await db?.drop();
});

const open = async (options: QueryCacheOptions = {}, { logQueries = false } = {}) => {
  const client = await openClient(db.url, { applicationName, logger: { error: (line) => logged.push(line) }, ...options }, { logQueries });
  opened.push(client);
  return client;
};

/** A client whose cache is ready: Redis synced and the listener listening, when it has them. */
const openTrusted = async (options: QueryCacheOptions) => {
  const { prisma } = await open(options);
  await eventually(async () => prisma.$cache.stats().trusted, (trusted) => trusted, "cache ready");
  return prisma;
};

const ttl = { ttl: 300 };
const newAuthor = (prisma: TestClient) => prisma.author.create({ data: { name: "original" } });

/**
 * Stale results that `filler` stored, all refreshed at once by `reader`'s callers: the refreshes must leave the
 * reader's pool free for the requests.
 */
async function refreshWave(filler: TestClient, reader: OpenClient) {
  const authors = [];
  for (let i = 0; i < 400; i += 50) authors.push(...(await Promise.all(Array.from({ length: 50 }, () => newAuthor(filler)))));
  const ids = authors.map((author) => author.id);
  // findFirst: Prisma merges the findUniques of one tick into one statement, which would hide how many refreshes run.
  const read = (client: TestClient, id: string) =>
    client.author.findFirst({ where: { id }, include: { posts: true }, cacheStrategy: { ttl: 1, swr: 300 } });
  for (const id of ids) await read(filler, id);
  // Changed behind the cache (no listener here): only a refresh brings the new name.
  await admin.query("update authors set name = 'refreshed' where id = any($1::uuid[])", [ids]);
  await new Promise((resolve) => setTimeout(resolve, 1_100));

  let mostWaiting = 0;
  const sample = setInterval(() => (mostWaiting = Math.max(mostWaiting, reader.pool.waitingCount)), 1);
  try {
    // Ten callers reading all of them over and over, as a busy server does, until every one has been refreshed.
    // A hit answers without I/O: each caller lets timers and sockets run between reads, as a server's requests do.
    const fresh = new Set<string>();
    await Promise.all(
      Array.from({ length: 10 }, async (_, worker) => {
        for (let k = worker; fresh.size < ids.length; k += 10) {
          const id = ids[k % ids.length]!;
          if ((await read(reader.prisma, id))?.name === "refreshed") fresh.add(id);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    );
  } finally {
    clearInterval(sample);
  }
  // Two refreshes at a time (the default, a quarter of this pool's 10) leave the pool free: no request waited.
  expect(mostWaiting).toBe(0);
}

describe("in one process", () => {
  it("reads its own writes: plain, nested, in interactive and batch transactions, raw SQL", async () => {
    const { prisma } = await open();
    const author = await newAuthor(prisma);
    const read = () => prisma.author.findUnique({ where: { id: author.id }, include: { posts: true }, cacheStrategy: ttl });
    const hitsBefore = prisma.$cache.stats().hits;
    await read();
    expect((await read())?.name).toBe("original");
    expect(prisma.$cache.stats().hits).toBe(hitsBefore + 1);

    await prisma.author.update({ where: { id: author.id }, data: { name: "updated" } });
    expect((await read())?.name).toBe("updated");

    // A nested write changes posts through the author: the read that includes them sees it.
    await prisma.author.update({ where: { id: author.id }, data: { posts: { create: { title: "first" } } } });
    expect((await read())?.posts?.map((post) => post.title)).toEqual(["first"]);
    // A write to the post alone reaches the author read too, through its include.
    await prisma.post.updateMany({ where: { authorId: author.id }, data: { title: "renamed" } });
    expect((await read())?.posts?.map((post) => post.title)).toEqual(["renamed"]);

    await prisma.$transaction(async (tx) => {
      await tx.author.update({ where: { id: author.id }, data: { name: "in interactive" } });
      // Not committed: reads outside the transaction still get the committed row, reads inside get their own.
      expect((await read())?.name).toBe("updated");
      expect((await tx.author.findUnique({ where: { id: author.id }, cacheStrategy: ttl }))?.name).toBe("in interactive");
    });
    expect((await read())?.name).toBe("in interactive");

    await prisma.$transaction([prisma.author.update({ where: { id: author.id }, data: { name: "in batch" } })]);
    expect((await read())?.name).toBe("in batch");

    await prisma.$executeRaw`update authors set name = 'raw' where id = ${author.id}::uuid`;
    expect((await read())?.name).toBe("raw");

    // A rolled-back transaction changes nothing and the cache keeps answering.
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.author.update({ where: { id: author.id }, data: { name: "rolled back" } });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect((await read())?.name).toBe("raw");

    // Reads inside a transaction, interactive or batch, never touch the cache: a change the cache cannot know of
    // (this client has no listener) shows there, while the same read outside still gets the cached row.
    const plainRead = () => prisma.author.findUnique({ where: { id: author.id }, cacheStrategy: ttl });
    expect((await plainRead())?.name).toBe("raw");
    await admin.query("update authors set name = 'unseen' where id = $1", [author.id]);
    expect((await plainRead())?.name).toBe("raw");
    expect((await prisma.$transaction([plainRead()]))[0]?.name).toBe("unseen");
    expect((await prisma.$transaction((tx) => tx.author.findUnique({ where: { id: author.id }, cacheStrategy: ttl })))?.name).toBe("unseen");
  });

  it("caches count, aggregate and groupBy, and a delete's cascade invalidates the models below it", async () => {
    const { prisma } = await open();
    const author = await prisma.author.create({ data: { name: "c", posts: { create: [{ title: "a" }, { title: "b" }] } } });
    const where = { authorId: author.id };
    const count = () => prisma.post.count({ where, cacheStrategy: ttl });
    const grouped = () => prisma.post.groupBy({ by: ["authorId"], where, _count: { _all: true }, cacheStrategy: ttl });
    const aggregate = () => prisma.post.aggregate({ where, _max: { title: true }, cacheStrategy: ttl });
    expect(await count()).toBe(2);
    expect((await grouped())[0]?._count).toEqual({ _all: 2 });
    expect((await aggregate())._max?.title).toBe("b");
    await prisma.author.delete({ where: { id: author.id } });
    expect(await count()).toBe(0);
    expect(await grouped()).toEqual([]);
    expect((await aggregate())._max?.title).toBeNull();
  });

  it("runs one database query for 200 concurrent misses on one key", async () => {
    // The client's own query log counts every statement sent to PostgreSQL.
    const { prisma, base } = await open({}, { logQueries: true });
    let statements = 0;
    base.$on("query", () => statements++);
    const author = await prisma.author.create({ data: { name: "s" } });

    statements = 0;
    const reads = await Promise.all(Array.from({ length: 200 }, () => prisma.author.findUnique({ where: { id: author.id }, cacheStrategy: ttl })));
    expect(reads.every((row) => row?.name === "s")).toBe(true);
    expect(statements).toBe(1);
  });

  it("keeps a 404 too: a read that finds nothing is answered from the cache the second time", async () => {
    const { prisma, base } = await open({}, { logQueries: true });
    let statements = 0;
    base.$on("query", () => statements++);
    const missing = () => prisma.author.findUnique({ where: { id: "00000000-0000-4000-8000-000000000000" }, cacheStrategy: ttl });
    expect(await missing()).toBeNull();
    expect(await missing()).toBeNull();
    expect(statements).toBe(1);
    // And a create of that row invalidates it like any other read of the model.
    await prisma.author.create({ data: { id: "00000000-0000-4000-8000-000000000000", name: "found" } });
    expect((await missing())?.name).toBe("found");
  });

  it("refreshes a wave of stale results a few at a time, never queueing on the pool ahead of requests", async () => {
    const client = await open();
    await refreshWave(client.prisma, client);
  });

  it("hears a write made outside the app (psql) through the NOTIFY triggers", async () => {
    const { prisma } = await open({ notifyUrl: db.url });
    await eventually(async () => prisma.$cache.stats().listener, (state) => state === "up", "listener");
    const author = await newAuthor(prisma);
    const read = () => prisma.author.findUnique({ where: { id: author.id }, cacheStrategy: ttl });
    await read();
    expect((await read())?.name).toBe("original");
    await admin.query("update authors set name = 'from psql' where id = $1", [author.id]);
    await eventually(async () => (await read())?.name, (name) => name === "from psql", "read after an outside write");
    // And it is cached again afterwards: a read answered from the cache with the new value. A notification of
    // the author's own writes may still arrive after the first new read and cost one more miss.
    const cachedHit = async () => {
      const hits = prisma.$cache.stats().hits;
      const name = (await read())?.name;
      return name === "from psql" && prisma.$cache.stats().hits === hits + 1;
    };
    await eventually(cachedHit, (hit) => hit, "a cached read of the new value");
  });

  it("closes with the client: after $disconnect reads answer from the database, uncached", async () => {
    const { prisma } = await open({ notifyUrl: db.url });
    await eventually(async () => prisma.$cache.stats().listener, (state) => state === "up", "listener");
    const listeners = () =>
      admin.query("select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = $2", [db.name, "closing-client"]);
    const closing = await open({ notifyUrl: db.url, applicationName: "closing-client" });
    await eventually(async () => (await listeners()).rows[0].n, (n) => n === 1, "the listener's connection");
    await closing.prisma.$disconnect();
    await eventually(async () => (await listeners()).rows[0].n, (n) => n === 0, "the listener's connection closed");
    expect(closing.prisma.$cache.stats().enabled).toBe(false);
    const author = await newAuthor(prisma);
    expect((await closing.prisma.author.findUnique({ where: { id: author.id }, cacheStrategy: ttl }))?.name).toBe("original");
  });
});

describe("with Redis", () => {
  let redis: RunningRedis | undefined;
  afterAll(async () => {
    await redis?.stop();
  });

  it("serves one client what another stored, from Redis, with every type Prisma returned and no query", async () => {
    redis = await startRedis();
    const [a, b] = [await openTrusted({ redisUrl: redis.url }), await openTrusted({ redisUrl: redis.url })];
    const author = await newAuthor(a);
    const post = await a.post.create({
      data: { title: "typed", authorId: author.id, views: 9_007_199_254_740_993n, rating: new Decimal("4.25"), cover: new Uint8Array([1, 2, 255]) },
    });
    const read = (client: TestClient) => client.post.findUnique({ where: { id: post.id }, cacheStrategy: ttl });
    await read(a);
    // Changed behind both clients' backs: only a value that came from Redis can still be "typed".
    await admin.query("update posts set title = 'unseen' where id = $1", [post.id]);
    const { hits, misses } = b.$cache.stats();
    const fromRedis = await read(b);
    expect(fromRedis?.title).toBe("typed");
    expect(fromRedis?.createdAt).toBeInstanceOf(Date);
    expect(fromRedis?.createdAt).toEqual(post.createdAt);
    expect(fromRedis?.views).toBe(9_007_199_254_740_993n);
    expect(Decimal.isDecimal(fromRedis?.rating) && fromRedis.rating.equals("4.25")).toBe(true);
    expect(fromRedis?.cover).toEqual(new Uint8Array([1, 2, 255]));
    expect(b.$cache.stats()).toMatchObject({ hits: hits + 1, misses });
    // Now in b's own memory too.
    expect((await read(b))?.createdAt).toEqual(fromRedis?.createdAt);
    expect(b.$cache.stats().hits).toBe(hits + 2);
  });

  it("refreshes a wave of stale results that only Redis holds a few at a time too", async () => {
    redis ??= await startRedis();
    const filler = await openTrusted({ redisUrl: redis.url });
    // Its memory holds none of the results, as a server process started after they were stored: they are stale in
    // Redis only.
    const reader = await open({ redisUrl: redis.url });
    await eventually(async () => reader.prisma.$cache.stats().trusted, (trusted) => trusted, "cache ready");
    await refreshWave(filler, reader);
  });
});

describe("when Redis or the listener fails", () => {
  let redis: RunningRedis | undefined;
  afterAll(async () => {
    await redis?.stop();
  });

  it("answers every request correctly from the database, and caches again once they are back", async () => {
    redis = await startRedis();
    const options = { redisUrl: redis.url, notifyUrl: db.url };
    const [a, b] = [await openTrusted(options), await openTrusted(options)];
    const author = await newAuthor(a);
    const read = (client: TestClient) => client.author.findUnique({ where: { id: author.id }, cacheStrategy: ttl });

    // One writer (a) counts up; reads in a must never see less than what a last wrote, and nothing fails.
    let written = 0;
    let failures = 0;
    let stale = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        const next = written + 1;
        await a.author.update({ where: { id: author.id }, data: { name: String(next) } }).catch(() => failures++);
        written = next;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const reader = (client: TestClient, own: boolean) =>
      (async () => {
        while (!stop) {
          const floor = written;
          const row = await read(client).catch(() => (failures++, null));
          if (own && row && Number(row.name) < floor && row.name !== "original") stale++;
          // A hit answers without I/O; let timers and sockets run between reads.
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
    const load = Promise.all([writer, reader(a, true), reader(a, true), reader(b, false)]);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

    logged.length = 0;
    await settle();
    await redis.stop();
    await eventually(async () => a.$cache.stats().redis, (state) => state === "down", "redis seen down");
    await settle();
    redis = await startRedis({ port: redis.port });
    for (const client of [a, b]) {
      await eventually(async () => client.$cache.stats(), (stats) => stats.trusted && stats.redis === "ready", "redis back");
    }
    await settle();

    const listeners = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = $2",
      [db.name, applicationName],
    );
    // Both of these clients' listeners, and any an earlier test left open.
    expect(listeners.rowCount).toBeGreaterThanOrEqual(2);
    await settle();
    for (const client of [a, b]) {
      await eventually(async () => client.$cache.stats(), (stats) => stats.trusted && stats.listener === "up", "listener back");
    }
    await settle();
    stop = true;
    await load;

    expect(failures).toBe(0);
    expect(stale).toBe(0);
    // Each outage was reported through the logger given, once per client, with no connection string in it.
    expect(logged.filter((line) => line.includes("redis unreachable")).length).toBeGreaterThanOrEqual(2);
    expect(logged.filter((line) => line.includes("NOTIFY listener lost")).length).toBeGreaterThanOrEqual(2);
    expect(logged.every((line) => line.startsWith("prisma-query-cache: "))).toBe(true);
    // Quiet now: both processes agree with the database, and serve it from the cache.
    const { rows } = await admin.query("select name from authors where id = $1", [author.id]);
    // A late NOTIFY of the load's last writes may still drop what a read just stored: then the next one stores it again.
    for (const client of [a, b]) {
      const servedFromCache = async () => {
        const hits = client.$cache.stats().hits;
        const name = (await read(client))?.name;
        return { name, hit: client.$cache.stats().hits === hits + 1 };
      };
      await eventually(servedFromCache, ({ name, hit }) => name === rows[0].name && hit, "the database's answer, from the cache");
    }
  });

  it("notices a listener connection gone silent (no FIN), bypasses the cache, and LISTENs again on a new one", async () => {
    const relay = await startFreezableRelay(db.url);
    try {
      const prisma = await openTrusted({ notifyUrl: relay.url });
      const author = await newAuthor(prisma);
      const read = () => prisma.author.findUnique({ where: { id: author.id }, cacheStrategy: ttl });
      await read();
      logged.length = 0;

      // The server is still there, but nothing the listener sends or awaits arrives: the NOTIFY of this change is lost.
      relay.freeze();
      await admin.query("update authors set name = 'changed unheard' where id = $1", [author.id]);
      await eventually(async () => prisma.$cache.stats(), (stats) => stats.listener === "down" && !stats.trusted, "listener seen down", 30_000);
      const bypasses = prisma.$cache.stats().bypasses;
      expect((await read())?.name).toBe("changed unheard");
      expect(prisma.$cache.stats().bypasses).toBe(bypasses + 1);
      expect(logged.some((line) => line.includes("NOTIFY listener lost"))).toBe(true);

      // A new connection goes through: listening again, the cache serves and hears changes once more.
      await eventually(async () => prisma.$cache.stats(), (stats) => stats.listener === "up" && stats.trusted, "listener back", 30_000);
      expect((await read())?.name).toBe("changed unheard");
      await admin.query("update authors set name = 'heard' where id = $1", [author.id]);
      await eventually(async () => (await read())?.name, (name) => name === "heard", "the change heard through the new connection");
    } finally {
      await relay.close();
    }
  });
});
