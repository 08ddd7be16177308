// Prisma's P2028 for an interactive transaction that could not start within `maxWait`, from the client the app builds
// (lib/db/client.ts) on real pools: the error carries the pool's state, and so answers 503 with the right code.
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "./support/db";
import type { TestDatabase } from "../scripts/support/postgres-admin";

let db: TestDatabase;
let lib: typeof import("@/lib/db/client");
let poolConfig: typeof import("@/lib/db/pool-config").poolConfig;
let toHttpError: typeof import("@/lib/db/errors").toHttpError;

beforeAll(async () => {
  db = await createTestDatabase("transaction_start");
  vi.stubEnv("DATABASE_URL", db.url);
  vi.stubEnv("CACHE_LISTEN_NOTIFY", "false");
  lib = await import("@/lib/db/client");
  ({ poolConfig } = await import("@/lib/db/pool-config"));
  ({ toHttpError } = await import("@/lib/db/errors"));
});
afterAll(async () => {
  await db?.drop();
});

// The pool's own wait (10 s) outlasts Prisma's `maxWait` (300 ms), so Prisma's is the one that ends it.
const open = (url: string, max: number) =>
  lib.createDatabase({ url, pool: { ...poolConfig, connectionString: url, max, connectionTimeoutMillis: 10_000 } });
const failureOf = (attempt: Promise<unknown>) =>
  attempt.then(
    () => "no failure",
    (error: { code?: string }) => {
      const { status, code } = toHttpError(error);
      return `${error.code} ${status} ${code}`;
    },
  );

describe("a transaction that could not start in time", () => {
  it("is pool_exhausted when every connection of the pool is in use", async () => {
    const database = open(db.url, 1);
    try {
      let held!: () => void;
      const holding = new Promise<void>((resolve) => (held = resolve));
      const holder = database.prisma.$transaction(async (tx) => {
        held();
        await tx.$queryRaw`select pg_sleep(1.5)::text as slept`;
      });
      await holding;
      const failure = await failureOf(database.prisma.$transaction(async (tx) => tx.project.count(), { maxWait: 300 }));
      await holder;
      expect(failure).toBe("P2028 503 pool_exhausted");
      // The pool is whole again: the next transaction starts.
      expect(await database.prisma.$transaction(async (tx) => tx.project.count())).toBe(0);
    } finally {
      await database.close();
    }
  });

  it("is database_unavailable when the server accepts the connection and never answers", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const database = open(`postgresql://app:secret@127.0.0.1:${port}/app`, 4);
    try {
      const failure = await failureOf(database.prisma.$transaction(async (tx) => tx.project.count(), { maxWait: 300 }));
      expect(failure).toBe("P2028 503 database_unavailable");
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await database.close().catch(() => {});
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
