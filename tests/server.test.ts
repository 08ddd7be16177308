// Start-up and shutdown of `next start`: a bad env stops it with one line; SIGTERM drains the pool.
import { spawnSync } from "node:child_process";
import pg from "pg";
import { expect, it } from "vitest";
import { databaseForThisFile } from "./support/db";
import { startNext } from "../scripts/support/next-start";

const db = databaseForThisFile("server");

it("refuses to start on a bad env value, with one line that names it and no password", () => {
  const secret = "sw0rdfish-not-for-logs";
  const url = new URL(db.url);
  url.password = secret;
  const run = spawnSync("node_modules/.bin/next", ["start", "-p", "0"], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: url.toString(), DB_POOL_MAX: "lots" },
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(run.status).toBe(1);
  const errors = run.stderr.trim().split("\n");
  expect(errors).toEqual([
    'Invalid environment: DB_POOL_MAX is "lots": must be a whole number from 1 to 1000 connections. See .env.example.',
  ]);
  expect(run.stdout + run.stderr).not.toContain(secret);
});

it("closes every database connection on SIGTERM and exits 0", async () => {
  const applicationName = `drain-${process.pid}`;
  const server = await startNext({ DATABASE_URL: db.url, DB_APPLICATION_NAME: applicationName });
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  const backends = async () =>
    (await admin.query("select count(*)::int as n from pg_stat_activity where application_name = $1", [applicationName]))
      .rows[0].n as number;
  try {
    await Promise.all(Array.from({ length: 5 }, () => fetch(`${server.url}/api/health`)));
    expect(await backends()).toBeGreaterThan(0);
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(await backends()).toBe(0);
  } finally {
    await server.stop();
    await admin.end();
  }
});

it("cuts a query stuck past DB_SHUTDOWN_TIMEOUT_MS short on SIGTERM, says so, and exits non-zero", async () => {
  const applicationName = `stuck-${process.pid}`;
  const server = await startNext({
    DATABASE_URL: db.url,
    DB_APPLICATION_NAME: applicationName,
    DB_STATEMENT_TIMEOUT_MS: "0",
    DB_SHUTDOWN_TIMEOUT_MS: "1000",
  });
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  try {
    const created = await fetch(`${server.url}/api/projects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ slug: "stuck", name: "Stuck" }),
    });
    const { id } = await created.json();
    // The PATCH waits for a row lock held by a session that sleeps: a query with no end in sight.
    await admin.query("begin");
    await admin.query("select 1 from projects where id = $1 for update", [id]);
    const gaveUp = new AbortController();
    const patch = fetch(`${server.url}/api/projects/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Never" }),
      signal: gaveUp.signal,
    }).catch(() => "aborted");
    const waiting = async () =>
      (await admin.query("select count(*)::int as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'", [applicationName])).rows[0].n;
    for (let i = 0; i < 100 && (await waiting()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await waiting()).toBe(1);
    // The client gives up, so Next.js has no request in flight and hands over to the drain at once.
    gaveUp.abort();
    expect(await patch).toBe("aborted");
    const started = Date.now();
    const code = await server.stop("SIGTERM");
    const took = Date.now() - started;
    expect(code, server.logs()).not.toBe(0);
    expect(took).toBeLessThan(10_000);
    expect(server.logs()).toMatch(/shutdown: closing the database pool was cut short after 1000 ms: 1 of \d+ connections still in use/);
    // The machine's PostgreSQL trusts loopback: no password to leak there.
    const password = new URL(db.url).password;
    expect(password && server.logs().includes(password)).toBeFalsy();
  } finally {
    await admin.query("rollback").catch(() => {});
    await admin.end();
    await server.stop();
  }
});
