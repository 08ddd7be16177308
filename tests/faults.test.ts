// Faults a server meets in production, on a PostgreSQL of this file's own that it can stop and start: a pool
// that runs dry, a statement that runs long, an outage, a shutdown mid-request, and secrets that must not leak.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type RunningPostgres } from "../scripts/support/embedded-postgres";
import { freePort } from "../scripts/support/free-port";
import { startNext, type NextServer } from "../scripts/support/next-start";

const scratch = mkdtempSync(path.join(tmpdir(), "faults-"));
chmodSync(scratch, 0o755);
const dataDir = path.join(scratch, "data");
let port: number;
let postgres: RunningPostgres;
let server: NextServer;
let admin: pg.Client;
let password: string;
const bodies: string[] = [];

const startPostgres = () => startEmbeddedPostgres({ dataDir, database: "app", port });
async function call(path: string, init?: RequestInit) {
  const res = await fetch(`${server.url}${path}`, { ...init, headers: { "content-type": "application/json" } });
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: text ? JSON.parse(text) : null };
}
const post = (body: unknown) => call("/api/projects", { method: "POST", body: JSON.stringify(body) });

beforeAll(async () => {
  port = await freePort();
  postgres = await startPostgres();
  password = decodeURIComponent(new URL(postgres.url).password);
  execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: postgres.url }, stdio: "ignore" });
  admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  server = await startNext({
    DATABASE_URL: postgres.url,
    DB_POOL_MAX: "2",
    DB_POOL_ACQUIRE_TIMEOUT_MS: "1000",
    DB_STATEMENT_TIMEOUT_MS: "1500",
  });
});
afterAll(async () => {
  await server?.stop();
  await admin?.end().catch(() => {});
  await postgres?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Holds a row lock on the project, so that a PATCH of it waits inside the database until `release`. */
async function lockProject(id: string) {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  await client.query("begin");
  await client.query("select 1 from projects where id = $1 for update", [id]);
  return async () => {
    await client.query("rollback");
    await client.end();
  };
}

describe("when the database is slow or busy", () => {
  it("cuts a statement at the statement timeout with a 503 that says so", async () => {
    const { body: project } = await post({ slug: "slow", name: "Slow" });
    const release = await lockProject(project.id);
    const started = Date.now();
    const res = await call(`/api/projects/${project.id}`, { method: "PATCH", body: JSON.stringify({ name: "x" }) });
    await release();
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("query_timeout");
    expect(res.retryAfter).toBe("1");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("answers 503 with Retry-After when every connection is busy past the acquire timeout, then recovers", async () => {
    const { body: project } = await post({ slug: "busy", name: "Busy" });
    const release = await lockProject(project.id);
    const holders = [1, 2].map(() => call(`/api/projects/${project.id}`, { method: "PATCH", body: JSON.stringify({ name: "y" }) }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const res = await call("/api/health");
    const waited = Date.now() - started;
    await release();
    await Promise.all(holders);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("pool_exhausted");
    expect(res.retryAfter).toBe("1");
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(3_000);
    expect((await call("/api/health")).status).toBe(200);
  });
});

describe("when the database goes away and comes back", () => {
  it("answers 503 during the outage, 200 after, with no restart and no acknowledged write lost", async () => {
    const acknowledged: string[] = [];
    const statuses: number[] = [];
    const unexpected: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const slug = `outage-${i}`;
        const res = await post({ slug, name: slug });
        statuses.push(res.status);
        if (res.status === 201) acknowledged.push(slug);
        else if (!(res.status === 503 && res.retryAfter === "1")) unexpected.push(`${res.status} ${JSON.stringify(res.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await admin.end();
    await postgres.stop();

    const down = Date.now();
    const health = await call("/api/health");
    expect(health.status).toBe(503);
    expect(health.body.error.code).toBe("database_unavailable");
    expect(Date.now() - down).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    postgres = await startPostgres();
    let back = false;
    for (let i = 0; i < 100 && !back; i++) {
      back = (await call("/api/health")).status === 200;
      if (!back) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    writing = false;
    await writer;
    expect(unexpected, server.logs()).toEqual([]);
    expect(back).toBe(true);
    expect(statuses).toContain(503);
    expect(statuses.at(-1)).toBe(201);

    admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    const { rows } = await admin.query<{ slug: string }>("select slug from projects where slug like 'outage-%'");
    const stored = new Set(rows.map((r) => r.slug));
    expect(acknowledged.filter((slug) => !stored.has(slug))).toEqual([]);
    console.log(`outage: ${statuses.length} writes, ${acknowledged.length} acknowledged, ${statuses.filter((s) => s === 503).length} answered 503, all acknowledged ones stored`);
  });
});

describe("secrets", () => {
  const wrong = "Wr0ng-pa55word-on-purpose";
  // The acquire timeout must not change the answer: a slow SCRAM handshake that outlasts it (a busy machine) is
  // still a database that refuses us, never a busy pool. 0 waits without limit. The servers start side by side,
  // which keeps the machine busy too.
  const cases: [string, () => Promise<string>, string][] = [
    ["wrong password, acquire timeout 0", async () => `postgresql://postgres:${wrong}@127.0.0.1:${port}/app`, "0"],
    ["wrong password, acquire timeout 1 s", async () => `postgresql://postgres:${wrong}@127.0.0.1:${port}/app`, "1000"],
    ["wrong password, acquire timeout 10 s", async () => `postgresql://postgres:${wrong}@127.0.0.1:${port}/app`, "10000"],
    ["unreachable host", async () => `postgresql://postgres:${wrong}@127.0.0.1:${await freePort()}/app`, "1000"],
    ["missing database", async () => `postgresql://postgres:${password}@127.0.0.1:${port}/no_such_db`, "1000"],
  ];
  it.concurrent.for(cases)("never appear in a response or a log line: %s", { timeout: 180_000 }, async ([failure, url, acquireTimeout], { expect }) => {
    const broken = await startNext({ DATABASE_URL: await url(), DB_POOL_ACQUIRE_TIMEOUT_MS: acquireTimeout });
    const answers: string[] = [];
    try {
      for (const path of ["/api/health", "/api/edge/health", "/api/projects"]) {
        const res = await fetch(`${broken.url}${path}`);
        const text = await res.text();
        answers.push(text);
        expect(res.status, `${failure} ${path}: ${text}`).toBe(503);
        expect(JSON.parse(text).error.code, `${failure} ${path}`).toBe("database_unavailable");
      }
    } finally {
      await broken.stop();
    }
    const everything = answers.join("\n") + broken.logs();
    expect(everything, failure).not.toContain(wrong);
    expect(everything, failure).not.toContain(password);
  });

  it("never appear in this file's answers or its server's log", () => {
    expect(bodies.join("\n") + server.logs()).not.toContain(password);
  });
});

describe("shutdown", () => {
  it("on SIGTERM finishes the request in flight, closes every connection and exits 0", async () => {
    const { body: project } = await post({ slug: "last-request", name: "Before" });
    const release = await lockProject(project.id);
    const inFlight = call(`/api/projects/${project.id}`, { method: "PATCH", body: JSON.stringify({ name: "After" }) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exited = server.stop("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await release();
    expect((await inFlight).status).toBe(200);
    expect(await exited).toBe(0);
    const { rows } = await admin.query(
      "select (select name from projects where id = $1) as name, (select count(*)::int from pg_stat_activity where application_name = 'sprite-store') as backends",
      [project.id],
    );
    expect(rows[0]).toEqual({ name: "After", backends: 0 });
  });
});
