// The package's tests' clients: the fixture schema's generated client (test/support/global-setup.ts) over a pool of
// the test's own, extended with withQueryCache, on a database of the test file's own with the tables and triggers.
import { PrismaPg } from "@prisma/adapter-pg";
import type { Decimal } from "@prisma/client/runtime/client";
import pg from "pg";
import { inject } from "vitest";
import { createDatabase, type TestDatabase } from "../../../../scripts/support/postgres-admin";
import { withQueryCache, type CacheStats, type QueryCacheOptions } from "../../src/index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
  }
}

export type Post = { id: string; title: string; views: bigint; rating: Decimal | null; cover: Uint8Array | null; createdAt: Date; authorId: string };
export type Author = { id: string; name: string; posts?: Post[] };

// The generated client's types come from a file generated at run time; the tests see the methods they call.
type Args = Record<string, unknown>;
type Model<Row> = {
  create: (args: Args) => Promise<Row>;
  update: (args: Args) => Promise<Row>;
  updateMany: (args: Args) => Promise<{ count: number }>;
  delete: (args: Args) => Promise<Row>;
  findUnique: (args: Args) => Promise<Row | null>;
  findFirst: (args: Args) => Promise<Row | null>;
  findMany: (args?: Args) => Promise<Row[]>;
  count: (args?: Args) => Promise<number>;
  aggregate: (args: Args) => Promise<Record<string, Record<string, unknown>>>;
  groupBy: (args: Args) => Promise<Record<string, unknown>[]>;
};
export type TestClient = {
  author: Model<Author>;
  post: Model<Post>;
  $transaction: {
    <T>(run: (tx: TestClient) => Promise<T>): Promise<T>;
    <T extends unknown[]>(batch: [...T]): Promise<{ [K in keyof T]: Awaited<T[K]> }>;
  };
  $executeRaw: (sql: TemplateStringsArray, ...values: unknown[]) => Promise<number>;
  $cache: { invalidate: (input: { tags: string[] }) => Promise<void>; stats: () => CacheStats };
  $disconnect: () => Promise<void>;
};
type BaseClient = {
  $extends: (extension: unknown) => unknown;
  $on: (event: "query", listener: () => void) => void;
  $disconnect: () => Promise<void>;
};

/** A database with the fixture's tables and the package's triggers (sql/cache-notify.sql). */
export async function createSchemaDatabase(prefix: string): Promise<TestDatabase> {
  const db = await createDatabase(inject("serverUrl"), `test_${prefix}`);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(inject("cacheSchemaSql"));
  } finally {
    await client.end();
  }
  return db;
}

export type OpenClient = { prisma: TestClient; base: BaseClient; pool: pg.Pool; close: () => Promise<void> };

/** The generated client on a pool of 10 and `withQueryCache(options)`; `logQueries` emits a "query" event per statement. */
export async function openClient(url: string, options: QueryCacheOptions, { logQueries = false } = {}): Promise<OpenClient> {
  const { PrismaClient } = (await import(inject("cacheClientModule"))) as { PrismaClient: new (options: object) => BaseClient };
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const base = new PrismaClient({ adapter: new PrismaPg(pool), ...(logQueries && { log: [{ emit: "event", level: "query" }] }) });
  const prisma = base.$extends(withQueryCache(options)) as TestClient;
  return {
    prisma,
    base,
    pool,
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
