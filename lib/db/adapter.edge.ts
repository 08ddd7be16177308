// The edge runtime has no TCP: PostgreSQL is reached over a WebSocket, through the bridge the Node.js server starts
// (lib/db/pg-ws-bridge.ts) or a deployed WebSocket proxy. Nothing here may import node:*.
import { neonConfig } from "@neondatabase/serverless";
import { PrismaNeon } from "@prisma/adapter-neon";
import { recordAcquireState, type AcquireState } from "@/lib/db/acquire-state";
import { proxyAddress } from "@/lib/db/edge-proxy-address";
import type { DatabaseSettings, PoolStats } from "@/lib/db/pool-config";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

// Each edge route runs in a sandbox of its own, which evaluates this module once: its name for the bridge.
const sandbox = crypto.randomUUID();

export function createAdapter({ url, pool }: DatabaseSettings) {
  // Read when a connection opens, not at import: `next build` evaluates this module with no proxy to name.
  neonConfig.wsProxy = () => {
    if (!env.DB_EDGE_PROXY_URL) {
      throw new Error("DB_EDGE_PROXY_URL is not set: edge routes reach PostgreSQL through a WebSocket proxy.");
    }
    return proxyAddress(env.DB_EDGE_PROXY_URL, sandbox);
  };
  neonConfig.useSecureWebSocket = env.DB_EDGE_PROXY_URL?.startsWith("wss:") ?? false;
  // Pipelining sends the password before the server asks for it, which only works with cleartext auth, not SCRAM.
  neonConfig.pipelineConnect = false;
  // Next.js gives every edge route a sandbox, and so a pool, of its own: these pools are kept small. The name
  // tells their sessions apart in pg_stat_activity.
  const config = {
    ...pool,
    connectionString: url && withHost(url),
    max: env.DB_EDGE_POOL_MAX,
    application_name: `${env.DB_APPLICATION_NAME}/edge`,
  };
  const adapter = new PrismaNeonRecordingAcquires(config, {
    onPoolError: (error) => log.error("database: idle connection closed", { error }),
  });
  return {
    adapter,
    // The driver's pool lives inside the adapter; the server side (pg_stat_activity) is where to count it.
    poolStats: (): PoolStats | null => null,
    acquireState: (): AcquireState | undefined => adapter.acquireState?.(),
    // $disconnect() already ends that pool.
    closePool: async () => {},
  };
}

// The driver parses the URL with new URL(), which refuses the empty host of a Unix-socket URL
// (`postgresql://user@/db?host=/run/postgresql`). The host it is given goes nowhere: the bridge picks the server.
const withHost = (url: string) => (URL.canParse(url) ? url : url.replace(/^(postgres(?:ql)?:\/\/(?:[^@/]*@)?)\//i, "$1localhost/"));

/** PrismaNeon makes its pool when Prisma connects; the pool is tagged then, as lib/db/adapter.node.ts does. */
class PrismaNeonRecordingAcquires extends PrismaNeon {
  acquireState?: () => AcquireState;
  override async connect() {
    const adapter = await super.connect();
    this.acquireState = recordAcquireState(adapter.underlyingDriver(), env.DB_EDGE_POOL_MAX);
    return adapter;
  }
}

// The bridge reaches one server only, the primary: edge routes read from it.
export const reachesReplicas = false;
