// The same API on every runtime, each a real server process against one real PostgreSQL: Node.js and Next's edge
// (`next start`), Cloudflare's workerd (`workerd serve`), Deno and Bun.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/db";
import { backends, call, concurrentAppends, projectLifecycle, settleBackends } from "../scripts/support/api-scenario";
import { freePort } from "../scripts/support/free-port";
import type { TestDatabase } from "../scripts/support/postgres-admin";
import { runtimeServers } from "../scripts/support/runtime-servers";
import type { ServerProcess } from "../scripts/support/server-process";

let db: TestDatabase;
let admin: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase("runtimes");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await db?.drop();
});

// Writes want a token and health's details the metrics one, on every runtime: the handlers check them, not the server.
const writeToken = `write-token-${process.pid}-0123456789`;
const metricsToken = `metrics-token-${process.pid}-0123456789`;
const writing = { authorization: `Bearer ${writeToken}` };

describe.each(runtimeServers)("$name", ({ name, runtime, prefix, applicationName, start }) => {
  const base = `rt-${runtime}-${process.pid}`;
  const sessions = applicationName(base);
  const slug = (what: string) => `${runtime}-${what}`;
  let server: ServerProcess;
  let unreachable: ServerProcess;
  let baseline: number;
  const api = () => `${server.url}${prefix}`;

  beforeAll(async () => {
    baseline = await backends(admin, sessions);
    // Idle connections close after a second, so that a pool's connections are gone well within the settle time. A
    // request waits for a connection as long as a busy machine needs: these tests check answers, not capacity.
    const env = {
      DB_APPLICATION_NAME: base,
      DB_POOL_IDLE_TIMEOUT_MS: "1000",
      DB_POOL_ACQUIRE_TIMEOUT_MS: "30000",
      API_WRITE_TOKENS: `other-token-0123456789,${writeToken}`,
      METRICS_TOKEN: metricsToken,
    };
    server = await start({ ...env, DATABASE_URL: db.url });
    // Nothing listens there; the second server reuses the first's build (the worker's bundle).
    const nowhere = `postgresql://postgres@127.0.0.1:${await freePort()}/nothing`;
    unreachable = await start({ ...env, DATABASE_URL: nowhere }, { build: false });
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), unreachable?.stop()]);
  });

  it("answers health from PostgreSQL: its details to the metrics token's bearer only", async () => {
    const health = await call(`${api()}/health`, "GET", undefined, { authorization: `Bearer ${metricsToken}` });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "ok", runtime, database: { version: expect.any(String) } });
    for (const headers of [{}, writing, { "x-sprite-store-peer-address": "127.0.0.1" }] as Record<string, string>[]) {
      expect(await call(`${api()}/health`, "GET", undefined, headers)).toMatchObject({ status: 200, body: { status: "ok" } });
      expect(Object.keys((await call(`${api()}/health`, "GET", undefined, headers)).body)).toEqual(["status"]);
    }
  });

  it("refuses a write without a valid token with 401 and changes nothing; reads need none", async () => {
    const slugs = async () => ((await call(`${api()}/projects?limit=100`)).body.projects as { slug: string }[]).map((p) => p.slug);
    const before = await slugs();
    for (const headers of [{}, { authorization: `Bearer ${writeToken}x` }, { authorization: `Bearer ${metricsToken}` }] as Record<string, string>[]) {
      const refused = await call(`${api()}/projects`, "POST", { slug: slug("refused"), name: "No" }, headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe("Bearer");
      expect(refused.body.error.code).toBe("unauthorized");
    }
    expect(await slugs()).toEqual(before);
  });

  it("creates, reads, updates and deletes a project", async () => {
    const { statuses, names } = await projectLifecycle(api(), slug("crud"), writing);
    expect(statuses).toEqual([201, 200, 200, 200, 204, 404]);
    expect(names).toEqual(["Created", "Updated"]);
  });

  it("gives 12 concurrent frame appends the indexes 0..11", async () => {
    const { statuses, indexes, failures } = await concurrentAppends(api(), slug("frames"), 12, writing);
    expect(statuses, `${JSON.stringify(failures)}\n${server.logs().slice(-3000)}`).toEqual(Array(12).fill(201));
    expect(indexes).toEqual([...Array(12).keys()]);
  });

  it("answers 503 JSON when the database cannot be reached", async () => {
    const answer = await call(`${unreachable.url}${prefix}/projects`);
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("1");
    expect(answer.body.error).toMatchObject({ code: "database_unavailable", requestId: expect.any(String) });
    expect(JSON.stringify(answer.body)).not.toContain("postgresql://");
  });

  it("holds no more backends than before, 5 s after the load stops", async () => {
    const load = await Promise.all(Array.from({ length: 24 }, (_, i) => call(`${api()}/projects?limit=${1 + (i % 5)}`)));
    expect(load.filter((a) => a.status !== 200)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const count = await settleBackends(admin, sessions, baseline, 15_000);
    console.log(`${name}: ${count} backends 5 s after the load (baseline ${baseline})`);
    expect(count).toBe(baseline);
  });

  if (runtime === "workerd") {
    it("serves 200 sequential requests on one isolate, none hung or cancelled, and keeps no socket after them", async () => {
      const { projectId } = await concurrentAppends(api(), slug("sequential"), 1, writing);
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await call(`${api()}/projects/${projectId}`)).status);
      expect(statuses).toEqual(Array(200).fill(200));
      expect(server.logs()).not.toMatch(/hung|cancel/i);
      // Each request closed its connection once its response was sent.
      expect(await settleBackends(admin, sessions, baseline, 15_000)).toBe(baseline);
    });
  }
});
