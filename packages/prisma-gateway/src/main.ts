// `bun run gateway`: the gateway as a process of its own, configured by the GATEWAY_* variables and DATABASE_URL.
// Logs are JSON lines on stderr. SIGTERM or SIGINT drains it: exit 0 when nothing was cut short, 1 otherwise.
import { GatewayEnvError, gatewaySettings } from "./settings";
import { startGateway, type GatewayLog } from "./server";
import { startTracingSdk, tracingRequested } from "./tracing-sdk";

const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;

const settings = (() => {
  try {
    return gatewaySettings();
  } catch (error) {
    if (!(error instanceof GatewayEnvError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
})();
const threshold = levels[settings.logLevel];
const log: GatewayLog = (level, message) => {
  if (levels[level] >= threshold) process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, instance: settings.instance, message })}\n`);
};

const sdk = tracingRequested() ? await startTracingSdk(settings.pool.applicationName) : undefined;
const gateway = await startGateway(settings, { log, tracing: Boolean(sdk) });
const cache = settings.cache
  ? `cache of ${settings.cache.l1MaxBytes / 1024 / 1024} MB${settings.cache.redisUrl ? " with Redis" : ""}${settings.cache.notifyUrl ? ", listening for cache_notify" : ", not listening for cache_notify"}`
  : "no cache";
log("info", `listening on ${gateway.url} as ${settings.instance}: pool of ${settings.pool.max}, ${settings.apiKeys.length} API keys, ${settings.peers.size} peers, ${cache}`);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log("info", `${signal}: draining`);
    void gateway.close().then(async (finished) => {
      await sdk?.shutdown().catch(() => {});
      process.exit(finished ? 0 : 1);
    });
  });
}
