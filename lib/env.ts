// The whole environment contract. Everything else reads `env`, never `process.env`.
import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

const wholeNumber = (fallback: number, min: number, max: number, unit = "") => {
  const accepted = `must be a whole number from ${min} to ${max}${unit}`;
  return z.coerce.number({ error: accepted }).int({ error: accepted }).min(min, accepted).max(max, accepted).default(fallback);
};

const acquireTimeout = "must be 0 (no limit) or a whole number from 100 to 600000 ms";
const writeTokens = "must be a comma-separated list of tokens of 16 to 256 printable ASCII characters without spaces";

export class EnvError extends Error {
  override name = "EnvError";
  constructor(problems: string) {
    super(`Invalid environment: ${problems}. See .env.example.`);
  }
}

export const env = createEnv({
  server: {
    // Not z.url(): `postgresql://user@/db?host=/run/postgresql` (a Unix socket, as libpq writes it) has no host.
    DATABASE_URL: z
      .string()
      .refine(isPostgresUrl, "must be a postgresql://user:password@host:port/database URL"),
    DB_READ_REPLICA_URLS: z
      .string()
      .transform((list) => list.split(",").map((url) => url.trim()).filter(Boolean))
      .pipe(z.array(z.url({ protocol: /^postgres(ql)?$/, error: "must be a comma-separated list of postgresql:// URLs" })))
      .default([]),
    DB_POOL_MAX: wholeNumber(10, 1, 1000, " connections"),
    DB_EDGE_POOL_MAX: wholeNumber(2, 1, 100, " connections per edge route"),
    // 0 is node-postgres's own "wait as long as it takes"; between 0 and 100 ms every busy moment would be a 503.
    DB_POOL_ACQUIRE_TIMEOUT_MS: z.coerce
      .number({ error: acquireTimeout })
      .int({ error: acquireTimeout })
      .refine((ms) => ms === 0 || (ms >= 100 && ms <= 600_000), acquireTimeout)
      .default(5_000),
    DB_POOL_IDLE_TIMEOUT_MS: wholeNumber(10_000, 0, 3_600_000, " ms (0 keeps idle connections open)"),
    DB_POOL_MAX_LIFETIME_S: wholeNumber(0, 0, 86_400, " s (0 means no limit)"),
    DB_POOL_MAX_USES: wholeNumber(0, 0, 10_000_000, " (0 means no limit)"),
    DB_STATEMENT_TIMEOUT_MS: wholeNumber(15_000, 0, 3_600_000, " ms (0 means no limit)"),
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: wholeNumber(30_000, 0, 3_600_000, " ms (0 means no limit)"),
    DB_SHUTDOWN_TIMEOUT_MS: wholeNumber(10_000, 100, 600_000, " ms"),
    DB_APPLICATION_NAME: z
      .string()
      .regex(/^[\x20-\x7e]{1,63}$/, "must be 1 to 63 printable ASCII characters")
      .default("sprite-store"),
    DB_EDGE_PROXY_URL: z
      .url({ protocol: /^wss?$/, error: "must be a ws:// or wss:// URL of a WebSocket proxy in front of PostgreSQL" })
      .optional(),
    // Accelerate's URL form, which Prisma Client's `accelerateUrl` takes: the gateway's address and one of its keys.
    DB_GATEWAY_URL: z
      .url({ protocol: /^prisma(\+postgres)?$/, error: "must be a prisma+postgres://host:port/?api_key=<key> URL of a prisma-gateway" })
      .refine((url) => Boolean(new URL(url).searchParams.get("api_key")), "must carry the gateway's API key as ?api_key=<key>")
      .optional(),
    DB_EDGE_TRANSPORT: z.enum(["gateway", "websocket"], { error: "must be gateway or websocket" }).default("gateway"),
    DB_PREPARED_STATEMENTS: z.stringbool({ error: "must be true or false" }).default(false),
    DB_SSL_MODE: z
      .enum(["disable", "require", "verify-full"], { error: "must be one of disable, require, verify-full" })
      .optional(),
    DB_SLOW_QUERY_MS: wholeNumber(1_000, 0, 3_600_000, " ms (0 turns the slow-query log off)"),
    DB_SQL_COMMENTS: z.stringbool({ error: "must be true or false" }).default(true),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        error: "must be one of fatal, error, warn, info, debug, trace, silent",
      })
      .default("info"),
    METRICS_TOKEN: z
      .string()
      .regex(/^[\x21-\x7e]{16,256}$/, "must be 16 to 256 printable ASCII characters without spaces")
      .optional(),
    // Several at once, so that a token can be replaced without a moment when writes are refused.
    API_WRITE_TOKENS: z
      .string()
      .transform((list) => list.split(",").map((token) => token.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[\x21-\x2b\x2d-\x7e]{16,256}$/, writeTokens)).min(1, writeTokens))
      .optional(),
    TRACE_QUERY_PARAMETERS: z.stringbool({ error: "must be true or false" }).default(false),
    TRACE_NEXT_SPANS: z.stringbool({ error: "must be true or false" }).default(false),
    CACHE_ENABLED: z.stringbool({ error: "must be true or false" }).default(true),
    CACHE_L1_MAX_MB: wholeNumber(64, 1, 65_536, " MB"),
    CACHE_DEFAULT_TTL_S: wholeNumber(30, 0, 31_536_000, " s"),
    CACHE_DEFAULT_SWR_S: wholeNumber(60, 0, 31_536_000, " s"),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).optional(),
    CACHE_LISTEN_NOTIFY: z.stringbool({ error: "must be true or false" }).default(true),
    CACHE_NOTIFY_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: "must be a postgresql:// URL of a direct (not transaction-pooled) connection" })
      .optional(),
  },
  experimental__runtimeEnv: {},
  emptyStringAsUndefined: true,
  // `next build` imports route modules but opens no connection; the server checks again when it starts.
  skipValidation: process.env.NEXT_PHASE === "phase-production-build",
  onValidationError: (issues) => {
    throw new EnvError(issues.map(describe).join("; "));
  },
});

function isPostgresUrl(value: string): boolean {
  if (!/^postgres(ql)?:\/\//i.test(value)) return false;
  return URL.canParse(value) || URL.canParse(value.replace("@/", "@localhost/"));
}

// `DB_POOL_MAX is "abc": must be ...`. A URL's value is never shown: it holds the password.
function describe(issue: { path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>; message: string }) {
  const [first] = issue.path ?? [];
  const name = String(typeof first === "object" ? first.key : first);
  const value = process.env[name];
  const shown = value === undefined ? "is not set" : /_(URLS?|TOKENS?)$/.test(name) ? "is set" : `is ${JSON.stringify(value)}`;
  return `${name} ${shown}: ${issue.message}`;
}
