// SQL comments with DB_PREPARED_STATEMENTS=true: statements are named after their text, so the comments must not
// make each request's text new, or every request would prepare its statements again on every connection.
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createTestDatabase } from "./support/db";
import type { TestDatabase } from "../scripts/support/postgres-admin";

let db: TestDatabase;
let lib: typeof import("@/lib/prisma");
let context: typeof import("@/lib/telemetry/request-context");

beforeAll(async () => {
  db = await createTestDatabase("comments");
  vi.stubEnv("DATABASE_URL", db.url);
  vi.stubEnv("DB_POOL_MAX", "1"); // one connection, so the session asked below is the one that ran the queries
  vi.stubEnv("DB_PREPARED_STATEMENTS", "true");
  lib = await import("@/lib/prisma");
  context = await import("@/lib/telemetry/request-context");
});
afterAll(async () => {
  await lib?.disconnect();
  await db?.drop();
});

const prepared = () =>
  lib.prisma.$queryRaw<{ statement: string }[]>`select statement from pg_prepared_statements where statement like '%"projects"%'`;

it("prepares a route's statements once, whatever the request, and names the route in them", async () => {
  const { prisma } = lib;
  const project = await prisma.project.create({ data: { slug: "commented", name: "Commented" } });
  // A PrismaPromise runs when awaited: inside the context, as in a route handler.
  const read = (requestId: string) =>
    context.withRequestContext({ requestId, route: "GET /api/projects/:id" }, async () => await prisma.project.findUnique({ where: { id: project.id } }));
  await read("request-0001");
  const afterOne = await prepared();
  for (let i = 2; i <= 6; i++) expect((await read(`request-000${i}`))?.slug).toBe("commented");
  const afterSix = await prepared();
  expect(afterSix.length).toBe(afterOne.length);
  const routes = afterSix.map((s) => /route='([^']*)'/.exec(s.statement)?.[1]).filter(Boolean).map((r) => decodeURIComponent(r!));
  expect(routes.length).toBeGreaterThanOrEqual(1);
  expect(new Set(routes)).toEqual(new Set(["GET /api/projects/:id"]));
  expect(afterSix.map((s) => s.statement).join("\n")).not.toContain("request_id");
});
