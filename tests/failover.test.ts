// The app on a high-availability PostgreSQL (ops/ha/: Patroni, etcd, HAProxy) while the leader dies under steady
// load: no write the app acknowledged is lost, every failure is a 503 with Retry-After, writes come back without a
// person, no read is staler than the documented bound, and the cache's listener LISTENs again on the new leader.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingHaPackages, startHaCluster, type HaCluster, type HaNode } from "../scripts/support/ha-cluster";
import { startNext, type NextServer } from "../scripts/support/next-start";
import { deployMigrations, withAdmin } from "../scripts/support/postgres-admin";
import { startRedis, type RunningRedis } from "../scripts/support/redis-server";
import { eventually } from "./support/eventually";
import { HANG_BOUND_MS, lostWrites, staleReads, startLoad, unavailableCount, unexpectedAnswers, type Seed } from "./support/failover-load";

const missing = missingHaPackages();
if (missing.length) console.warn(`Failover tests skipped: apt-get install ${missing.join(" ")}`);

const applicationName = "failover-test";
// docs/high-availability.md: the cache stores only what the leader answers, and the read port reaches only the
// synchronous replica, except while HAProxy has yet to see it leave synchronous replication: two failed checks, 1 s
// and then 0.5 s apart, each given 2 s.
const STALE_BOUND_MS = 5_500;
let cluster: HaCluster;
let redis: RunningRedis;
let server: NextServer;
const seeds: Seed[] = [];

beforeAll(async () => {
  if (missing.length) return;
  const started = performance.now();
  cluster = await startHaCluster({ nodes: 2 });
  console.log(`failover: cluster of 2 nodes up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await withAdmin(cluster.writeUrl(), (admin) => admin.query("create database app"));
  deployMigrations(cluster.writeUrl("app"));
  redis = await startRedis();
  server = await startNext({
    DATABASE_URL: cluster.writeUrl("app"),
    DB_READ_REPLICA_URLS: cluster.readUrl("app"),
    REDIS_URL: redis.url,
    DB_APPLICATION_NAME: applicationName,
    DB_POOL_MAX: "8",
  });
  for (let i = 0; i < 4; i++) {
    const response = await fetch(`${server.url}/api/projects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        slug: `seed-${i}`,
        name: `Seed ${i}`,
        characters: [{ name: "hero", animations: [{ name: "walk", frames: [{ index: 0, image: "/0.png", width: 8, height: 8 }] }] }],
      }),
    });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(201);
    seeds.push({ projectId: body.id, animationId: body.characters[0].animations[0].id, name: `Seed ${i}` });
  }
  // The seeds must be on the replica before reads of them start there.
  await eventually(
    async () => withAdmin(cluster.readUrl("app"), async (client) => (await client.query("select count(*)::int as n from projects")).rows[0].n),
    (n) => n === seeds.length,
    "the seeds on the replica",
  );
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await cluster?.stop();
  await redis?.stop();
});

/** Load for a while, `fault` under it, load until writes are served again and a while after; then every check. */
async function survive(fault: () => void) {
  const bypassesBefore = await cacheBypasses();
  const load = startLoad(server.url, seeds);
  // Steady before the fault and after it: every kind of write served, however slow the machine is today.
  const steady = await load.everyWriteServedSince(0, 60_000);
  const faultAt = performance.now();
  if (steady) fault();
  const served = steady ? await load.writeServedSince(faultAt, 60_000) : undefined;
  if (served) await load.everyWriteServedSince(faultAt, 30_000);
  const report = await load.stop();
  const writesBackMs = served ? Math.round(served.endedAt - faultAt) : undefined;
  const unavailable = unavailableCount(report);
  const stale = staleReads(report);
  const reads = report.outcomes.filter((o) => o.operation === "read" && o.status === 200).length;
  console.log(`failover: writes served again ${writesBackMs} ms after the fault; ${unavailable} answers 503 of ${report.outcomes.length}; ` +
    `${stale.length} of ${reads} reads older than an acknowledged write, by ${stale.map((s) => s.staleMs).sort((a, b) => b - a).slice(0, 5).join(", ") || 0} ms at worst`);

  expect(steady, "every kind of write served before the fault").toBe(true);
  expect(served, "no write was served again within 60 s").toBeDefined();
  const unexpected = unexpectedAnswers(report);
  expect(unexpected.slice(0, 5), `${unexpected.length} answers neither 2xx nor a 503 JSON with Retry-After\n${server.logs().slice(-4_000)}`).toEqual([]);
  expect(report.outcomes.filter((o) => o.endedAt - o.startedAt >= HANG_BOUND_MS)).toEqual([]);
  // Every kind of write was acknowledged both before and after the fault.
  for (const operation of ["create", "update", "append"] as const) {
    const acknowledged = report.outcomes.filter((o) => o.operation === operation && o.status < 300);
    expect(acknowledged.some((o) => o.endedAt < faultAt), `${operation} before`).toBe(true);
    expect(acknowledged.some((o) => o.startedAt > faultAt), `${operation} after`).toBe(true);
  }
  expect(await lostWrites(cluster.writeUrl("app"), report)).toEqual({ creates: [], frames: [], updates: [] });
  expect(stale.filter((read) => read.staleMs > STALE_BOUND_MS), `reads older than ${STALE_BOUND_MS} ms (fault at ${Math.round(faultAt)})`).toEqual([]);
  // The listener's connection went with the leader: reads bypassed the cache until it listened again.
  expect(await cacheBypasses()).toBeGreaterThan(bypassesBefore);
  // The next case starts from the names the database holds: a seed's last update may be one whose answer was lost.
  await withAdmin(cluster.writeUrl("app"), async (client) => {
    for (const seed of seeds) seed.name = (await client.query("select name from projects where id = $1", [seed.projectId])).rows[0].name;
  });
  return { writesBackMs, unavailable };
}

async function cacheBypasses() {
  const metrics = await (await fetch(`${server.url}/api/metrics`)).text();
  const line = metrics.split("\n").find((l) => l.startsWith('db_cache_lookups_total{result="bypass"}'));
  return Number(line?.split(" ")[1] ?? 0);
}

/**
 * The cache listens on the leader again and is trusted: a change made outside the app reaches a cached read. (Reads
 * go to a replica when one is up: it must be streaming, or a read after the NOTIFY would cache what it still had.)
 */
async function cacheFollows(leader: HaNode) {
  type Health = { cache: { listener: string; trusted: boolean } };
  const health = async () => (await (await fetch(`${server.url}/api/health`)).json()) as Health;
  await eventually(health, (h) => h.cache?.listener === "up" && h.cache.trusted, "the cache's listener up", 30_000);
  const listening = await withAdmin(leader.url("app"), async (client) =>
    (await client.query("select count(*)::int as n from pg_stat_activity where application_name = $1", [`${applicationName}/cache-listener`])).rows[0].n,
  );
  expect(listening).toBe(1);
  const [seed] = seeds;
  const read = async () => (await (await fetch(`${server.url}/api/projects/${seed!.projectId}`)).json()).name as string;
  await read();
  const name = `changed outside ${Date.now()}`;
  await withAdmin(cluster.writeUrl("app"), (client) => client.query("update projects set name = $1 where id = $2", [name, seed!.projectId]));
  // Well within the read's 30 s ttl: only the NOTIFY from the new leader makes the cached read change this soon.
  await eventually(read, (value) => value === name, "the change outside the app, through the cache", 10_000);
  seed!.name = name;
}

describe.skipIf(missing.length > 0)("failover under load", () => {
  it("a leader's machine dies (Patroni and PostgreSQL, SIGKILL): the replica takes over, no acknowledged write lost", async () => {
    const before = await cluster.leader();
    await survive(() => before.kill());
    const after = await cluster.leader();
    expect(after.name).not.toBe(before.name);
    await cacheFollows(after);
  }, 150_000);

  it("the old leader rejoins as a replica, and takes over in turn when the new leader dies", async () => {
    const dead = cluster.nodes.find((node) => !node.running())!;
    dead.start();
    await cluster.settled({ sync: true });
    expect(await dead.role()).toBe("sync_standby");
    const leader = await cluster.leader();
    await survive(() => leader.kill());
    expect((await cluster.leader()).name).toBe(dead.name);
    await cacheFollows(dead);
  }, 150_000);

  it("only the leader's postmaster dies: Patroni restarts it in place and it stays the leader", async () => {
    for (const node of cluster.nodes) if (!node.running()) node.start();
    await cluster.settled({ sync: true });
    const leader = await cluster.leader();
    await survive(() => leader.killPostmaster());
    // The replica follows the restarted leader's new timeline: until then it serves what it had.
    await cluster.settled({ sync: true });
    expect((await cluster.leader()).name).toBe(leader.name);
    await cacheFollows(leader);
  }, 150_000);
});
