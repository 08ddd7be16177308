// lib/prisma.ts in this process: one client however often the module is evaluated, configured from the env.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "./support/db";
import type { TestDatabase } from "../scripts/support/postgres-admin";

const applicationName = `client-test-${process.pid}`;
let db: TestDatabase;
let admin: pg.Client;
let lib: typeof import("@/lib/prisma");

const backends = async () =>
  (
    await admin.query("select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = $2", [
      db.name,
      applicationName,
    ])
  ).rows[0].n as number;

beforeAll(async () => {
  db = await createTestDatabase("client");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  vi.stubEnv("DATABASE_URL", db.url);
  vi.stubEnv("DB_POOL_MAX", "3");
  vi.stubEnv("DB_POOL_ACQUIRE_TIMEOUT_MS", "300");
  vi.stubEnv("DB_STATEMENT_TIMEOUT_MS", "1500");
  vi.stubEnv("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "4321");
  vi.stubEnv("DB_APPLICATION_NAME", applicationName);
  lib = await import("@/lib/prisma");
});
afterAll(async () => {
  await lib?.disconnect();
  await admin?.end();
  await db?.drop();
});

describe("the client singleton", () => {
  it("is the same client, on the same pool, however often the module is evaluated again", async () => {
    await lib.prisma.project.count();
    const before = await backends();
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) {
      vi.resetModules();
      const again = await import("@/lib/prisma");
      expect(again.prisma).toBe(lib.prisma);
      await again.prisma.project.count();
    }
    expect(await backends()).toBe(before);
  });
});

describe("pool settings from the environment", () => {
  it("reach every session on the server", async () => {
    const [settings] = await lib.prisma.$queryRaw<{ statement: string; idle: string; app: string }[]>`
      select current_setting('statement_timeout') as statement,
             current_setting('idle_in_transaction_session_timeout') as idle,
             current_setting('application_name') as app`;
    expect(settings).toEqual({ statement: "1500ms", idle: "4321ms", app: applicationName });
  });

  it("never open more backends than the maximum under 10x concurrent load", async () => {
    let peak = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        peak = Math.max(peak, await backends());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    // Each query holds its connection for 50 ms; 30 of them need the 3 connections in turn, within the 300 ms wait.
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => lib.prisma.$queryRaw`select 1 as one from pg_sleep(0.05)`),
    );
    done = true;
    await watch;
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(3);
    expect(lib.poolStats()).toMatchObject({ max: 3, waiting: 0 });
    // Some may have waited longer than the acquire timeout: those fail, none hang.
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThan(0);
  });

  it("cuts a statement at the statement timeout, with a clear 503", async () => {
    const { toHttpError } = await import("@/lib/db/errors");
    const error = await lib.prisma.$queryRaw`select 1 as one from pg_sleep(5)`.catch((e: unknown) => e);
    expect(toHttpError(error)).toMatchObject({ status: 503, code: "query_timeout" });
  });

  it("answers a transaction past its timeout as a statement past the statement timeout", async () => {
    const { toHttpError } = await import("@/lib/db/errors");
    // The first statement alone outlasts the transaction's 100 ms, so the second always finds it expired.
    const error = await lib.prisma
      .$transaction(
        async (tx) => {
          await tx.$queryRaw`select 1 as one from pg_sleep(0.3)`;
          return tx.project.count();
        },
        { timeout: 100 },
      )
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("P2028");
    expect(toHttpError(error)).toMatchObject({ status: 503, code: "query_timeout" });
  });

  it("fails a request that waits longer than the acquire timeout, with a clear 503", async () => {
    const { toHttpError } = await import("@/lib/db/errors");
    // Prisma's queries are lazy: Promise.all is what sends them.
    const holders = Promise.all(Array.from({ length: 3 }, () => lib.prisma.$queryRaw`select 1 as one from pg_sleep(1)`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const error = await lib.prisma.project.count().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(toHttpError(error)).toMatchObject({ status: 503, code: "pool_exhausted" });
    await holders;
  });
});
