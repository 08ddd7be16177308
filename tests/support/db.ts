import { afterAll, beforeAll, inject } from "vitest";
import { createDatabase, type TestDatabase } from "../../scripts/support/postgres-admin";

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
