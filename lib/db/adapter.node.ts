import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { recordAcquireState, type AcquireState } from "@/lib/db/acquire-state";
import { connectionSettings } from "@/lib/db/connection-settings";
import type { DatabaseSettings, PoolStats } from "@/lib/db/pool-config";
import { retryBrokenReads } from "@/lib/db/read-retry";
import { measureAcquire } from "@/lib/db/telemetry/pool-acquire";
import { log } from "@/lib/log";

// A named statement is parsed and planned once per connection instead of on every query. A transaction pooler
// before PgBouncer 1.21 cannot carry them, hence off by default.
const statementNameGenerator = ({ sql }: { sql: string }) => `s${createHash("sha1").update(sql).digest("hex").slice(0, 24)}`;

export function createAdapter({ url, pool: poolConfig, preparedStatements, sslMode }: DatabaseSettings) {
  const pool = new pg.Pool(connectionSettings(url, poolConfig, sslMode));
  // An idle connection that the server drops (restart, failover) must not take the process down with it.
  pool.on("error", (error) => log.error("database: idle connection closed", { error }));
  retryBrokenReads(pool, poolConfig.connectionTimeoutMillis);
  const acquireState = recordAcquireState(pool, poolConfig.max);
  measureAcquire(pool);
  return {
    adapter: new PrismaPg(pool, preparedStatements ? { statementNameGenerator } : undefined),
    poolStats: (): PoolStats | null => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolConfig.max }),
    acquireState: (): AcquireState | undefined => acquireState(),
    closePool: () => pool.end(),
  };
}

export const reachesReplicas = true;
