// Start-up and shutdown of a long-running Node.js server process.
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
  const bridge = await startEdgeBridge();
  const { disconnect, poolStats, prisma } = await import("@/lib/prisma");
  (await import("@/lib/db/telemetry/database-metrics")).exposeDatabaseStats({ prisma, poolStats });
  const { env } = await import("@/lib/env");
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

// Edge routes have no TCP. Unless DB_EDGE_PROXY_URL names a proxy already, this process serves one on loopback and
// hands its address to the edge sandboxes, which copy process.env when they are created.
async function startEdgeBridge(): Promise<PgWsBridge | undefined> {
  const { env } = await import("@/lib/env");
  const { log } = await import("@/lib/log");
  if (env.DB_EDGE_PROXY_URL) return undefined;
  const cache = globalThis as unknown as { pgWsBridge?: Promise<PgWsBridge> };
  const { startPgWsBridge } = await import("@/lib/db/pg-ws-bridge");
  const { databaseTarget } = await import("@/lib/db/connection-settings");
  try {
    const bridge = await (cache.pgWsBridge ??= startPgWsBridge({
      target: databaseTarget(env.DATABASE_URL),
      // A backstop well below PostgreSQL's default max_connections; the edge pools stay far under it.
      maxConnections: 50,
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
