// `next build` connects to no database: the run's build (tests/support/next-build.ts) was given one, empty, and never
// opened a session on it. Install and build from a fresh clone, with no URL or a broken one: tests/deploy.
import { describe, expect, inject, it } from "vitest";
import { databaseUrl } from "../scripts/support/postgres-admin";
import { relations, sessionCounts } from "./support/db";

const database = inject("buildDatabase");

describe.skipIf(!database)("next build", () => {
  it("opens no session on the database DATABASE_URL names, and creates nothing there", async () => {
    expect(await sessionCounts([database!])).toEqual({ [database!]: 0 });
    expect(await relations(databaseUrl(inject("serverUrl"), database!))).toEqual([]);
  });
});
