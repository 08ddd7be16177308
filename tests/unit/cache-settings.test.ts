// The app's query cache settings: prisma-query-cache's options from the env, and none that connect at build time.
import { afterEach, describe, expect, it, vi } from "vitest";

const url = "postgresql://app:pw@127.0.0.1:5432/app";

async function loadSettings(vars: Record<string, string>) {
  vi.unstubAllEnvs();
  vi.resetModules();
  vi.stubEnv("DATABASE_URL", url);
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  return import("@/lib/db/cache/settings");
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("cacheSettings", () => {
  it("passes the env's values, the listener on DATABASE_URL unless told otherwise, and the app's logger", async () => {
    const { cacheSettings, defaultCacheStrategy } = await loadSettings({ CACHE_L1_MAX_MB: "8", REDIS_URL: "redis://127.0.0.1:6390", DB_POOL_MAX: "12" });
    const settings = cacheSettings();
    expect(settings).toMatchObject({
      enabled: true,
      l1MaxBytes: 8 * 1024 * 1024,
      redisUrl: "redis://127.0.0.1:6390",
      notifyUrl: url,
      applicationName: "sprite-store/cache-listener",
      backgroundRefreshes: 3,
    });
    expect(typeof settings.logger?.error).toBe("function");
    expect(defaultCacheStrategy()).toEqual({ ttl: 30, swr: 60 });
  });

  it("leaves the listener off, or on another connection, and the cache off, as the env says", async () => {
    expect((await loadSettings({ CACHE_LISTEN_NOTIFY: "false" })).cacheSettings().notifyUrl).toBeUndefined();
    const direct = "postgresql://app:pw@127.0.0.1:5433/app";
    expect((await loadSettings({ CACHE_NOTIFY_URL: direct })).cacheSettings().notifyUrl).toBe(direct);
    expect((await loadSettings({ CACHE_ENABLED: "false" })).cacheSettings().enabled).toBe(false);
  });

  it("is off while `next build` imports the data layer", async () => {
    expect((await loadSettings({ NEXT_PHASE: "phase-production-build" })).cacheSettings().enabled).toBe(false);
  });
});
