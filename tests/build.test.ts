// `next build` connects to no database: the run's build (tests/support/next-build.ts) was given one, empty, and never
// opened a session on it. Install and build from a fresh clone, with no URL or a broken one: tests/deploy.
import { describe, expect, inject, it } from "vitest";
import { databaseUrl, withAdmin } from "../scripts/support/postgres-admin";

const database = inject("buildDatabase");

describe.skipIf(!database)("next build", () => {
  it("opens no session on the database DATABASE_URL names, and creates nothing there", async () => {
    const found = await withAdmin(inject("serverUrl"), async (admin) => {
      const { rows } = await admin.query<{ sessions: string }>("select sessions from pg_stat_database where datname = $1", [database]);
      return rows.map((row) => Number(row.sessions));
    });
    expect(found).toEqual([0]);
    const relations = await withAdmin(databaseUrl(inject("serverUrl"), database!), async (client) =>
      (await client.query("select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'")).rows,
    );
    expect(relations).toEqual([]);
  });
});
