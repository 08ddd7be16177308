// DB_PREPARED_STATEMENTS=true: the client's queries become named statements, prepared once per connection.
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createTestDatabase } from "./support/db";
import type { TestDatabase } from "../scripts/support/postgres-admin";

let db: TestDatabase;
let lib: typeof import("@/lib/prisma");
let api: typeof import("@/lib/api/projects");

beforeAll(async () => {
  db = await createTestDatabase("prepared");
  vi.stubEnv("DATABASE_URL", db.url);
  vi.stubEnv("DB_POOL_MAX", "1"); // one connection, so the session asked below is the one that ran the queries
  vi.stubEnv("DB_PREPARED_STATEMENTS", "true");
  // Every read reaches the database, so that each request prepares what it would.
  vi.stubEnv("CACHE_ENABLED", "false");
  lib = await import("@/lib/prisma");
  api = await import("@/lib/api/projects");
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

it("prepares one set of statements per route, whatever the spelling of the path a request came by", async () => {
  const { prisma } = lib;
  const project = await prisma.project.create({ data: { slug: "spelled", name: "Spelled" } });
  const statements = async () =>
    (await prisma.$queryRaw<{ n: number }[]>`select count(*)::int as n from pg_prepared_statements`)[0]!.n;
  /** Each character of the id percent-encoded or not, as bit i of `mask` says; Next.js decodes the parameter. */
  const spelled = (mask: number) => [...project.id].map((c, i) => (mask & (1 << i) ? `%${c.charCodeAt(0).toString(16)}` : c)).join("");
  const call = (handler: typeof api.getProject, method: string, mask: number, body?: unknown) =>
    handler(
      new Request(`http://127.0.0.1/api/projects/${spelled(mask)}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      { params: Promise.resolve({ id: project.id }) },
    );

  for (const [handler, method] of [[api.getProject, "GET"], [api.updateProject, "PATCH"]] as const) {
    expect((await call(handler, method, 0, method === "PATCH" ? { name: "n-0" } : undefined)).status).toBe(200);
  }
  const afterOne = await statements();
  for (let i = 1; i <= 50; i++) {
    expect((await call(api.getProject, "GET", i * 0x2f1)).status).toBe(200);
    expect((await call(api.updateProject, "PATCH", i * 0x1b3, { name: `n-${i}` })).status).toBe(200);
  }
  expect(await statements()).toBe(afterOne);
});
