// A read whose connection broke under it (the server restarted, a replica took over, a proxy cut the session) is
// sent once more, on another connection: it changed nothing, so a second try is safe and spares the client a 503.
// Anything else is not retried, since whether it committed before the connection broke is unknown; nor is a read
// whose first try already spent the acquire timeout, so that no request waits for a connection twice as long.
import type pg from "pg";

type QueryConfig = { text?: unknown };
type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

// SQLSTATEs of a session the server ended: 57P01 admin shutdown (a fast shutdown, pg_terminate_backend), 57P02 crash
// shutdown (another backend crashed).
const endedByServer = new Set(["57P01", "57P02"]);
const brokenSocket = /Connection terminated unexpectedly|connection error and is not queryable|ECONNRESET|EPIPE/;

export function isBrokenConnection(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === "string" && endedByServer.has(e.code)) return true;
  return brokenSocket.test(String(e?.message ?? ""));
}

/**
 * A statement that only reads: a SELECT, after any leading comments. Prisma's reads are; a raw SELECT that calls a
 * function with side effects is not, and belongs in a transaction, where nothing is retried.
 */
export function isRead(sql: unknown): boolean {
  if (typeof sql !== "string") return false;
  return /^select\b/i.test(sql.replace(/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, ""));
}

/** `pool.query` (Prisma's statements outside a transaction go through it) retries a read once on a broken connection. */
export function retryBrokenReads(pool: pg.Pool, acquireTimeoutMs: number): void {
  const query = pool.query.bind(pool) as Query;
  const retrying: Query = (config, values, callback) => {
    // The callback form and a text-only query are not what the driver adapter sends: left as they are.
    if (typeof callback === "function" || typeof values === "function" || typeof config !== "object" || !isRead((config as QueryConfig)?.text)) {
      return query(config, values, callback);
    }
    const started = performance.now();
    return (query(config, values) as Promise<unknown>).catch((error: unknown) => {
      const spent = performance.now() - started;
      if (!isBrokenConnection(error) || (acquireTimeoutMs > 0 && spent >= acquireTimeoutMs)) throw error;
      return query(config, values);
    });
  };
  pool.query = retrying as typeof pool.query;
}
