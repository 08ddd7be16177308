// Read replicas through Prisma's own extension, against a real streaming replica made with pg_basebackup from the
// machine's PostgreSQL binaries.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { freePort } from "../scripts/support/free-port";

const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort() : [];
const bin = versions.length ? `/usr/lib/postgresql/${versions.at(-1)}/bin` : "";
const missing = !bin || !["initdb", "postgres", "pg_basebackup", "pg_ctl"].every((tool) => existsSync(`${bin}/${tool}`));
if (missing) console.warn("Read replica tests skipped: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin.");

const scratch = mkdtempSync(path.join(tmpdir(), "replicas-"));
const servers: { dataDir: string; process: ChildProcess }[] = [];
const applicationName = `replica-test-${process.pid}`;
let urls: { primary: string; replica: string };
let lib: typeof import("@/lib/prisma");

// PostgreSQL refuses to run as root; the package's postgres user owns the clusters then.
const asPostgres = (tool: string, args: string[]) =>
  process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", `${bin}/${tool}`, ...args]] as const : [`${bin}/${tool}`, args] as const;

async function startServer(dataDir: string, port: number) {
  const [command, args] = asPostgres("postgres", ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="]);
  servers.push({ dataDir, process: spawn(command, args, { stdio: "ignore" }) });
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; i < 100; i++) {
    const client = new pg.Client({ connectionString: url });
    if (await client.connect().then(() => true, () => false)) return client.end();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`PostgreSQL on port ${port} did not start`);
}

const query = async (url: string, sql: string, values: unknown[] = []) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
};

beforeAll(async () => {
  if (missing) return;
  chmodSync(scratch, 0o777);
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const run = (tool: string, args: string[]) => {
    const [command, commandArgs] = asPostgres(tool, args);
    execFileSync(command, commandArgs, { stdio: "ignore" });
  };
  run("initdb", ["-D", `${scratch}/primary`, "--auth=trust", "--username=postgres", "--no-sync"]);
  await startServer(`${scratch}/primary`, primaryPort);
  await query(`postgresql://postgres@127.0.0.1:${primaryPort}/postgres`, "create database app");
  run("pg_basebackup", ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D", `${scratch}/replica`, "-R", "-X", "stream", "--checkpoint=fast"]);
  await startServer(`${scratch}/replica`, replicaPort);
  urls = {
    primary: `postgresql://postgres@127.0.0.1:${primaryPort}/app`,
    replica: `postgresql://postgres@127.0.0.1:${replicaPort}/app`,
  };
  execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: urls.primary }, stdio: "ignore" });

  vi.stubEnv("DATABASE_URL", urls.primary);
  vi.stubEnv("DB_READ_REPLICA_URLS", urls.replica);
  vi.stubEnv("DB_APPLICATION_NAME", applicationName);
  lib = await import("@/lib/prisma");
});
afterAll(async () => {
  await lib?.disconnect();
  for (const { dataDir } of servers.reverse()) {
    const [command, args] = asPostgres("pg_ctl", ["stop", "-D", dataDir, "-m", "fast", "-w"]);
    execFileSync(command, args, { stdio: "ignore" });
  }
  rmSync(scratch, { recursive: true, force: true });
});

it.skipIf(missing)("sends reads to the replica, and writes and `primary` to the primary", async () => {
  const { prisma, primary } = lib;
  const replica = (prisma as unknown as { $replica(): typeof prisma }).$replica();
  const inRecovery = async (client: Pick<typeof primary, "$queryRaw">) =>
    (await client.$queryRaw<{ standby: boolean }[]>`select pg_is_in_recovery() as standby`)[0]!.standby;
  expect(await inRecovery(replica)).toBe(true);
  expect(await inRecovery(primary)).toBe(false);

  const created = await prisma.project.create({ data: { slug: "replicated", name: "Replicated" } });
  expect(await query(urls.primary, "select name from projects where id = $1", [created.id])).toEqual([{ name: "Replicated" }]);

  let seen = null;
  for (let i = 0; i < 100 && !seen; i++) {
    seen = await prisma.project.findUnique({ where: { id: created.id } });
    if (!seen) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(seen?.name).toBe("Replicated");
  const sessions = async (url: string) =>
    (await query(url, "select count(*)::int as n from pg_stat_activity where application_name = $1", [applicationName]))[0].n;
  expect(await sessions(urls.replica)).toBeGreaterThan(0);

  // A write on the replica would fail ("cannot execute INSERT in a read-only transaction"): this one must not.
  await prisma.$transaction(async (tx) => {
    const [project] = await tx.project.findMany({ where: { id: created.id } });
    await tx.project.update({ where: { id: project!.id }, data: { name: "Updated in a transaction" } });
  });
  expect((await primary.project.findUnique({ where: { id: created.id } }))?.name).toBe("Updated in a transaction");
});

it.skipIf(missing)("stores only what the primary answers: a write's invalidation holds while the replica lags behind it", async () => {
  const { prisma } = lib;
  await prisma.$connect();
  expect(prisma.$cache.stats().trusted).toBe(true);
  const { id } = await prisma.project.create({ data: { slug: "lagging", name: "Before" } });
  for (let i = 0; i < 100 && !(await query(urls.replica, "select 1 from projects where id = $1", [id])).length; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const cachedRead = async () => (await prisma.project.findUnique({ where: { id }, cacheStrategy: { ttl: 60 } }))?.name;
  expect(await cachedRead()).toBe("Before");

  await query(urls.replica, "select pg_wal_replay_pause()");
  try {
    await prisma.project.update({ where: { id }, data: { name: "After" } });
    // The replica has not replayed the update, and answers a read the cache does not store with the old name...
    expect((await prisma.project.findUnique({ where: { id } }))?.name).toBe("Before");
    // ...while the read the update invalidated is filled from the primary, and then served from the cache.
    const { misses, hits } = prisma.$cache.stats();
    expect(await cachedRead()).toBe("After");
    expect(await cachedRead()).toBe("After");
    expect(prisma.$cache.stats()).toMatchObject({ misses: misses + 1, hits: hits + 1 });
  } finally {
    await query(urls.replica, "select pg_wal_replay_resume()");
  }
});
