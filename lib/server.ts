// Start-up and shutdown of a long-running Node.js server process.
import type { Gateway } from "prisma-gateway";
import type { PgWsBridge } from "@/lib/db/pg-ws-bridge";
import { redact } from "@/lib/redact";
import type { DrainStep } from "@/lib/shutdown";

export async function startServer() {
  try {
    await import("@/lib/env");
  } catch (error) {
    // One line that names the variable; a stack trace would say nothing more and bury it.
    if (!(error instanceof Error && error.name === "EnvError")) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const { lingerOnEarlyResponses } = await import("@/lib/http/lingering-close");
  lingerOnEarlyResponses();
  const { limitSlowClients } = await import("@/lib/http/server-timeouts");
  limitSlowClients();
  const { env } = await import("@/lib/env");
  await warnIfWritesAreOpen();
  const gateway = await startEdgeGateway();
  const bridge = gateway ? undefined : await startEdgeBridge();
  const { disconnect, poolStats, prisma } = await import("@/lib/prisma");
  (await import("@/lib/db/telemetry/database-metrics")).exposeDatabaseStats({ prisma, poolStats });
  const { drain, exitCode } = await import("@/lib/shutdown");
  const steps: DrainStep[] = [
    {
      name: "the database pool",
      close: disconnect,
      describeOpen: () => {
        const stats = poolStats();
        return stats ? `${stats.total - stats.idle} of ${stats.total} connections still in use` : undefined;
      },
    },
    ...(bridge ? [{ name: "the edge bridge", close: bridge.close, describeOpen: () => `${bridge.stats().open} sessions open` }] : []),
    ...(gateway
      ? [{
          name: "the edge gateway",
          close: () => gateway.close(env.DB_SHUTDOWN_TIMEOUT_MS),
          describeOpen: () => `${gateway.stats().openTransactions} transactions open`,
        }]
      : []),
  ];
  // On SIGTERM/SIGINT Next.js stops accepting connections, waits for the requests in flight, then calls
  // process.exit. That is the moment the pool can drain without cutting a query short: the exit waits for it, up
  // to DB_SHUTDOWN_TIMEOUT_MS, and its code says whether the drain worked.
  let draining = false;
  const drainOnExit = (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    const exit = process.exit;
    let exiting = false;
    process.exit = ((requested?: number | string | null) => {
      if (exiting) return;
      exiting = true;
      void drain(steps, env.DB_SHUTDOWN_TIMEOUT_MS, (line) => console.error(redact(line))).then((drained) =>
        exit(exitCode(requested == null ? undefined : Number(requested), signal, drained)),
      );
    }) as typeof process.exit;
  };
  process.once("SIGTERM", drainOnExit);
  process.once("SIGINT", drainOnExit);
}

/** One line at start-up when anyone on the network could write: no API_WRITE_TOKENS, and not on loopback only. */
async function warnIfWritesAreOpen() {
  const { env } = await import("@/lib/env");
  if (env.API_WRITE_TOKENS) return;
  const { isLoopbackHost, nextStartHost } = await import("@/lib/http/listen-address");
  const host = nextStartHost(process.argv);
  if (host === undefined || isLoopbackHost(host)) return;
  const { log } = await import("@/lib/log");
  log.warn(`Writes are open to anyone who can reach ${host}: set API_WRITE_TOKENS to require a bearer token for POST, PATCH and DELETE.`);
}

// Edge routes have no TCP. Unless DB_EDGE_PROXY_URL names a proxy already, this process serves one on loopback and
// hands its address to the edge sandboxes, which copy process.env when they are created.
async function startEdgeBridge(): Promise<PgWsBridge | undefined> {
  const { env } = await import("@/lib/env");
  const { log } = await import("@/lib/log");
  if (env.DB_EDGE_PROXY_URL || env.DB_GATEWAY_URL) return undefined;
  const cache = globalThis as unknown as { pgWsBridge?: Promise<PgWsBridge> };
  const { startPgWsBridge } = await import("@/lib/db/pg-ws-bridge");
  const { databaseTarget } = await import("@/lib/db/connection-settings");
  try {
    const { randomBytes } = await import("node:crypto");
    const bridge = await (cache.pgWsBridge ??= startPgWsBridge({
      target: databaseTarget(env.DATABASE_URL),
      // Handed to the edge sandboxes with the URL, and to no one else: other processes on the machine cannot open
      // sessions, so they cannot use up the caps below.
      key: randomBytes(32).toString("base64url"),
      // A backstop well below PostgreSQL's default max_connections; the edge pools stay far under it.
      maxConnections: 50,
      // Each sandbox names itself (lib/db/adapter.edge.ts) and keeps a pool of DB_EDGE_POOL_MAX; twice that leaves
      // room for connections still closing while the pool opens new ones, and no sandbox can take everyone's share.
      maxConnectionsPerClient: 2 * env.DB_EDGE_POOL_MAX,
      // Longer than any statement may run, or a long query would look idle.
      idleTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS ? env.DB_STATEMENT_TIMEOUT_MS + 5_000 : 600_000,
      log: (line) => log.warn(line),
    }));
    process.env.DB_EDGE_PROXY_URL = bridge.url;
    (await import("@/lib/db/telemetry/bridge-metrics")).exposeBridgeStats(bridge);
    return bridge;
  } catch (error) {
    delete cache.pgWsBridge;
    log.error(`Edge routes are off: ${(error as Error).message}. Set DB_EDGE_PROXY_URL to a WebSocket proxy.`);
    return undefined;
  }
}

// With DB_EDGE_TRANSPORT=gateway (the default) and neither DB_GATEWAY_URL nor DB_EDGE_PROXY_URL set, edge routes
// reach PostgreSQL through a prisma-gateway this process serves on loopback, with a key made for this process alone;
// its address and key go to the edge sandboxes as DB_GATEWAY_URL, which they copy from process.env when created.
async function startEdgeGateway(): Promise<Gateway | undefined> {
  const { env } = await import("@/lib/env");
  if (env.DB_GATEWAY_URL || env.DB_EDGE_PROXY_URL || env.DB_EDGE_TRANSPORT !== "gateway") return undefined;
  const { log } = await import("@/lib/log");
  const cache = globalThis as unknown as { edgeGateway?: Promise<{ gateway: Gateway; accelerateUrl: string }> };
  try {
    const { gateway, accelerateUrl } = await (cache.edgeGateway ??= (async () => {
      const { randomBytes } = await import("node:crypto");
      const { gatewaySettings, startGateway } = await import("prisma-gateway");
      const key = randomBytes(24).toString("base64url");
      // The edge routes' pool: the size and timeouts of the Node.js routes' own, its sessions named `…/edge`.
      const settings = gatewaySettings({
        DATABASE_URL: env.DATABASE_URL,
        GATEWAY_PORT: "0",
        GATEWAY_API_KEYS: `edge:${key}`,
        GATEWAY_INSTANCE: "local",
        GATEWAY_POOL_MAX: String(env.DB_POOL_MAX),
        GATEWAY_POOL_ACQUIRE_TIMEOUT_MS: String(env.DB_POOL_ACQUIRE_TIMEOUT_MS || 600_000),
        GATEWAY_POOL_IDLE_TIMEOUT_MS: String(env.DB_POOL_IDLE_TIMEOUT_MS),
        GATEWAY_QUERY_TIMEOUT_MS: String(env.DB_STATEMENT_TIMEOUT_MS),
        GATEWAY_SLOW_QUERY_MS: String(env.DB_SLOW_QUERY_MS),
        GATEWAY_APPLICATION_NAME: `${env.DB_APPLICATION_NAME}/edge`,
        GATEWAY_SHUTDOWN_TIMEOUT_MS: String(env.DB_SHUTDOWN_TIMEOUT_MS),
        // Edge routes' reads with a cacheStrategy are cached here, as the Node.js routes' are in their client: the
        // same switch, memory bound, Redis and NOTIFY listener.
        GATEWAY_CACHE: String(env.CACHE_ENABLED),
        GATEWAY_CACHE_L1_MAX_MB: String(env.CACHE_L1_MAX_MB),
        GATEWAY_CACHE_REDIS_URL: env.REDIS_URL,
        GATEWAY_CACHE_LISTEN_NOTIFY: String(env.CACHE_LISTEN_NOTIFY),
        GATEWAY_CACHE_NOTIFY_URL: env.CACHE_NOTIFY_URL,
      });
      const gateway = await startGateway(settings, { log: (level, message) => log[level](`edge gateway: ${message}`) });
      return { gateway, accelerateUrl: gateway.accelerateUrl(key) };
    })());
    process.env.DB_GATEWAY_URL = accelerateUrl;
    log.info(`edge routes: prisma-gateway on ${gateway.url}, a pool of ${env.DB_POOL_MAX}`);
    return gateway;
  } catch (error) {
    delete cache.edgeGateway;
    log.error(`The edge gateway did not start: ${(error as Error).message}. Edge routes use the WebSocket bridge.`);
    return undefined;
  }
}
