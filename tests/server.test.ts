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
