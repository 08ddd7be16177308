// A failed wait for a connection means one of two things: every connection was busy (the pool is too small for
// the load), or a new connection could not be opened (the database is down, slow or refuses us). The pool's
// messages do not say which; its state does. Nothing here may import node:*: both runtimes' pools use it.

/** What the pool looked like when handing out a connection failed, attached to the error as `acquireState`. */
export type AcquireState = { inUse: number; max: number };

type Callback = (error: Error | undefined, ...rest: unknown[]) => void;
/** The part of a pg-pool Pool (node-postgres, @neondatabase/serverless) this needs. */
type PgPool = {
  connect: (...args: never[]) => unknown;
  on: (event: never, listener: never) => unknown;
};
type Events = { on: (event: "acquire" | "release" | "remove", listener: (...args: unknown[]) => void) => unknown };

/**
 * Counts the connections handed out and tags every failed `connect` (queries included) with that count. Returns the
 * pool's state now, for a wait that something else gave up on (Prisma's `maxWait`, lib/db/transaction-start.ts).
 */
export function recordAcquireState(pool: PgPool, max: number): () => AcquireState {
  const inUse = new Set<unknown>();
  const events = pool as unknown as Events;
  events.on("acquire", (client) => inUse.add(client));
  events.on("release", (_error, client) => inUse.delete(client));
  events.on("remove", (client) => inUse.delete(client));
  const tag = (error: unknown) => {
    if (error && typeof error === "object") Object.assign(error, { acquireState: { inUse: inUse.size, max } });
    return error;
  };
  const connect = pool.connect.bind(pool) as (callback?: Callback) => unknown;
  // pool.query() calls this.connect(callback); Prisma's transactions call connect() for a promise.
  pool.connect = (callback?: Callback) => {
    if (callback) return connect((error, ...rest) => callback(error && (tag(error) as Error), ...rest));
    return (connect() as Promise<unknown>).catch((error: unknown) => Promise.reject(tag(error)));
  };
  return () => ({ inUse: inUse.size, max });
}
