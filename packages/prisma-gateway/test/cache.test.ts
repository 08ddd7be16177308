// The shared cache as Accelerate's clients use it: the app's generated Prisma Client with `withAccelerate()` from
// @prisma/extension-accelerate, against two `bun run gateway` processes sharing one redis-server and gateways in this
// process, on the run's PostgreSQL (its migrations install the cache_notify triggers) as a role with a password.
import { randomBytes } from "node:crypto";
import { withAccelerate } from "@prisma/extension-accelerate";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../../../lib/generated/prisma/client";
import { startRedis, type RunningRedis } from "../../../scripts/support/redis-server";
import { eventually } from "../../../tests/support/eventually";
import { withQueryCache as withEdgeQueryCache } from "../../prisma-query-cache/src/edge";
import { gatewaySettings, startGateway, type Gateway } from "../src/index";
import { gatewayFixture, type Fixture, type GatewayProcess } from "./support/fixture";

let fixture: Fixture;
let key: string;
let password: string;
let roleUrl: string;
let admin: pg.Client;
let db: Fixture["db"];
// psql's part in the race: sessions of its own, as another service's would be.
let others: pg.Pool;
let redis: RunningRedis;
const ids: string[] = [];
let cleanups: Fixture["cleanups"];
const spawnGateway = (name: string, env: Record<string, string>) => fixture.spawnGateway(name, env);

const accelerated = (port: string | number) => {
  const client = new PrismaClient({ accelerateUrl: `prisma+postgres://127.0.0.1:${port}/?api_key=${key}` }).$extends(withAccelerate());
  cleanups.push(() => client.$disconnect());
  return client;
};
type Accelerated = ReturnType<typeof accelerated>;

// findFirst, not findUnique: Prisma Client sends the findUnique calls of one tick as one batch, which carries no
// cacheStrategy, and the race below makes many at once.
const readName = (client: Accelerated, id: string) =>
  client.project.findFirst({ where: { id }, select: { name: true }, cacheStrategy: { ttl: 300, tags: [`project:${id.slice(0, 8)}`] } }).withAccelerateInfo();
const listNames = (client: Accelerated) =>
  client.project.findMany({ orderBy: { slug: "asc" }, select: { slug: true, name: true }, cacheStrategy: { ttl: 300, swr: 60, tags: ["list"] } }).withAccelerateInfo();
const databaseName = async (id: string) => (await admin.query("select name from projects where id = $1", [id])).rows[0].name as string;
const databaseList = async () => (await admin.query("select slug, name from projects order by slug")).rows as { slug: string; name: string }[];

const gatewayWith = async (env: Record<string, string>): Promise<Gateway> => {
  const gateway = await startGateway(gatewaySettings({ DATABASE_URL: roleUrl, GATEWAY_PORT: "0", GATEWAY_API_KEYS: `test:${key}`, ...env }));
  cleanups.push(() => gateway.close(1_000));
  // Until it has read the foreign keys (and its listener listens), every read bypasses the cache.
  if (gateway.stats().cache) await eventually(async () => gateway.stats().cache?.trusted, Boolean, "cache trusted");
  return gateway;
};

beforeAll(async () => {
  // A role of its own with a SCRAM password: a secret the logs must never show.
  fixture = await gatewayFixture("gateway_cache");
  ({ key, password, roleUrl, admin, db, cleanups } = fixture);
  others = new pg.Pool({ connectionString: db.url, max: 3 });
  cleanups.push(() => others.end());
  for (let i = 0; i < 5; i++) {
    const { rows } = await admin.query("insert into projects (id, slug, name, updated_at) values (gen_random_uuid(), $1, $2, now()) returning id", [`p${i}`, `start ${i}`]);
    ids.push(rows[0].id);
  }
  redis = await startRedis();
  cleanups.push(() => redis.stop());
});

afterAll(() => fixture?.close());

describe("a withAccelerate() client on one gateway", () => {
  let gateway: Gateway;
  let prisma: Accelerated;
  beforeAll(async () => {
    gateway = await gatewayWith({});
    prisma = accelerated(gateway.port);
  });

  it("caches a read with a cacheStrategy, and only such a read", async () => {
    const id = ids[0]!;
    expect((await readName(prisma, id)).info?.cacheStatus).toBe("miss");
    const hit = await readName(prisma, id);
    expect(hit.info?.cacheStatus).toBe("ttl");
    expect(hit.data?.name).toBe("start 0");
    expect(hit.info?.lastModified.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const uncached = await prisma.project.findFirst({ where: { id }, select: { name: true } }).withAccelerateInfo();
    expect(uncached.info?.cacheStatus).toBe("none");
    // Raw SQL may read what its text does not name (a view, a function): never cached.
    const before = gateway.stats().cache!;
    await prisma.$queryRaw`select name from projects where id = ${id}::uuid`;
    expect(gateway.stats().cache!.hits).toBe(before.hits);
  });

  it("reads its own write: a write through the gateway invalidates the tables it touched before it answers", async () => {
    const id = ids[1]!;
    await readName(prisma, id);
    await prisma.project.update({ where: { id }, data: { name: "renamed" } });
    const read = await readName(prisma, id);
    expect(read.info?.cacheStatus).toBe("miss");
    expect(read.data?.name).toBe("renamed");
    // A committed interactive transaction too.
    await prisma.$transaction(async (tx) => tx.project.update({ where: { id }, data: { name: "in a transaction" } }));
    expect((await readName(prisma, id)).data?.name).toBe("in a transaction");
  });

  it("reads its own delete where a foreign key cascaded it: the characters of a deleted project", async () => {
    // No listener: the NOTIFY from the characters' trigger cannot be what invalidates them.
    const prisma = accelerated((await gatewayWith({ GATEWAY_CACHE_LISTEN_NOTIFY: "false" })).port);
    const { id } = await prisma.project.create({ data: { slug: `cascade-${randomBytes(3).toString("hex")}`, name: "c", characters: { create: [{ name: "hero" }] } } });
    const characters = () => prisma.character.findMany({ where: { projectId: id }, select: { name: true }, cacheStrategy: { ttl: 300 } }).withAccelerateInfo();
    await characters();
    expect((await characters()).info?.cacheStatus).toBe("ttl");
    // The delete's SQL names projects alone; PostgreSQL deletes the characters.
    await prisma.project.delete({ where: { id } });
    const after = await characters();
    expect([after.info?.cacheStatus, after.data]).toEqual(["miss", []]);
  });

  it("hears a write from psql through the cache_notify triggers", async () => {
    const id = ids[2]!;
    await readName(prisma, id);
    expect((await readName(prisma, id)).info?.cacheStatus).toBe("ttl");
    await admin.query("update projects set name = 'from psql' where id = $1", [id]);
    await eventually(async () => (await readName(prisma, id)).data?.name, (name) => name === "from psql", "after psql's write");
  });

  it("drops entries by tag with $accelerate.invalidate, and everything with invalidateAll", async () => {
    const id = ids[3]!;
    await readName(prisma, id);
    await listNames(prisma);
    expect((await listNames(prisma)).info?.cacheStatus).toBe("ttl");
    await prisma.$accelerate.invalidate({ tags: ["list"] });
    expect((await listNames(prisma)).info?.cacheStatus).toBe("miss");
    expect((await readName(prisma, id)).info?.cacheStatus).toBe("ttl");
    await prisma.$accelerate.invalidateAll();
    expect((await readName(prisma, id)).info?.cacheStatus).toBe("miss");
    await expect(prisma.$accelerate.invalidate({ tags: ["not a tag!"] })).rejects.toThrow(/400/);
  });

  it("refuses a malformed cache-control or tag list with 400", async () => {
    const id = ids[0]!;
    await expect(prisma.project.findFirst({ where: { id }, cacheStrategy: { ttl: -1 } })).rejects.toThrow(/cache-control/);
    await expect(prisma.project.findFirst({ where: { id }, cacheStrategy: { ttl: 5, tags: ["a b"] } })).rejects.toThrow(/accelerate-cache-tags/);
  });

  it("caches the app's edge client's reads: prisma-query-cache's edge build sends the cacheStrategy on", async () => {
    const edge = new PrismaClient({ accelerateUrl: gateway.accelerateUrl(key) }).$extends(withEdgeQueryCache());
    cleanups.push(() => edge.$disconnect());
    const id = ids[4]!;
    const read = () => edge.project.findFirst({ where: { id }, select: { name: true }, cacheStrategy: { ttl: 60, tags: ["edge"] } });
    const before = gateway.stats().cache!;
    expect(await read()).toEqual({ name: "start 4" });
    expect(await read()).toEqual({ name: "start 4" });
    const after = gateway.stats().cache!;
    expect([after.misses - before.misses, after.hits - before.hits]).toEqual([1, 1]);
  });
});

describe("size limits", () => {
  it("serves an answer over GATEWAY_CACHE_MAX_ENTRY_BYTES without keeping it, and keeps one under it", async () => {
    const gateway = await gatewayWith({ GATEWAY_CACHE_MAX_ENTRY_BYTES: "2048", GATEWAY_CACHE_LISTEN_NOTIFY: "false" });
    const prisma = accelerated(gateway.port);
    const slug = `big-${randomBytes(4).toString("hex")}`;
    await admin.query("insert into projects (id, slug, name, description, updated_at) values (gen_random_uuid(), $1, 'big', $2, now())", [slug, "x".repeat(4_000)]);
    const big = () => prisma.project.findFirst({ where: { slug }, cacheStrategy: { ttl: 60 } }).withAccelerateInfo();
    for (let i = 0; i < 2; i++) {
      const { data, info } = await big();
      expect(data?.description).toHaveLength(4_000);
      expect(info?.cacheStatus).toBe("none");
    }
    const { oversized, hits, misses, bypasses, errors, l1 } = gateway.stats().cache!;
    expect({ oversized, hits, misses, bypasses, errors, entries: l1.entries }).toEqual({ oversized: 2, hits: 0, misses: 0, bypasses: 0, errors: 0, entries: 0 });
    await readName(prisma, ids[0]!);
    expect((await readName(prisma, ids[0]!)).info?.cacheStatus).toBe("ttl");
  });

  it("is off with GATEWAY_CACHE=false: nothing cached, /invalidate still answers", async () => {
    const gateway = await gatewayWith({ GATEWAY_CACHE: "false" });
    const prisma = accelerated(gateway.port);
    expect(gateway.stats().cache).toBeNull();
    await readName(prisma, ids[0]!);
    expect((await readName(prisma, ids[0]!)).info?.cacheStatus).toBe("none");
    await prisma.$accelerate.invalidateAll();
  });
});

describe("two gateway processes sharing a redis-server, and psql", () => {
  let a: GatewayProcess;
  let b: GatewayProcess;
  let clients: [Accelerated, Accelerated];
  beforeAll(async () => {
    const env = { GATEWAY_CACHE_REDIS_URL: redis.url, GATEWAY_POOL_MAX: "4" };
    [a, b] = await Promise.all([spawnGateway("a", env), spawnGateway("b", env)]);
    clients = [accelerated(new URL(a.url).port), accelerated(new URL(b.url).port)];
    // Trusted once the listener listens and Redis is synced: until then every read is answered with "none".
    for (const client of clients) await eventually(async () => (await readName(client, ids[0]!)).info?.cacheStatus, (status) => status === "ttl", "cache trusted");
  });

  it("after 2,000 interleaved reads and writes through both gateways and psql, every cached answer is the database's", async () => {
    const operations = 2_000;
    const statuses = new Map<string, number>();
    const failures: string[] = [];
    let started = 0;
    let sequence = 0;
    const worker = async (lane: number) => {
      while (started < operations) {
        const n = started++;
        const client = clients[(n + lane) % 2]!;
        const id = ids[n % ids.length]!;
        try {
          if (n % 10 < 2) await client.project.update({ where: { id }, data: { name: `gateway ${sequence++}` } });
          else if (n % 10 === 2) await others.query("update projects set name = $2 where id = $1", [id, `psql ${sequence++}`]);
          else {
            const { info } = n % 10 === 9 ? await listNames(client) : await readName(client, id);
            statuses.set(info?.cacheStatus ?? "?", (statuses.get(info?.cacheStatus ?? "?") ?? 0) + 1);
          }
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    // Eight callers at a time: enough to interleave, and the machine stays usable for the tests running beside this one.
    await Promise.all(Array.from({ length: 8 }, (_, lane) => worker(lane)));
    expect(failures).toEqual([]);
    // The race went through the cache, not around it.
    expect(statuses.get("ttl") ?? 0).toBeGreaterThan(0);
    expect(statuses.get("miss") ?? 0).toBeGreaterThan(0);

    for (const client of clients) {
      for (const id of ids) {
        const stored = await databaseName(id);
        // The last invalidation reaches the other process within moments; an answer stored too late would stay.
        await eventually(async () => (await readName(client, id)).data?.name, (name) => name === stored, `${id} after the race`);
        const again = await readName(client, id);
        expect(again.info?.cacheStatus).toBe("ttl");
        expect(again.data?.name).toBe(stored);
      }
      const rows = await databaseList();
      await eventually(async () => (await listNames(client)).data, (list) => JSON.stringify(list) === JSON.stringify(rows), "the list after the race");
      const again = await listNames(client);
      expect([again.info?.cacheStatus, again.data]).toEqual(["ttl", rows]);
    }
  }, 120_000);

  it("bypasses the cache while Redis is down, and serves from it again once Redis is back", async () => {
    const [first] = clients;
    const id = ids[0]!;
    await redis.stop();
    await eventually(async () => (await readName(first, id)).info?.cacheStatus, (status) => status === "none", "bypass with Redis down");
    await admin.query("update projects set name = 'while redis was down' where id = $1", [id]);
    await eventually(async () => (await readName(first, id)).data?.name, (name) => name === "while redis was down", "the database's answer");
    redis = await startRedis({ port: redis.port });
    await eventually(async () => (await readName(first, id)).info?.cacheStatus, (status) => status === "ttl", "hits once Redis is back");
    expect((await readName(first, id)).data?.name).toBe("while redis was down");
  });

  it("writes no secret to its log", () => {
    for (const gateway of [a, b]) {
      expect(gateway.logs()).toContain("listening on");
      for (const secret of [password, key]) expect(gateway.logs()).not.toContain(secret);
    }
  });
});
