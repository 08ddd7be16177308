// The stacks: "prisma" is the app itself (a client from lib/db/client.ts, as lib/prisma.ts makes it); raw `pg` (the
// floor) and Drizzle get a bare `pg` pool with the app's settings. Modules load on open: a cold start pays for its own.
import type pg from "pg";
import type { createDatabase, Database, Db } from "@/lib/db/client";
import type { Drizzle } from "./drizzle-stack";

export type StackKind = "prisma" | "pg" | "drizzle";
export type Clients = { prisma: Db; pg: pg.Pool; drizzle: Drizzle };
export type Stack = { name: string; kind: StackKind; client: Clients[StackKind]; close: () => Promise<void>; database?: Database };
// preparedStatements: what named statements would gain where no old transaction pooler sits between ("prisma-prepared").
export type StackOptions = { name?: string; preparedStatements?: boolean; cache?: NonNullable<Parameters<typeof createDatabase>[0]>["cache"] };

/** Loads a stack's modules; the function it returns constructs the stack. */
export async function loadStack(kind: StackKind): Promise<(url: string, options?: StackOptions) => Stack> {
  if (kind === "prisma") {
    const { createDatabase } = await import("@/lib/db/client");
    return (url, { name = kind, preparedStatements = false, cache } = {}) => {
      const database = createDatabase({ url, replicaUrls: [], preparedStatements, cache: { enabled: false, ...cache } });
      return { name, kind, client: database.prisma, close: database.close, database };
    };
  }
  const [{ default: pg }, { databaseSettings }] = await Promise.all([import("pg"), import("@/lib/db/pool-config")]);
  const { drizzle, schema } = kind === "drizzle" ? { drizzle: (await import("drizzle-orm/node-postgres")).drizzle, schema: await import("./drizzle-schema") } : {};
  return (url, { name = kind } = {}) => {
    const pool = new pg.Pool({ ...databaseSettings().pool, connectionString: url });
    // An idle connection the server closes must not end the run: the pool opens another for the next query.
    pool.on("error", (error) => console.error(`bench: idle connection closed: ${error.message}`));
    return { name, kind, client: drizzle && schema ? drizzle({ client: pool, schema }) : pool, close: () => pool.end() };
  };
}
export const openStack = async (kind: StackKind, url: string, options?: StackOptions) => (await loadStack(kind))(url, options);
