import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { recordAcquireState } from "@/lib/db/acquire-state";
import { connectionSettings } from "@/lib/db/connection-settings";
import { poolConfig, type PoolStats } from "@/lib/db/pool-config";
import { env } from "@/lib/env";
import { redact } from "@/lib/redact";

// A named statement is parsed and planned once per connection instead of on every query. A transaction pooler
// before PgBouncer 1.21 cannot carry them, hence off by default.
const statementNameGenerator = ({ sql }: { sql: string }) => `s${createHash("sha1").update(sql).digest("hex").slice(0, 24)}`;

export function createAdapter(connectionString = env.DATABASE_URL) {
  const pool = new pg.Pool(connectionSettings(connectionString, poolConfig, env.DB_SSL_MODE));
  // An idle connection that the server drops (restart, failover) must not take the process down with it.
  pool.on("error", (error) => console.error(`database: idle connection closed: ${redact(error.message)}`));
  recordAcquireState(pool, poolConfig.max);
  return {
    adapter: new PrismaPg(pool, env.DB_PREPARED_STATEMENTS ? { statementNameGenerator } : undefined),
    poolStats: (): PoolStats | null => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolConfig.max }),
    closePool: () => pool.end(),
  };
}

/** One pool per read replica, each sized like the primary's. */
export const createReplicaAdapters = () =>
  // `next build` imports this unvalidated (lib/env.ts), when the list is still a string or unset.
  (Array.isArray(env.DB_READ_REPLICA_URLS) ? env.DB_READ_REPLICA_URLS : []).map((url) => createAdapter(url));
