// The gateway's one PostgreSQL pool. A failed wait for a connection is told apart by the pool's state when it
// failed: every connection handed out means a busy pool (the caller may retry shortly); room left means a new
// connection could not be opened (the database is down, slow or refuses the credentials).
import pg from "pg";
import type { GatewaySettings } from "./settings";

export type PoolStats = { total: number; idle: number; waiting: number; inUse: number; max: number };
/** Attached to an error from handing out a connection: how many were in use when it failed. */
export type AcquireState = { inUse: number; max: number };

export function createPool({ databaseUrl, pool: settings }: Pick<GatewaySettings, "databaseUrl" | "pool">, onIdleError: (error: Error) => void) {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: settings.max,
    connectionTimeoutMillis: settings.acquireTimeoutMs,
    idleTimeoutMillis: settings.idleTimeoutMs,
    // Sent in the startup packet: every session has them without a round trip.
    application_name: settings.applicationName,
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs,
  });
  // An idle connection the server drops (restart, failover) must not take the process down.
  pool.on("error", onIdleError);
  const inUse = new Set<unknown>();
  pool.on("acquire", (client) => inUse.add(client));
  pool.on("release", (_error, client) => inUse.delete(client));
  pool.on("remove", (client) => inUse.delete(client));
  const tag = (error: unknown) => {
    if (error && typeof error === "object") Object.assign(error, { acquireState: { inUse: inUse.size, max: settings.max } satisfies AcquireState });
    return error;
  };
  // pool.query() calls this.connect(callback); a transaction calls connect() for a promise.
  const connect = pool.connect.bind(pool) as (callback?: (error: Error | undefined, ...rest: unknown[]) => void) => unknown;
  pool.connect = ((callback?: (error: Error | undefined, ...rest: unknown[]) => void) => {
    if (callback) return connect((error, ...rest) => callback(error && (tag(error) as Error), ...rest));
    return (connect() as Promise<pg.PoolClient>).catch((error: unknown) => Promise.reject(tag(error)));
  }) as typeof pool.connect;
  return {
    pool,
    stats: (): PoolStats => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, inUse: inUse.size, max: settings.max }),
  };
}
