// DB_PREPARED_STATEMENTS=true: the client's queries become named statements, prepared once per connection.
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createTestDatabase } from "./support/db";
import type { TestDatabase } from "../scripts/support/postgres-admin";

let db: TestDatabase;
let lib: typeof import("@/lib/prisma");

beforeAll(async () => {
  db = await createTestDatabase("prepared");
  vi.stubEnv("DATABASE_URL", db.url);
  vi.stubEnv("DB_POOL_MAX", "1"); // one connection, so the session asked below is the one that ran the queries
  vi.stubEnv("DB_PREPARED_STATEMENTS", "true");
  lib = await import("@/lib/prisma");
});
afterAll(async () => {
  await lib?.disconnect();
  await db?.drop();
});

it("prepares each distinct statement once and reuses it", async () => {
  const { prisma } = lib;
  const project = await prisma.project.create({ data: { slug: "prepared", name: "Prepared" } });
  for (let i = 0; i < 3; i++) expect((await prisma.project.findUnique({ where: { id: project.id } }))?.slug).toBe("prepared");
  const statements = await prisma.$queryRaw<{ name: string; statement: string }[]>`
    select name, statement from pg_prepared_statements where statement like '%"projects"%'`;
  const names = statements.map((s) => s.name);
  expect(names.length).toBeGreaterThanOrEqual(2);
  expect(names.every((name) => /^s[0-9a-f]{24}$/.test(name))).toBe(true);
  expect(new Set(names).size).toBe(names.length);
});
