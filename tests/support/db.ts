import { inject } from "vitest";
import { createDatabase, type TestDatabase } from "../../scripts/support/postgres-admin";

/** A database of this test file's own, with the project's migrations applied (or empty). Drop it in afterAll. */
export function createTestDatabase(prefix: string, { migrated = true } = {}): Promise<TestDatabase> {
  return createDatabase(inject("serverUrl"), prefix, migrated ? inject("templateDatabase") : undefined);
}

export const serverUrl = () => inject("serverUrl");
