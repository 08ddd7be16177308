// The gateway's shared cache: prisma-query-cache's store (L1 in memory, Redis as L2), its generation counters and
// its NOTIFY listener, keyed on the plan and its parameters. What a client asks for is what
// @prisma/extension-accelerate sends: `cache-control: max-age=N,stale-while-revalidate=M` and
// `accelerate-cache-tags: a,b`. A read is tagged with the tables its plan reads and with the caller's tags; a write
// through any gateway, a NOTIFY from the cache_notify triggers or POST /invalidate bumps their counters, and since a
// key holds the counters as they were before its query ran, an answer that raced a write is stored where no later
// read looks.
import { createHash } from "node:crypto";
import {
  connectRedis,
  createStore,
  defaults,
  everyTag,
  memoryGenerations,
  startNotifyListener,
  StoreFailure,
  validStrategy,
  type NotifyListener,
} from "prisma-query-cache/parts";
import type { CacheableRead, CachedAnswer, GatewayCache, GatewayCacheStats } from "./cache";
import { GatewayError, redact } from "./errors";
import type { GatewayLog } from "./server";

export type SharedCacheSettings = {
  /** Bytes of process memory the answers, their keys and bookkeeping may take. */
  l1MaxBytes: number;
  /** An answer longer than this is served and not kept. */
  maxEntryBytes: number;
  /** Redis that every gateway shares: L2, and the counters with their pub/sub. Without it, this process alone. */
  redisUrl?: string;
  /** A direct connection that LISTENs for the cache_notify triggers; without it, only writes through gateways invalidate. */
  notifyUrl?: string;
  applicationName: string;
};

/** What a cached answer holds: the body as sent, and when its query ran. */
type Entry = { json: string; at: number };

/** The answer was too long to keep; it is served all the same. */
class Oversized extends Error {
  constructor(readonly json: string) {
    super("oversized");
  }
}

const tableTag = (table: string) => `table:${table.slice(table.lastIndexOf(".") + 1)}`;
/** `"Odd"."Name"` (how regclass prints a name that needs quotes) → `Odd.Name`. */
const unquote = (name: string) => name.replace(/"((?:[^"]|"")*)"/g, (_quoted, inner: string) => inner.replaceAll('""', '"'));
const userTag = (tag: string) => `tag:${tag}`;

/** The tables whose rows a write to each table may change through foreign keys: `ON DELETE/UPDATE CASCADE`, `SET NULL`, `SET DEFAULT`. */
export type Cascades = Map<string, string[]>;

/** Reads the foreign keys that change other tables' rows, from the database the gateway serves. */
export type LoadCascades = () => Promise<{ child: string; parent: string }[]>;

export const cascadesSql = `select distinct c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
  from pg_constraint c where c.contype = 'f' and (c.confdeltype in ('c', 'n', 'd') or c.confupdtype in ('c', 'n', 'd'))`;

export function startSharedCache(settings: SharedCacheSettings, log: GatewayLog, loadCascades?: LoadCascades): GatewayCache {
  const report = (message: string) => log("warn", `cache: ${redact(message)}`);
  const shared = settings.redisUrl ? connectRedis(settings.redisUrl, report) : undefined;
  const generations = shared?.generations ?? memoryGenerations();
  const store = createStore({ l1MaxBytes: settings.l1MaxBytes, redis: shared?.commands, backgroundRefreshes: defaults.backgroundRefreshes });
  const counts = { hits: 0, misses: 0, bypasses: 0, oversized: 0, invalidations: 0, errors: 0 };

  const bump = async (tags: string[]) => {
    if (tags.length === 0) return;
    counts.invalidations += tags.length;
    try {
      await generations.bump(tags);
    } catch (error) {
      // The counters are no longer ready: reads bypass the cache until a resync has invalidated everything.
      counts.errors++;
      report(`an invalidation did not reach Redis: ${(error as Error).message}`);
    }
  };

  // A write's own SQL names the table it changes, not the rows a cascade changes elsewhere: those tables are
  // invalidated with it, so that the writer reads its own write there too (the triggers tell everyone else).
  let cascades: Cascades | undefined = loadCascades ? undefined : new Map();
  let retry: NodeJS.Timeout | undefined;
  let unread = false;
  const learnCascades = async () => {
    if (!loadCascades) return;
    clearTimeout(retry);
    try {
      const learned: Cascades = new Map();
      for (const { child, parent } of await loadCascades()) {
        const [from, to] = [tableTag(unquote(parent)), tableTag(unquote(child))];
        learned.set(from, [...(learned.get(from) ?? []), to]);
      }
      cascades = learned;
      unread = false;
    } catch (error) {
      if (!unread) report(`foreign keys not read, reads bypass the cache until they are: ${(error as Error).message}`);
      unread = true;
      if (cascades === undefined) retry = setTimeout(() => void learnCascades(), 1_000).unref();
    }
  };
  void learnCascades();
  const withCascades = (tags: string[]) => {
    const all = new Set(tags);
    for (const tag of all) for (const reached of cascades?.get(tag) ?? []) all.add(reached);
    return [...all];
  };

  let listener: NotifyListener | undefined;
  if (settings.notifyUrl) {
    listener = startNotifyListener({
      url: settings.notifyUrl,
      applicationName: settings.applicationName,
      report,
      onTables: (tables) => void bump(tables.map(tableTag)),
      // Writes made while it was not listening were not heard; the schema may have changed meanwhile.
      onUp: async () => {
        await learnCascades();
        await bump([everyTag]);
      },
    });
  }
  const trusted = () => cascades !== undefined && generations.ready() && (listener?.up() ?? true);

  return {
    async read(read: CacheableRead, execute: () => Promise<string>): Promise<CachedAnswer> {
      const strategy = cacheControl(read.headers["cache-control"]);
      if (!strategy) return { json: await execute(), headers: { "accelerate-cache-status": "none" } };
      const tags = cacheTags(read.headers["accelerate-cache-tags"]);
      if (!trusted() || read.raw || read.tables.size === 0) {
        counts.bypasses++;
        return { json: await execute(), headers: { "accelerate-cache-status": "none" } };
      }
      const keyTags = [...new Set([...read.tables].map(tableTag)), ...tags.map(userTag)];
      // The counters are read before the query runs: see prisma-query-cache's generations.ts.
      const key = `gateway:${read.digest}@${generations.token(keyTags)}`;
      const ttl = strategy.ttl * 1000;
      const load = async (): Promise<Entry> => {
        const at = Date.now();
        const json = await execute();
        if (json.length > settings.maxEntryBytes / 3 && Buffer.byteLength(json) > settings.maxEntryBytes) throw new Oversized(json);
        return { json, at };
      };
      try {
        const { value, loaded } = await store.getOrLoad(key, { ttl: Math.max(1, ttl), grace: strategy.swr * 1000 }, load);
        const { json, at } = value as Entry;
        if (loaded) counts.misses++;
        else counts.hits++;
        const status = loaded ? "miss" : Date.now() > at + ttl ? "swr" : "ttl";
        return { json, headers: { "accelerate-cache-status": status, "last-modified": new Date(at).toUTCString() } };
      } catch (error) {
        if (error instanceof Oversized) {
          counts.oversized++;
          return { json: error.json, headers: { "accelerate-cache-status": "none" } };
        }
        if (!(error instanceof StoreFailure)) throw error;
        counts.errors++;
        report(`read answered from the database: ${error.message}`);
        return { json: await execute(), headers: { "accelerate-cache-status": "none" } };
      }
    },

    written: (tables) => bump(tables.has("*") ? [everyTag] : withCascades([...new Set([...tables].map(tableTag))])),

    async invalidate(tags) {
      if (tags === "all") return bump([everyTag]);
      let valid: string[];
      try {
        valid = validStrategy({ tags: [...tags] }).tags;
      } catch (error) {
        throw new GatewayError(400, "P6005", `Invalid /invalidate body: ${(error as Error).message.replace("cacheStrategy.tags", "tags")}.`);
      }
      return bump(valid.map(userTag));
    },

    stats(): GatewayCacheStats {
      const redis = shared ? (shared.commands.status === "ready" && generations.ready() ? "ready" : "down") : "off";
      return { trusted: trusted(), ...counts, l1: store.l1(), redis, listener: listener ? (listener.up() ? "up" : "down") : "off" };
    },

    async close() {
      clearTimeout(retry);
      await listener?.close();
      await store.close();
      generations.close();
    },
  };
}

const seconds = /^\d{1,8}$/;

/**
 * `max-age` and `stale-while-revalidate` in seconds; null when the caller asks for no caching (no header,
 * `no-cache`, `no-store`, or neither value above 0). A value out of range is refused, as a cacheStrategy's would be.
 */
export function cacheControl(header: string | string[] | undefined): { ttl: number; swr: number } | null {
  if (header === undefined) return null;
  let ttl = 0;
  let swr = 0;
  for (const directive of String(header).split(",")) {
    const [name = "", value] = directive.trim().toLowerCase().split("=", 2) as [string, string | undefined];
    if (name === "no-cache" || name === "no-store") return null;
    if (name !== "max-age" && name !== "stale-while-revalidate") continue;
    if (value === undefined || !seconds.test(value) || Number(value) > 31_536_000) {
      throw new GatewayError(400, "P6005", `Invalid cache-control: ${name} must be a whole number of seconds from 0 to 31536000.`);
    }
    if (name === "max-age") ttl = Number(value);
    else swr = Number(value);
  }
  return ttl > 0 || swr > 0 ? { ttl, swr } : null;
}

/** `accelerate-cache-tags: a,b`: at most 5, each 1 to 64 of A-Z a-z 0-9 _ : . - */
export function cacheTags(header: string | string[] | undefined): string[] {
  if (header === undefined || header === "") return [];
  const tags = String(header).split(",").map((tag) => tag.trim());
  try {
    return validStrategy({ tags }).tags;
  } catch (error) {
    throw new GatewayError(400, "P6005", `Invalid accelerate-cache-tags: ${(error as Error).message.replace("cacheStrategy.tags ", "")}.`);
  }
}

/** SHA-256 of the plan and its parameters: the same query with the same values, from any client of this version. */
export function planDigest(plan: unknown, params: unknown): string {
  return createHash("sha256").update(JSON.stringify(plan)).update("\0").update(JSON.stringify(params)).digest("base64url");
}
