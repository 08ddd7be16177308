// Where a cache plugs into the gateway: nothing here caches. The server calls `read` for every plan outside a
// transaction that writes no table, and `written` once a write is committed (a plan outside a transaction at once,
// a transaction's at its commit; a rolled-back one never), with the tables it changed.
import type { IncomingHttpHeaders } from "node:http";

export type CacheableRead = {
  /** The API key's name: whose read it is. */
  key: string;
  /** The caller's headers: `cache-control` and `accelerate-cache-tags` are what @prisma/extension-accelerate sends. */
  headers: IncomingHttpHeaders;
  model?: string;
  operation?: string;
  plan: Record<string, unknown>;
  params: Record<string, unknown>;
  /** Tables the plan reads, `schema.table` or `table` as its SQL names them. */
  tables: ReadonlySet<string>;
};

export interface GatewayCache {
  /** Answers a read from the cache, or runs it (`execute` resolves to the response body) and may keep the answer. */
  read(read: CacheableRead, execute: () => Promise<string>): Promise<string>;
  /** A committed write changed these tables. */
  written(tables: ReadonlySet<string>): void | Promise<void>;
}
