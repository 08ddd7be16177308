// The app's runtimes through a prisma-gateway: `bun run gateway` as a process of its own (DB_GATEWAY_URL) for Next's
// edge routes, workerd and Deno, and the gateway `next start` serves itself on loopback, all on a role with a
// password. What a gateway that dies mid-load and a pool of 5 under 500 concurrent requests look like to callers.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, concurrentAppends, projectLifecycle, type Answer } from "../scripts/support/api-scenario";
import { startDeno } from "../scripts/support/deno-serve";
import { startGatewayProcess, type GatewayProcess } from "../scripts/support/gateway-serve";
import { startNext } from "../scripts/support/next-start";
import { databaseUrl, type TestDatabase } from "../scripts/support/postgres-admin";
import type { ServerProcess } from "../scripts/support/server-process";
import { startWorkerd } from "../scripts/support/workerd-serve";
import { createTestDatabase, serverUrl } from "./support/db";

const role = `app_gw_${randomBytes(3).toString("hex")}`;
const password = randomBytes(18).toString("base64url");
const base = `gw-${process.pid}`;
let db: TestDatabase;
let admin: pg.Client;
let roleUrl: string;
let gateway: GatewayProcess;
let viaGateway: { name: string; server: ServerProcess; api: string; runtime: string }[];
let local: ServerProcess;

const metricsToken = "gateway-test-metrics-token";

/** Statements the gateway process has run for callers: its /query and transaction-query requests. */
async function gatewayQueries() {
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  return [...metrics.matchAll(/^gateway_request_duration_seconds_count\{route="(?:\/query|\/transaction\/:id\/query)",status="200"\} (\d+)/gm)].reduce((sum, [, n]) => sum + Number(n), 0);
}

beforeAll(async () => {
  db = await createTestDatabase("gateway_app");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  // A role with a SCRAM password: the gateway's connections authenticate for real on a server that asks.
  await admin.query(`set password_encryption = 'scram-sha-256'`);
  await admin.query(`create role ${role} login password '${password}'`);
  await admin.query(`grant all on all tables in schema public to ${role}`);
  roleUrl = Object.assign(new URL(databaseUrl(serverUrl(), db.name)), { username: role, password }).toString();

  gateway = await startGatewayProcess({ DATABASE_URL: roleUrl, GATEWAY_POOL_MAX: "5", GATEWAY_APPLICATION_NAME: `${base}/gateway` });
  // Health's details (the runtime among them) go to the metrics token's bearer; workerd cannot tell a loopback caller.
  const env = { DATABASE_URL: roleUrl, DB_GATEWAY_URL: gateway.accelerateUrl, DB_APPLICATION_NAME: base, DB_POOL_IDLE_TIMEOUT_MS: "1000", METRICS_TOKEN: metricsToken };
  const [next, workerd, deno] = await Promise.all([
    startNext(env, { probePath: "/api/edge/health" }),
    startWorkerd(env),
    startDeno(env),
    // The gateway `next start` serves itself: a pool of 5 that waits a second at most for a connection.
    startNext({ DATABASE_URL: roleUrl, DB_APPLICATION_NAME: `${base}-local`, DB_POOL_MAX: "5", DB_POOL_ACQUIRE_TIMEOUT_MS: "1000" }, { probePath: "/api/edge/health" }).then((server) => (local = server)),
  ]);
  viaGateway = [
    { name: "Next edge", server: next, api: `${next.url}/api/edge`, runtime: "edge" },
    { name: "workerd", server: workerd, api: `${workerd.url}/api`, runtime: "workerd" },
    { name: "Deno", server: deno, api: `${deno.url}/api`, runtime: "deno" },
  ];
});

afterAll(async () => {
  await Promise.all([...(viaGateway ?? []).map(({ server }) => server.stop()), local?.stop(), gateway?.stop()]);
  await admin?.end();
  await db?.drop();
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  await client.query(`drop role if exists ${role}`);
  await client.end();
});

describe.each(["Next edge", "workerd", "Deno"])("%s through a gateway process", (name) => {
  it("answers health, creates/reads/updates/deletes, gives 12 concurrent appends 0..11, every query through the gateway", async () => {
    const { api, runtime, server } = viaGateway.find((target) => target.name === name)!;
    const before = await gatewayQueries();
    const health = await call(`${api}/health`, "GET", undefined, { authorization: `Bearer ${metricsToken}` });
    expect(health.body).toMatchObject({ status: "ok", runtime });
    const { statuses, names } = await projectLifecycle(api, `${runtime}-crud`);
    expect(statuses, name).toEqual([201, 200, 200, 200, 204, 404]);
    expect(names).toEqual(["Created", "Updated"]);
    const appends = await concurrentAppends(api, `${runtime}-frames`, 12);
    expect(appends.statuses, `${JSON.stringify(appends.failures)}\n${server.logs().slice(-2000)}`).toEqual(Array(12).fill(201));
    expect(appends.indexes).toEqual([...Array(12).keys()]);
    // Every statement went through the gateway; the runtime opened no connection of its own.
    expect(await gatewayQueries()).toBeGreaterThanOrEqual(before + 20);
    const { rows } = await admin.query("select count(*)::int as n from pg_stat_activity where application_name like $1", [`${base}/${runtime}%`]);
    expect(rows[0].n).toBe(0);
  });
});

describe("the gateway's own failures, as edge callers see them", () => {
  it("on workerd, one client at module scope serves 100 sequential requests, none hung or cancelled", async () => {
    const workerd = viaGateway[1]!;
    const { projectId } = await concurrentAppends(workerd.api, "workerd-sequential", 1);
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await call(`${workerd.api}/projects/${projectId}`)).status);
    expect(statuses).toEqual(Array(100).fill(200));
    expect(workerd.server.logs()).not.toMatch(/hung|cancel/i);
  });

  it("a gateway killed mid-load: edge routes answer 503 JSON with Retry-After, then recover when it is back", async () => {
    const edge = viaGateway[0]!;
    const answers: Answer[] = [];
    let loading = true;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (loading) answers.push(await call(`${edge.api}/projects?limit=2`));
      }),
    );
    while (answers.length < 20) await new Promise((resolve) => setTimeout(resolve, 10));
    await gateway.stop("SIGKILL");
    const killedAt = answers.length;
    while (answers.length < killedAt + 20) await new Promise((resolve) => setTimeout(resolve, 10));
    const { port } = new URL(gateway.url);
    gateway = await startGatewayProcess({ DATABASE_URL: roleUrl, GATEWAY_POOL_MAX: "5", GATEWAY_APPLICATION_NAME: `${base}/gateway` }, { key: gateway.key, port: Number(port) });
    const backAt = answers.length;
    for (const deadline = Date.now() + 30_000; answers.at(-1)?.status !== 200 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
    loading = false;
    await load;

    const statuses = answers.map((a) => a.status);
    console.log(`killed after ${killedAt} answers, back after ${backAt}: ${statuses.filter((s) => s === 503).length} answered 503 of ${statuses.length}`);
    expect(new Set(statuses)).toEqual(new Set([200, 503]));
    for (const answer of answers.filter((a) => a.status === 503)) {
      expect(answer.headers.get("retry-after")).toBe("1");
      expect(answer.body.error).toMatchObject({ code: "database_unavailable" });
    }
    expect(statuses.at(-1)).toBe(200);
    expect((await call(`${edge.api}/projects?limit=1`)).status).toBe(200);
  });
});

describe("the gateway `next start` serves itself", () => {
  it("is what edge routes use, with no setup", () => {
    expect(local.logs()).toMatch(/edge routes: prisma-gateway on http:\/\/127\.0\.0\.1:\d+, a pool of 5/);
  });

  it("500 concurrent edge requests on its pool of 5: only 2xx or 503 with Retry-After, and no write lost or made twice", async () => {
    const api = `${local.url}/api/edge`;
    const { body: existing } = await call(`${api}/projects`, "POST", { slug: "existing", name: "Existing" });
    const requests = Array.from({ length: 500 }, (_, i) =>
      i % 2 ? call(`${api}/projects/${existing.id}`) : call(`${api}/projects`, "POST", { slug: `load-${i}`, name: `Load ${i}` }),
    );
    const answers = await Promise.all(requests);
    const byStatus = new Map<number, Answer[]>();
    for (const answer of answers) byStatus.set(answer.status, [...(byStatus.get(answer.status) ?? []), answer]);
    console.log(`500 concurrent edge requests, pool of 5: ${[...byStatus].map(([status, list]) => `${list.length}x ${status}`).join(", ")}`);
    expect([...byStatus.keys()].every((status) => [200, 201, 503].includes(status))).toBe(true);
    for (const answer of byStatus.get(503) ?? []) {
      expect(answer.headers.get("retry-after")).toBe("1");
      expect(answer.body.error.code).toMatch(/^(pool_exhausted|database_unavailable)$/);
    }
    // Every write answered 201 is there once; every write answered 503 is not there at all.
    const created = answers.flatMap((a, i) => (i % 2 === 0 && a.status === 201 ? [`load-${i}`] : []));
    const refused = answers.flatMap((a, i) => (i % 2 === 0 && a.status === 503 ? [`load-${i}`] : []));
    const { rows } = await admin.query<{ slug: string }>("select slug from projects where slug like 'load-%' order by slug");
    expect(rows.map((r) => r.slug)).toEqual([...created].sort());
    expect(created.length + refused.length).toBe(250);
    expect(answers.filter((a) => a.status < 300).length).toBeGreaterThan(0);
  });
});
