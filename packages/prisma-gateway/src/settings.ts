// The gateway's environment contract: every GATEWAY_* variable (and DATABASE_URL), validated once at start-up.
// A bad value stops the gateway with one line that names the variable and never shows a URL's or a key's value.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { parseApiKeys, type ApiKey } from "./keys";
import type { SharedCacheSettings } from "./shared-cache";

const wholeNumber = (fallback: number, min: number, max: number, unit = "") => {
  const accepted = `must be a whole number from ${min} to ${max}${unit}`;
  return z.coerce.number({ error: accepted }).int({ error: accepted }).min(min, accepted).max(max, accepted).default(fallback);
};
const flag = (fallback: boolean) => z.stringbool({ error: "must be true or false" }).default(fallback);
const instanceName = /^[a-z0-9][a-z0-9-]{0,31}$/;

const schema = z.object({
  DATABASE_URL: z.string().refine((url) => /^postgres(ql)?:\/\//i.test(url), "must be a postgresql://user:password@host:port/database URL"),
  GATEWAY_PORT: wholeNumber(4466, 0, 65_535),
  GATEWAY_HOST: z.string().min(1).default("127.0.0.1"),
  GATEWAY_API_KEYS: z.string({ error: "must list at least one API key" }).transform((list, ctx) => {
    try {
      return parseApiKeys(list);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  }),
  GATEWAY_TLS_CERT_FILE: z.string().min(1).optional(),
  GATEWAY_TLS_KEY_FILE: z.string().min(1).optional(),
  GATEWAY_ALLOW_PLAINTEXT_REMOTE: flag(false),
  GATEWAY_POOL_MAX: wholeNumber(10, 1, 1000, " connections"),
  GATEWAY_POOL_ACQUIRE_TIMEOUT_MS: wholeNumber(5_000, 100, 600_000, " ms"),
  GATEWAY_POOL_IDLE_TIMEOUT_MS: wholeNumber(10_000, 0, 3_600_000, " ms (0 keeps idle connections open)"),
  GATEWAY_QUERY_TIMEOUT_MS: wholeNumber(15_000, 0, 3_600_000, " ms (0 means no limit)"),
  GATEWAY_MAX_TRANSACTION_TIMEOUT_MS: wholeNumber(15_000, 100, 3_600_000, " ms"),
  GATEWAY_MAX_TRANSACTION_WAIT_MS: wholeNumber(10_000, 100, 600_000, " ms"),
  GATEWAY_MAX_TRANSACTIONS_PER_KEY: wholeNumber(100, 1, 100_000),
  GATEWAY_MAX_BODY_BYTES: wholeNumber(5 * 1024 * 1024, 1024, 1024 * 1024 * 1024, " bytes"),
  GATEWAY_MAX_RESPONSE_BYTES: wholeNumber(5 * 1024 * 1024, 1024, 1024 * 1024 * 1024, " bytes"),
  GATEWAY_INSTANCE: z.string().regex(instanceName, "must be 1 to 32 lower-case letters, digits or dashes").optional(),
  GATEWAY_PEERS: z
    .string()
    .transform((list, ctx) => {
      const peers = new Map<string, string>();
      for (const entry of list.split(",").map((item) => item.trim()).filter(Boolean)) {
        const [name, url] = [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)];
        if (!instanceName.test(name) || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
          ctx.addIssue({ code: "custom", message: "must be a comma-separated list of name=http(s)://host:port entries" });
          return z.NEVER;
        }
        peers.set(name, url.replace(/\/+$/, ""));
      }
      return peers;
    })
    .default(new Map()),
  GATEWAY_SLOW_QUERY_MS: wholeNumber(1_000, 0, 3_600_000, " ms (0 turns the slow-query log off)"),
  GATEWAY_SHUTDOWN_TIMEOUT_MS: wholeNumber(10_000, 100, 600_000, " ms"),
  GATEWAY_APPLICATION_NAME: z.string().regex(/^[\x20-\x7e]{1,63}$/, "must be 1 to 63 printable ASCII characters").default("prisma-gateway"),
  GATEWAY_METRICS_TOKEN: z.string().regex(/^[\x21-\x7e]{16,256}$/, "must be 16 to 256 printable ASCII characters without spaces").optional(),
  GATEWAY_CACHE: flag(true),
  GATEWAY_CACHE_L1_MAX_MB: wholeNumber(64, 1, 65_536, " MB"),
  GATEWAY_CACHE_MAX_ENTRY_BYTES: wholeNumber(1024 * 1024, 1024, 1024 * 1024 * 1024, " bytes"),
  GATEWAY_CACHE_REDIS_URL: z.string().refine((url) => /^rediss?:\/\/./i.test(url) && URL.canParse(url), "must be a redis:// or rediss:// URL").optional(),
  GATEWAY_CACHE_LISTEN_NOTIFY: flag(true),
  GATEWAY_CACHE_NOTIFY_URL: z.string().refine((url) => /^postgres(ql)?:\/\//i.test(url), "must be a postgresql:// URL").optional(),
  GATEWAY_LOG_LEVEL: z.enum(["error", "warn", "info", "debug", "silent"], { error: "must be one of error, warn, info, debug, silent" }).default("info"),
});

export type GatewaySettings = {
  databaseUrl: string;
  port: number;
  host: string;
  apiKeys: ApiKey[];
  tls?: { certFile: string; keyFile: string };
  /** Listen beyond loopback without TLS (behind a proxy that terminates it). */
  allowPlaintextRemote: boolean;
  pool: { max: number; acquireTimeoutMs: number; idleTimeoutMs: number; applicationName: string; statementTimeoutMs: number; idleInTransactionTimeoutMs: number };
  limits: { maxTransactionTimeoutMs: number; maxTransactionWaitMs: number; maxTransactionsPerKey: number; maxBodyBytes: number; maxResponseBytes: number };
  /** This instance's name: the prefix of every transaction id it hands out. */
  instance: string;
  /** The other instances behind the same address, by name: where a transaction's requests are forwarded. */
  peers: Map<string, string>;
  shutdownTimeoutMs: number;
  /** Statements slower than this are logged, their SQL without parameter values; 0: none. */
  slowQueryMs: number;
  metricsToken?: string;
  /** The shared cache (shared-cache.ts); undefined when GATEWAY_CACHE is false. */
  cache?: SharedCacheSettings;
  logLevel: "error" | "warn" | "info" | "debug" | "silent";
};

export class GatewayEnvError extends Error {
  override name = "GatewayEnvError";
}

// Values never shown: they hold a password or a key.
const secret = (name: string) => /URL|KEYS|TOKEN/.test(name);

/** The settings from `vars` (process.env by default); throws GatewayEnvError naming every bad variable. */
export function gatewaySettings(vars: Record<string, string | undefined> = process.env): GatewaySettings {
  const present = Object.fromEntries(Object.entries(vars).filter(([name, value]) => name in schema.shape && value !== undefined && value !== ""));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const value = present[name];
      const shown = value === undefined ? "is not set" : secret(name) ? "is set" : `is ${JSON.stringify(value)}`;
      return `${name} ${shown}: ${issue.message}`;
    });
    throw new GatewayEnvError(`Invalid gateway environment: ${problems.join("; ")}.`);
  }
  const env = result.data;
  if (Boolean(env.GATEWAY_TLS_CERT_FILE) !== Boolean(env.GATEWAY_TLS_KEY_FILE)) {
    throw new GatewayEnvError("Invalid gateway environment: GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE go together.");
  }
  const tls = env.GATEWAY_TLS_CERT_FILE && env.GATEWAY_TLS_KEY_FILE ? { certFile: env.GATEWAY_TLS_CERT_FILE, keyFile: env.GATEWAY_TLS_KEY_FILE } : undefined;
  if (!tls && !env.GATEWAY_ALLOW_PLAINTEXT_REMOTE && !isLoopback(env.GATEWAY_HOST)) {
    throw new GatewayEnvError(
      `Invalid gateway environment: GATEWAY_HOST is ${JSON.stringify(env.GATEWAY_HOST)}: without GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE the gateway listens on loopback only (GATEWAY_ALLOW_PLAINTEXT_REMOTE=true when a proxy in front terminates TLS).`,
    );
  }
  return {
    databaseUrl: env.DATABASE_URL,
    port: env.GATEWAY_PORT,
    host: env.GATEWAY_HOST,
    apiKeys: env.GATEWAY_API_KEYS,
    tls,
    allowPlaintextRemote: env.GATEWAY_ALLOW_PLAINTEXT_REMOTE,
    pool: {
      max: env.GATEWAY_POOL_MAX,
      acquireTimeoutMs: env.GATEWAY_POOL_ACQUIRE_TIMEOUT_MS,
      idleTimeoutMs: env.GATEWAY_POOL_IDLE_TIMEOUT_MS,
      applicationName: env.GATEWAY_APPLICATION_NAME,
      statementTimeoutMs: env.GATEWAY_QUERY_TIMEOUT_MS,
      // A session idle inside a transaction longer than any transaction may last is one the gateway lost track of.
      idleInTransactionTimeoutMs: env.GATEWAY_MAX_TRANSACTION_TIMEOUT_MS + 5_000,
    },
    limits: {
      maxTransactionTimeoutMs: env.GATEWAY_MAX_TRANSACTION_TIMEOUT_MS,
      maxTransactionWaitMs: env.GATEWAY_MAX_TRANSACTION_WAIT_MS,
      maxTransactionsPerKey: env.GATEWAY_MAX_TRANSACTIONS_PER_KEY,
      maxBodyBytes: env.GATEWAY_MAX_BODY_BYTES,
      maxResponseBytes: env.GATEWAY_MAX_RESPONSE_BYTES,
    },
    instance: env.GATEWAY_INSTANCE ?? randomInstanceName(),
    peers: env.GATEWAY_PEERS,
    shutdownTimeoutMs: env.GATEWAY_SHUTDOWN_TIMEOUT_MS,
    slowQueryMs: env.GATEWAY_SLOW_QUERY_MS,
    metricsToken: env.GATEWAY_METRICS_TOKEN,
    cache: env.GATEWAY_CACHE
      ? {
          l1MaxBytes: env.GATEWAY_CACHE_L1_MAX_MB * 1024 * 1024,
          maxEntryBytes: env.GATEWAY_CACHE_MAX_ENTRY_BYTES,
          redisUrl: env.GATEWAY_CACHE_REDIS_URL,
          // The listener needs a session of its own: a transaction pooler in front of DATABASE_URL cannot hold a LISTEN.
          notifyUrl: env.GATEWAY_CACHE_LISTEN_NOTIFY ? (env.GATEWAY_CACHE_NOTIFY_URL ?? env.DATABASE_URL) : undefined,
          applicationName: `${env.GATEWAY_APPLICATION_NAME}/cache-listener`.slice(0, 63),
        }
      : undefined,
    logLevel: env.GATEWAY_LOG_LEVEL,
  };
}

export const isLoopback = (host: string) => ["127.0.0.1", "::1", "[::1]", "localhost"].includes(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);

const randomInstanceName = () => `g${randomBytes(4).toString("hex")}`;
