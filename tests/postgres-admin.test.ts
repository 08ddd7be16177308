// The databases that tests, `bun run bench` and `bun run soak` make for themselves are dropped with their sessions
// ended (scripts/support/postgres-admin.ts). A session that is already closing must be left to close: pg-pool's end()
// resolves before its connections have closed, and a pool that the server ends one of then throws from its "error"
// event.
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { expect, it } from "vitest";
import { createDatabase, withAdmin } from "../scripts/support/postgres-admin";
import { serverUrl } from "./support/db";

it("drop leaves a closing session to close, then ends one that stays", async () => {
  const database = await createDatabase(serverUrl(), "test_drop");
  const [closing, staying] = [new pg.Client({ connectionString: database.url }), new pg.Client({ connectionString: database.url })];
  await Promise.all([closing.connect(), staying.connect()]);
  const errors = { closing: [] as string[], staying: [] as string[] };
  closing.on("error", (error) => errors.closing.push(error.message));
  staying.on("error", (error) => errors.staying.push(error.message));
  const closed = sleep(200).then(() => closing.end());

  await database.drop();
  await closed;
  expect({ closing: errors.closing, staying: errors.staying[0] }).toEqual({ closing: [], staying: "terminating connection due to administrator command" });
  const left = await withAdmin(serverUrl(), (admin) => admin.query("select 1 from pg_database where datname = $1", [database.name]));
  expect(left.rowCount).toBe(0);
});
