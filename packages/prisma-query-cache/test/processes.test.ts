// Two server processes on one PostgreSQL and one redis-server, each with its own cache: a write in one is seen by
// the other, a write from psql by both, and after thousands of racing reads and writes every cached answer is the
// database's.
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { TestDatabase } from "../../../scripts/support/postgres-admin";
import { startRedis, type RunningRedis } from "../../../scripts/support/redis-server";
import { startServerProcess, type ServerProcess } from "../../../scripts/support/server-process";
import { eventually } from "../../../tests/support/eventually";
import { createSchemaDatabase } from "./support/client";

let db: TestDatabase;
let admin: pg.Client;
let redis: RunningRedis;
let servers: ServerProcess[] = [];
const ids: string[] = [];

type Stats = { hits: number; misses: number; invalidations: number; trusted: boolean };
const stats = async (server: ServerProcess) => (await (await fetch(`${server.url}/stats`)).json()) as Stats;
const getAuthor = async (server: ServerProcess, id: string) => {
  const response = await fetch(`${server.url}/authors/${id}`);
  if (!response.ok) throw new Error(`GET ${id}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { name: string };
};
const rename = async (server: ServerProcess, id: string, name: string) => {
  const response = await fetch(`${server.url}/authors/${id}`, { method: "PATCH", body: JSON.stringify({ name }) });
  if (!response.ok) throw new Error(`PATCH ${id}: ${response.status} ${await response.text()}`);
};
const databaseName = async (id: string) => (await admin.query("select name from authors where id = $1", [id])).rows[0].name as string;

const startServer = (env: Record<string, string>) =>
  startServerProcess("cache test server", (port) => ({
    file: process.execPath,
    args: ["--import", "tsx", path.join(import.meta.dirname, "support/server.ts")],
    env: { ...env, PORT: String(port) },
  }), { probePath: "/stats" });

beforeAll(async () => {
  db = await createSchemaDatabase("cache_processes");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  for (let i = 0; i < 5; i++) {
    const { rows } = await admin.query("insert into authors (id, name) values (gen_random_uuid(), $1) returning id", [`start ${i}`]);
    ids.push(rows[0].id);
  }
  redis = await startRedis();
  const env = { CLIENT_MODULE: inject("cacheClientModule"), DATABASE_URL: db.url, REDIS_URL: redis.url };
  servers = await Promise.all([startServer(env), startServer(env)]);
  // Ready once the cache is trusted: Redis synced and the listener listening.
  for (const server of servers) await eventually(() => stats(server), (cache) => cache.trusted, "cache trusted");
});

afterAll(async () => {
  await Promise.allSettled(servers.map((server) => server.stop()));
  await redis?.stop();
  await admin?.end();
  await db?.drop();
});

describe("two processes sharing one cache", () => {
  it("a write in one is read in the other", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const id = ids[0]!;
    await getAuthor(b, id);
    const before = await stats(b);
    expect((await getAuthor(b, id)).name).toBe("start 0");
    expect((await stats(b)).hits).toBe(before.hits + 1);

    await rename(a, id, "renamed in a");
    expect((await getAuthor(a, id)).name).toBe("renamed in a");
    await eventually(async () => (await getAuthor(b, id)).name, (name) => name === "renamed in a", "b after a's write");
  });

  it("a write from psql is read in both", async () => {
    const id = ids[1]!;
    for (const server of servers) await getAuthor(server, id);
    await admin.query("update authors set name = 'from psql' where id = $1", [id]);
    for (const server of servers) {
      await eventually(async () => (await getAuthor(server, id)).name, (name) => name === "from psql", "after psql's write");
    }
  });

  it("after 2,000 racing reads and writes on the same rows, every cached answer is the database's", async () => {
    let sequence = 0;
    let failures: string[] = [];
    const operations = 2_000;
    let started = 0;
    const worker = async (lane: number) => {
      while (started < operations) {
        const n = started++;
        const server = servers[(n + lane) % 2]!;
        const id = ids[n % ids.length]!;
        try {
          if (n % 5 < 2) await rename(server, id, `w${sequence++}`);
          else if (n % 10 === 9) await fetch(`${server.url}/authors?limit=10`).then((r) => r.ok || failures.push(`list ${r.status}`));
          else await getAuthor(server, id);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    const hitsBefore = (await Promise.all(servers.map(stats))).reduce((sum, cache) => sum + cache.hits, 0);
    await Promise.all(Array.from({ length: 16 }, (_, lane) => worker(lane)));
    expect(failures).toEqual([]);
    // The race went through the cache, not around it.
    expect((await Promise.all(servers.map(stats))).reduce((sum, cache) => sum + cache.hits, 0)).toBeGreaterThan(hitsBefore);

    for (const id of ids) {
      const stored = await databaseName(id);
      for (const server of servers) {
        // The last invalidation reaches the other process within moments; an entry stored too late would stay.
        await eventually(async () => (await getAuthor(server, id)).name, (name) => name === stored, `${id} after the race`);
        const { hits } = await stats(server);
        expect((await getAuthor(server, id)).name).toBe(stored);
        expect((await stats(server)).hits).toBe(hits + 1);
      }
    }
    const { rows } = await admin.query("select id, name from authors order by id desc limit 10");
    for (const server of servers) {
      const listed = async () => {
        const authors = (await (await fetch(`${server.url}/authors?limit=10`)).json()) as { id: string; name: string }[];
        return authors.map(({ id, name }) => ({ id, name }));
      };
      await eventually(listed, (list) => JSON.stringify(list) === JSON.stringify(rows), "list after the race");
    }
    failures = [];
  }, 300_000);
});
