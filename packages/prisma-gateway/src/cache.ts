// Where a cache plugs into the gateway. The server calls `read` for every plan outside a transaction that writes no
// table, `written` once a write is done (a plan outside a transaction at once, a transaction's at its commit; a
// rolled-back one never), with the tables it changed, and `invalidate` for POST /invalidate. shared-cache.ts is the
// gateway's own; a test or an embedder may pass another.
import type { IncomingHttpHeaders } from "node:http";

export type CacheableRead = {
  /** The API key's name: whose read it is. */
  key: string;
  /** The caller's headers: `cache-control` and `accelerate-cache-tags` are what @prisma/extension-accelerate sends. */
  headers: IncomingHttpHeaders;
  /**
   * What the read asks for, as a SHA-256: of the request body when it has no comments, else of the plan and its
   * parameters. Two reads with one digest run the same plan with the same values.
   */
  digest: string;
  /** Tables the plan reads, `schema.table` or `table` as its SQL names them. */
  tables: ReadonlySet<string>;
  /** The plan runs raw SQL: the tables above may not be all it reads. */
  raw: boolean;
};

/** The response body, and headers that say how it was answered (`accelerate-cache-status`, `last-modified`). */
export type CachedAnswer = { json: string; headers?: Record<string, string> };

export type GatewayCacheStats = {
  /** Whether answers are served and kept now (false while Redis or the NOTIFY listener is down). */
  trusted: boolean;
  hits: number;
  misses: number;
  /** Reads with a cache-control the cache could not vouch for: it was untrusted, or the plan ran raw SQL. */
  bypasses: number;
  /** Answers not kept for being over GATEWAY_CACHE_MAX_ENTRY_BYTES. */
  oversized: number;
  invalidations: number;
  errors: number;
  l1: { bytes: number; maxBytes: number; entries: number; evictions: number };
  redis: "off" | "ready" | "down";
  listener: "off" | "up" | "down";
};

export interface GatewayCache {
  /** Answers a read from the cache, or runs it (`execute` resolves to the response body) and may keep the answer. */
  read(read: CacheableRead, execute: () => Promise<string>): Promise<CachedAnswer>;
  /** A write changed these tables (it committed, or it failed in a way that may have committed). */
  written(tables: ReadonlySet<string>): Promise<void>;
  /** POST /invalidate: `{"tags": [...]}` from `$accelerate.invalidate`, `{"tags": "all"}` from `invalidateAll`. */
  invalidate(tags: readonly string[] | "all"): Promise<void>;
  stats(): GatewayCacheStats;
  close(): Promise<void>;
}
