// How long each query waits for a connection. node-postgres reports no such event, so the pool's `connect` is
// wrapped: `pool.query` and Prisma's transactions both go through it.
import type pg from "pg";
import { observeAcquire } from "#telemetry/metrics";

type Callback = (error: Error | undefined, client: pg.PoolClient | undefined, release: (error?: Error) => void) => void;

export function measureAcquire(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (callback?: Callback) => Promise<pg.PoolClient> | void;
  pool.connect = ((callback?: Callback) => {
    const started = performance.now();
    const done = (error?: unknown) => observeAcquire((performance.now() - started) / 1000, error ? "failed" : "acquired");
    if (callback) {
      return connect((error, client, release) => {
        done(error);
        callback(error, client, release);
      });
    }
    return (connect() as Promise<pg.PoolClient>).then(
      (client) => (done(), client),
      (error: unknown) => {
        done(error);
        throw error;
      },
    );
  }) as typeof pool.connect;
}
