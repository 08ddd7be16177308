// workerd binds a socket to the request that opened it: a pooled connection reused by the next request hangs until
// the runtime cancels that request. Each request gets a database of its own, opened on its first query and closed
// once its response is sent; lib/prisma.ts's exports resolve to the current request's.
import { AsyncLocalStorage } from "node:async_hooks";
import { createDatabase, type Database } from "@/lib/db/client";
import { poolConfig } from "@/lib/db/pool-config";
import { env } from "@/lib/env";

type Scope = { database?: Database };
const requests = new AsyncLocalStorage<Scope>();

/** Runs `handle` with a database of its own, and hands the closing of it to `waitUntil` (ctx.waitUntil). */
export async function withRequestDatabase<T>(handle: () => Promise<T>, waitUntil: (closing: Promise<unknown>) => void) {
  const scope: Scope = {};
  try {
    return await requests.run(scope, handle);
  } finally {
    if (scope.database) waitUntil(scope.database.close());
  }
}

function current(): Database {
  const scope = requests.getStore();
  if (!scope) throw new Error("No request in scope: on workerd the database is opened inside withRequestDatabase().");
  // A request's connections serve its own concurrent queries only: the edge budget, named apart in pg_stat_activity.
  return (scope.database ??= createDatabase({
    pool: { ...poolConfig, max: env.DB_EDGE_POOL_MAX, application_name: `${env.DB_APPLICATION_NAME}/workerd` },
  }));
}

// A method is bound to the real client: Prisma's use private fields, which a proxy as `this` cannot reach.
const forward = <T extends object>(resolve: () => T) =>
  new Proxy({} as T, {
    get: (_, key) => {
      const target = resolve();
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    has: (_, key) => key in resolve(),
  });

// Through a gateway (DB_GATEWAY_URL) the client holds no socket, only fetch() calls, which belong to no request:
// lib/prisma.ts's one client at module scope serves every request of the isolate.
export const perRequestDatabase: Database | undefined = env.DB_GATEWAY_URL ? undefined : {
  prisma: forward(() => current().prisma),
  primary: forward(() => current().primary),
  poolStats: () => current().poolStats(),
  close: async () => {
    await requests.getStore()?.database?.close();
  },
};
