import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "@/lib/env";
import { redact } from "@/lib/redact";

const ssl = { disable: false, require: { rejectUnauthorized: false }, "verify-full": { rejectUnauthorized: true } };

export function createAdapter() {
  const pool = new pg.Pool({
    connectionString: env.DATABASE_URL,
    max: env.DB_POOL_MAX,
    connectionTimeoutMillis: env.DB_POOL_ACQUIRE_TIMEOUT_MS,
    idleTimeoutMillis: env.DB_POOL_IDLE_TIMEOUT_MS,
    maxLifetimeSeconds: env.DB_POOL_MAX_LIFETIME_S,
    maxUses: env.DB_POOL_MAX_USES || Infinity,
    // Sent in the startup packet, so they hold for every session without an extra round trip.
    statement_timeout: env.DB_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    application_name: env.DB_APPLICATION_NAME,
    ...(env.DB_SSL_MODE && { ssl: ssl[env.DB_SSL_MODE] }),
  });
  // An idle connection that the server drops (restart, failover) must not take the process down with it.
  pool.on("error", (error) => console.error(`database: idle connection closed: ${redact(error.message)}`));
  return { adapter: new PrismaPg(pool), pool };
}
