import { env } from "@/lib/env";

/** What the data layer is built from: the env's values unless a caller (a benchmark, a test) overrides one. */
export type DatabaseSettings = {
  url: string;
  replicaUrls: string[];
  preparedStatements: boolean;
  sslMode: typeof env.DB_SSL_MODE;
  pool: typeof poolConfig;
};

/** node-postgres pool options from the env; the edge driver takes the same ones. */
export const poolConfig = {
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
};

export const databaseSettings = (): DatabaseSettings => ({
  url: env.DATABASE_URL,
  // `next build` imports this unvalidated (lib/env.ts), when the list is still a string or unset.
  replicaUrls: Array.isArray(env.DB_READ_REPLICA_URLS) ? env.DB_READ_REPLICA_URLS : [],
  preparedStatements: env.DB_PREPARED_STATEMENTS,
  sslMode: env.DB_SSL_MODE,
  pool: poolConfig,
});

export type PoolStats = { total: number; idle: number; waiting: number; max: number };
