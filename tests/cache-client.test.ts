// The query cache in this process, on real PostgreSQL and a real redis-server: what a write, a transaction, a
// write from outside the app and a failing Redis or listener do to what reads return.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startRedis, type RunningRedis } from "../scripts/support/redis-server";
import { createTestDatabase } from "./support/db";
import { eventually } from "./support/eventually";
import type { TestDatabase } from "../scripts/support/postgres-admin";

let db: TestDatabase;
let admin: pg.Client;
let lib: typeof import("@/lib/db/client");
const opened: { close: () => Promise<void> }[] = [];
const applicationName = `cache-test-${process.pid}`;

beforeAll(async () => {
  db = await createTestDatabase("cache_client");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  vi.stubEnv("DATABASE_URL", db.url);
  vi.stubEnv("DB_APPLICATION_NAME", applicationName);
  lib = await import("@/lib/db/client");
});
afterAll(async () => {
  await Promise.allSettled(opened.map((database) => database.close()));
  await admin?.end();
  await db?.drop();
});

type CacheOverrides = NonNullable<Parameters<typeof import("@/lib/db/client").createDatabase>[0]>["cache"];
const open = (cache: CacheOverrides = {}) => {
  const database = lib.createDatabase({ cache: { redisUrl: undefined, notifyUrl: undefined, ...cache } });
  opened.push(database);
  return database;
};

/** A client whose cache is ready: Redis synced and the listener listening, when it has them. */
const openTrusted = async (cache: CacheOverrides) => {
  const { prisma } = open(cache);
  await eventually(async () => prisma.$cache.stats().trusted, (trusted) => trusted, "cache ready");
  return prisma;
};

const ttl = { ttl: 300 };
let slugs = 0;
const newProject = (prisma: import("@/lib/db/client").Db) =>
  prisma.project.create({ data: { slug: `p-${process.pid}-${slugs++}`, name: "original" } });

/**
 * Stale results that `filler` stored, all refreshed at once by `reader`'s callers: the refreshes must leave the
 * reader's pool free for the requests.
 */
async function refreshWave(filler: import("@/lib/db/client").Db, reader: import("@/lib/db/client").Database) {
  const projects = [];
  for (let i = 0; i < 400; i += 50) projects.push(...(await Promise.all(Array.from({ length: 50 }, () => newProject(filler)))));
  const ids = projects.map((project) => project.id);
  // findFirst: Prisma merges the findUniques of one tick into one statement, which would hide how many refreshes run.
  const read = (client: typeof filler, id: string) =>
    client.project.findFirst({ where: { id }, include: { characters: true }, cacheStrategy: { ttl: 1, swr: 300 } });
  for (const id of ids) await read(filler, id);
  // Changed behind the cache (no listener here): only a refresh brings the new name.
  await admin.query("update projects set name = 'refreshed' where id = any($1::uuid[])", [ids]);
  await new Promise((resolve) => setTimeout(resolve, 1_100));

  let mostWaiting = 0;
  const sample = setInterval(() => (mostWaiting = Math.max(mostWaiting, reader.poolStats()!.waiting)), 1);
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
  // Two refreshes at a time (a quarter of the pool's 10) leave the pool free: no request waited for a connection.
  expect(mostWaiting).toBe(0);
}

describe("in one process", () => {
  it("reads its own writes: plain, nested, in interactive and batch transactions, raw SQL", async () => {
    const { prisma } = open();
    const project = await newProject(prisma);
    const read = () => prisma.project.findUnique({ where: { id: project.id }, include: { characters: true }, cacheStrategy: ttl });
    const hitsBefore = prisma.$cache.stats().hits;
    await read();
    expect((await read())?.name).toBe("original");
    expect(prisma.$cache.stats().hits).toBe(hitsBefore + 1);

    await prisma.project.update({ where: { id: project.id }, data: { name: "updated" } });
    expect((await read())?.name).toBe("updated");

    // A nested write changes characters through the project: the read that includes them sees it.
    await prisma.project.update({ where: { id: project.id }, data: { characters: { create: { name: "hero" } } } });
    expect((await read())?.characters.map((character) => character.name)).toEqual(["hero"]);
    // A write to the character alone reaches the project read too, through its include.
    await prisma.character.updateMany({ where: { projectId: project.id }, data: { name: "villain" } });
    expect((await read())?.characters.map((character) => character.name)).toEqual(["villain"]);

    await prisma.$transaction(async (tx) => {
      await tx.project.update({ where: { id: project.id }, data: { name: "in interactive" } });
      // Not committed: reads outside the transaction still get the committed row, reads inside get their own.
      expect((await read())?.name).toBe("updated");
      expect((await tx.project.findUnique({ where: { id: project.id }, cacheStrategy: ttl }))?.name).toBe("in interactive");
    });
    expect((await read())?.name).toBe("in interactive");

    await prisma.$transaction([prisma.project.update({ where: { id: project.id }, data: { name: "in batch" } })]);
    expect((await read())?.name).toBe("in batch");

    await prisma.$executeRaw`update projects set name = 'raw' where id = ${project.id}::uuid`;
    expect((await read())?.name).toBe("raw");

    // A rolled-back transaction changes nothing and the cache keeps answering.
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.project.update({ where: { id: project.id }, data: { name: "rolled back" } });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect((await read())?.name).toBe("raw");

    // Reads inside a transaction, interactive or batch, never touch the cache: a change the cache cannot know of
    // (this client has no listener) shows there, while the same read outside still gets the cached row.
    const plainRead = () => prisma.project.findUnique({ where: { id: project.id }, cacheStrategy: ttl });
    expect((await plainRead())?.name).toBe("raw");
    await admin.query("update projects set name = 'unseen' where id = $1", [project.id]);
    expect((await plainRead())?.name).toBe("raw");
    expect((await prisma.$transaction([plainRead()]))[0]?.name).toBe("unseen");
    expect((await prisma.$transaction((tx) => tx.project.findUnique({ where: { id: project.id }, cacheStrategy: ttl })))?.name).toBe("unseen");
  });

  it("caches count, aggregate and groupBy, and a delete's cascade invalidates the models below it", async () => {
    const { prisma } = open();
    const project = await prisma.project.create({
      data: { slug: `cascade-${process.pid}`, name: "c", characters: { create: [{ name: "a" }, { name: "b" }] } },
    });
    const where = { projectId: project.id };
    const count = () => prisma.character.count({ where, cacheStrategy: ttl });
    const grouped = () => prisma.character.groupBy({ by: ["projectId"], where, _count: { _all: true }, cacheStrategy: ttl });
    const aggregate = () => prisma.character.aggregate({ where, _max: { name: true }, cacheStrategy: ttl });
    expect(await count()).toBe(2);
    expect((await grouped())[0]?._count._all).toBe(2);
    expect((await aggregate())._max.name).toBe("b");
    await prisma.project.delete({ where: { id: project.id } });
    expect(await count()).toBe(0);
    expect(await grouped()).toEqual([]);
    expect((await aggregate())._max.name).toBeNull();
  });

  it("runs one database query for 200 concurrent misses on one key", async () => {
    const { PrismaClient } = await import("#db/client");
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const { createCache } = await import("#db/cache");
    const { queryCacheExtension } = await import("@/lib/db/cache/extension");
    const { cacheSettings } = await import("@/lib/db/cache/settings");
    // The client's own query log counts every statement sent to PostgreSQL.
    const base = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 20 }), log: [{ emit: "event", level: "query" }] });
    let statements = 0;
    base.$on("query", () => statements++);
    const dataModel = (base as unknown as { _runtimeDataModel: Parameters<typeof createCache>[1] })._runtimeDataModel;
    const cache = createCache({ ...cacheSettings(), redisUrl: undefined, notifyUrl: undefined }, dataModel)!;
    opened.push({ close: async () => (await cache.close(), await base.$disconnect()) });
    const prisma = base.$extends(queryCacheExtension(cache));
    const project = await prisma.project.create({ data: { slug: `stampede-${process.pid}`, name: "s" } });

    statements = 0;
    const reads = await Promise.all(
      Array.from({ length: 200 }, () => prisma.project.findUnique({ where: { id: project.id }, cacheStrategy: ttl })),
    );
    expect(reads.every((row) => row?.name === "s")).toBe(true);
    expect(statements).toBe(1);
  });

  it("refreshes a wave of stale results a few at a time, never queueing on the pool ahead of requests", async () => {
    const database = open();
    await refreshWave(database.prisma, database);
  });

  it("hears a write made outside the app (psql) through the NOTIFY triggers", async () => {
    const { prisma } = open({ notifyUrl: db.url });
    await eventually(async () => prisma.$cache.stats().listener, (state) => state === "up", "listener");
    const project = await newProject(prisma);
    const read = () => prisma.project.findUnique({ where: { id: project.id }, cacheStrategy: ttl });
    await read();
    expect((await read())?.name).toBe("original");
    await admin.query("update projects set name = 'from psql' where id = $1", [project.id]);
    await eventually(async () => (await read())?.name, (name) => name === "from psql", "read after an outside write");
    // And it is cached again afterwards: a read answered from the cache with the new value. A notification of
    // the project's own insert may still arrive after the first new read and cost one more miss.
    const cachedHit = async () => {
      const hits = prisma.$cache.stats().hits;
      const name = (await read())?.name;
      return name === "from psql" && prisma.$cache.stats().hits === hits + 1;
    };
    await eventually(cachedHit, (hit) => hit, "a cached read of the new value");
  });
});

describe("with Redis", () => {
  let redis: RunningRedis | undefined;
  afterAll(async () => {
    await redis?.stop();
  });

  it("serves one client what another stored, from Redis, with its Dates still Dates and no query", async () => {
    redis = await startRedis();
    const [a, b] = [await openTrusted({ redisUrl: redis.url }), await openTrusted({ redisUrl: redis.url })];
    const project = await newProject(a);
    const read = (client: typeof a) => client.project.findUnique({ where: { id: project.id }, cacheStrategy: ttl });
    await read(a);
    // Changed behind both clients' backs: only a value that came from Redis can still be "original".
    await admin.query("update projects set name = 'unseen' where id = $1", [project.id]);
    const { hits, misses } = b.$cache.stats();
    const fromRedis = await read(b);
    expect(fromRedis?.name).toBe("original");
    expect(fromRedis?.createdAt).toBeInstanceOf(Date);
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
    const reader = open({ redisUrl: redis.url });
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
    const settings = { redisUrl: redis.url, notifyUrl: db.url };
    const [a, b] = [await openTrusted(settings), await openTrusted(settings)];
    const project = await newProject(a);
    const read = (client: typeof a) => client.project.findUnique({ where: { id: project.id }, cacheStrategy: ttl });

    // One writer (a) counts up; reads in a must never see less than what a last wrote, and nothing fails.
    let written = 0;
    let failures = 0;
    let stale = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        const next = written + 1;
        await a.project.update({ where: { id: project.id }, data: { name: String(next) } }).catch(() => failures++);
        written = next;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const reader = (client: typeof a, own: boolean) =>
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
      [db.name, `${applicationName}/cache-listener`],
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
    // Quiet now: both processes agree with the database, and serve it from the cache.
    const { rows } = await admin.query("select name from projects where id = $1", [project.id]);
    for (const client of [a, b]) {
      await eventually(async () => (await read(client))?.name, (name) => name === rows[0].name, "read after the load");
      const hits = client.$cache.stats().hits;
      expect((await read(client))?.name).toBe(rows[0].name);
      expect(client.$cache.stats().hits).toBe(hits + 1);
    }
  });
});
