// DATABASE_URL read the way node-postgres reads it (pg-connection-string), for the pool and for the edge bridge,
// so both reach the same server: an IPv6 address, a Unix socket directory (`?host=/run/postgresql`), a name.
import type { PoolConfig } from "pg";
import { parse, parseIntoClientConfig } from "pg-connection-string";

export type SslMode = "disable" | "require" | "verify-full";

const sslOptions: Record<SslMode, PoolConfig["ssl"]> = {
  disable: false,
  require: { rejectUnauthorized: false },
  "verify-full": { rejectUnauthorized: true },
};

/**
 * The URL's settings over `settings` (as node-postgres merges them), then `sslMode` over the URL's `sslmode`: the
 * variable is the deliberate, per-deployment choice, the URL often a copied default.
 */
export function connectionSettings(url: string | undefined, settings: PoolConfig, sslMode?: SslMode): PoolConfig {
  const { connectionString: _, ...rest } = settings;
  // `next build` evaluates this with no URL (lib/env.ts); no connection is opened then.
  const fromUrl = url ? parseIntoClientConfig(url) : {};
  return { ...rest, ...fromUrl, ...(sslMode && { ssl: sslOptions[sslMode] }) };
}

/** Where a plain TCP or Unix-socket connection to the database goes: a host and port, or a socket path. */
export type DatabaseTarget = { host: string; port: number } | { socketPath: string; port: number };

/** The one server DATABASE_URL names; anything a single connection cannot follow is an error that says so. */
export function databaseTarget(url: string): DatabaseTarget {
  const { host, port: portText } = parse(url);
  const port = Number(portText || 5432);
  if (host?.includes(",") || portText?.includes(",")) {
    throw new Error("DATABASE_URL names several hosts; the edge bridge reaches one server only");
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`DATABASE_URL has an invalid port`);
  if (host?.startsWith("/")) return { socketPath: `${host}/.s.PGSQL.${port}`, port };
  return { host: host || "localhost", port };
}
