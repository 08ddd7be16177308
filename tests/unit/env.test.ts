// The env contract: every variable refuses bad values with one line that names it, and never shows the password.
import { afterEach, describe, expect, it, vi } from "vitest";

const secret = "hunter2-do-not-print";
const goodUrl = `postgresql://app:${secret}@127.0.0.1:5432/app`;

async function loadEnv(vars: Record<string, string>) {
  vi.resetModules();
  vi.stubEnv("DATABASE_URL", goodUrl);
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  return import("@/lib/env");
}

afterEach(() => {
  vi.unstubAllEnvs();
  // The unit files share one module registry: a later file must not be handed this file's last, refused, env.
  vi.resetModules();
});

describe("lib/env.ts", () => {
  it("accepts the defaults", async () => {
    const { env } = await loadEnv({});
    expect(env).toMatchObject({
      DB_POOL_MAX: 10,
      DB_POOL_ACQUIRE_TIMEOUT_MS: 5000,
      DB_STATEMENT_TIMEOUT_MS: 15000,
      DB_SHUTDOWN_TIMEOUT_MS: 10000,
      DB_APPLICATION_NAME: "sprite-store",
    });
  });

  it("accepts an acquire timeout of 0 (no limit), and a Unix socket or IPv6 DATABASE_URL", async () => {
    expect((await loadEnv({ DB_POOL_ACQUIRE_TIMEOUT_MS: "0" })).env.DB_POOL_ACQUIRE_TIMEOUT_MS).toBe(0);
    expect((await loadEnv({ DB_SHUTDOWN_TIMEOUT_MS: "2500" })).env.DB_SHUTDOWN_TIMEOUT_MS).toBe(2500);
    for (const url of ["postgresql://app@/app?host=/run/postgresql", "postgres://app:pw@[::1]:5433/app", "postgresql:///app?host=/tmp"]) {
      expect((await loadEnv({ DATABASE_URL: url })).env.DATABASE_URL).toBe(url);
    }
  });

  it("treats an empty value as unset", async () => {
    const { env } = await loadEnv({ DB_POOL_MAX: "" });
    expect(env.DB_POOL_MAX).toBe(10);
  });

  it.each([
    ["DATABASE_URL", "not a url", "postgresql://"],
    ["DATABASE_URL", `mysql://app:${secret}@127.0.0.1/app`, "postgresql://"],
    ["DATABASE_URL", `https://app:${secret}@example.com/app`, "postgresql://"],
    ["DB_POOL_MAX", "0", "from 1 to 1000"],
    ["DB_POOL_MAX", "1001", "from 1 to 1000"],
    ["DB_POOL_MAX", "ten", "from 1 to 1000"],
    ["DB_POOL_MAX", "2.5", "from 1 to 1000"],
    ["DB_POOL_ACQUIRE_TIMEOUT_MS", "50", "from 100 to 600000"],
    ["DB_POOL_ACQUIRE_TIMEOUT_MS", "-1", "from 100 to 600000"],
    ["DB_POOL_ACQUIRE_TIMEOUT_MS", "600001", "0 (no limit) or"],
    ["DB_SHUTDOWN_TIMEOUT_MS", "50", "from 100 to 600000"],
    ["DB_SHUTDOWN_TIMEOUT_MS", "soon", "from 100 to 600000"],
    ["DATABASE_URL", "postgresql:/no-slashes", "postgresql://"],
    ["DB_POOL_IDLE_TIMEOUT_MS", "-5", "from 0 to 3600000"],
    ["DB_POOL_IDLE_TIMEOUT_MS", "soon", "from 0 to 3600000"],
    ["DB_POOL_MAX_LIFETIME_S", "86401", "from 0 to 86400"],
    ["DB_POOL_MAX_USES", "-1", "from 0 to 10000000"],
    ["DB_STATEMENT_TIMEOUT_MS", "1e10", "from 0 to 3600000"],
    ["DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "NaN", "from 0 to 3600000"],
    ["DB_APPLICATION_NAME", "x".repeat(64), "1 to 63 printable ASCII"],
    ["DB_APPLICATION_NAME", "caf\u00e9", "1 to 63 printable ASCII"],
    ["DB_SSL_MODE", "maybe", "disable, require, verify-full"],
    ["DB_PREPARED_STATEMENTS", "sometimes", "true or false"],
    ["DB_READ_REPLICA_URLS", `postgresql://r:${secret}@127.0.0.1/app,not-a-url`, "comma-separated list of postgresql:// URLs"],
    ["API_WRITE_TOKENS", `${secret}-long-enough,short`, "comma-separated list of tokens of 16 to 256"],
    ["API_WRITE_TOKENS", `${secret} with spaces`, "comma-separated list of tokens of 16 to 256"],
    ["API_WRITE_TOKENS", " , ", "comma-separated list of tokens of 16 to 256"],
  ])("refuses %s=%j with a line that names it and its accepted values", async (name, value, accepted) => {
    const error = await loadEnv({ [name]: value }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe("EnvError");
    expect(error!.message).toMatch(new RegExp(`^Invalid environment: ${name} `));
    expect(error!.message).toContain(accepted);
    expect(error!.message).not.toContain("\n");
    expect(error!.message).not.toContain(secret);
  });

  it("reads API_WRITE_TOKENS as a list, and leaves writes open when it is unset", async () => {
    expect((await loadEnv({})).env.API_WRITE_TOKENS).toBeUndefined();
    expect((await loadEnv({ API_WRITE_TOKENS: " first-token-0123456789 ,second-token-0123456789," })).env.API_WRITE_TOKENS).toEqual([
      "first-token-0123456789",
      "second-token-0123456789",
    ]);
  });

  it("names every bad variable at once", async () => {
    const error = await loadEnv({ DB_POOL_MAX: "0", DB_SSL_MODE: "x" }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/DB_POOL_MAX .*; DB_SSL_MODE /);
  });
});
