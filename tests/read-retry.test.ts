// A pooled connection ended by the server mid-statement (as a restart or a failover ends it): a read is sent again on
// another connection, a write is not.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBrokenConnection, isRead, retryBrokenReads } from "@/lib/db/read-retry";
import type { TestDatabase } from "../scripts/support/postgres-admin";
import { createTestDatabase } from "./support/db";

let db: TestDatabase;
let admin: pg.Client;
const applicationName = `read-retry-${process.pid}`;

beforeAll(async () => {
  db = await createTestDatabase("read_retry", { migrated: false });
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query("create table writes (id serial primary key)");
});
afterAll(async () => {
  await admin?.end();
  await db?.drop();
});

/** A pool as the adapter builds it, counting the connections it opens. */
function pool() {
  const made = new pg.Pool({ connectionString: db.url, application_name: applicationName, max: 2, connectionTimeoutMillis: 5_000 });
  retryBrokenReads(made, 5_000);
  let connections = 0;
  made.on("connect", () => connections++);
  made.on("error", () => {});
  return { pool: made, connections: () => connections };
}

/** Ends the session running `pg_sleep` as soon as it is seen, as a server going down would. */
async function endTheSleepingSession() {
  for (let i = 0; i < 200; i++) {
    const { rowCount } = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and state = 'active' and query like '%pg_sleep%'",
      [applicationName],
    );
    if (rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("no session ran pg_sleep");
}

describe("a statement whose connection the server ends", () => {
  it("is answered, when a read, from a second connection", async () => {
    const { pool: reads, connections } = pool();
    try {
      const answer = reads.query({ text: "/* a comment */ select 1 as one, pg_sleep(0.3)::text as slept", values: [] });
      await endTheSleepingSession();
      expect((await answer).rows).toEqual([{ one: 1, slept: "" }]);
      expect(connections()).toBe(2);
    } finally {
      await reads.end();
    }
  });

  it("fails, when a write, and is not sent again", async () => {
    const { pool: writes, connections } = pool();
    try {
      // Its failure is taken as soon as it comes: it may come while the session is still being ended.
      const failure = writes.query({ text: "insert into writes (id) select 1 from pg_sleep(0.3)", values: [] }).then(() => null, (error: unknown) => error);
      await endTheSleepingSession();
      expect(await failure).toMatchObject({ code: "57P01" });
      // A second try would have inserted the row by now.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await admin.query("select count(*)::int as n from writes")).rows[0].n).toBe(0);
      expect(connections()).toBe(1);
    } finally {
      await writes.end();
    }
  });
});

it("tells reads and broken connections apart", () => {
  expect(isRead("select 1")).toBe(true);
  expect(isRead('  -- trace\n/* x */ SELECT "id" FROM "projects"')).toBe(true);
  expect(isRead('INSERT INTO "projects" ("id") VALUES ($1) RETURNING "id"')).toBe(false);
  expect(isRead("with gone as (delete from projects returning id) select * from gone")).toBe(false);
  expect(isRead("selected")).toBe(false);
  expect(isBrokenConnection(new Error("Connection terminated unexpectedly"))).toBe(true);
  expect(isBrokenConnection(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }))).toBe(true);
  expect(isBrokenConnection(Object.assign(new Error("relation does not exist"), { code: "42P01" }))).toBe(false);
  expect(isBrokenConnection(new Error("timeout exceeded when trying to connect"))).toBe(false);
});
