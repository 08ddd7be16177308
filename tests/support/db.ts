import { afterAll, beforeAll, inject } from "vitest";
import { createDatabase, withAdmin, type TestDatabase } from "../../scripts/support/postgres-admin";

/** A database of this test file's own, with the project's migrations applied (or empty). Drop it in afterAll. */
export function createTestDatabase(prefix: string, { migrated = true } = {}): Promise<TestDatabase> {
  return createDatabase(inject("serverUrl"), `test_${prefix}`, migrated ? inject("templateDatabase") : undefined);
}

export const serverUrl = () => inject("serverUrl");

/** This file's own migrated database for all its tests: made before the first, dropped after the last. */
export function databaseForThisFile(prefix: string): { readonly name: string; readonly url: string } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(prefix);
  });
  afterAll(async () => {
    await database?.drop();
  });
  const made = () => {
    if (!database) throw new Error("the test database is made in beforeAll");
    return database;
  };
  return {
    get name() {
      return made().name;
    },
    get url() {
      return made().url;
    },
  };
}

/** Tables, views and sequences outside the system schemas of the database at `url`. */
export function relations(url: string): Promise<string[]> {
  return withAdmin(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'm', 'S') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
        order by 1`,
    );
    return rows.map((row) => row.name);
  });
}

/** Sessions ever opened on each database (pg_stat_database), read from another database; -1 for one that is not there. */
export function sessionCounts(names: string[]): Promise<Record<string, number>> {
  return withAdmin(inject("serverUrl"), async (admin) => {
    const { rows } = await admin.query<{ datname: string; sessions: string }>(
      "select datname, sessions from pg_stat_database where datname = any($1)",
      [names],
    );
    return Object.fromEntries(names.map((name) => [name, Number(rows.find((row) => row.datname === name)?.sessions ?? -1)]));
  });
}
