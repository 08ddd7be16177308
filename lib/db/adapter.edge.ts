// The edge runtime has no TCP: PostgreSQL is reached over a WebSocket, through the local pg-ws-bridge or a
// deployed WebSocket proxy. Nothing here may import node:*.
import { PrismaNeon } from "@prisma/adapter-neon";
import { neonConfig, type PoolConfig } from "@neondatabase/serverless";

export type EdgeAdapterOptions = {
  connectionString: string;
  /**
   * `ws://host:port/path` or `wss://...` of the WebSocket proxy in front of PostgreSQL.
   * Without it the driver talks to Neon's own endpoint for the connection string's host.
   */
  bridgeUrl?: string;
  pool?: Pick<
    PoolConfig,
    | "max"
    | "idleTimeoutMillis"
    | "connectionTimeoutMillis"
    | "maxUses"
    | "maxLifetimeSeconds"
    | "application_name"
    | "statement_timeout"
    | "idle_in_transaction_session_timeout"
  >;
  /** For runtimes without a global WebSocket (Node.js 20). */
  webSocketConstructor?: typeof WebSocket;
  onPoolError?: (error: Error) => void;
};

export function createEdgeAdapter({ connectionString, bridgeUrl, pool, webSocketConstructor, onPoolError }: EdgeAdapterOptions) {
  // neonConfig is global to the module instance; every pool in this runtime goes through the same proxy.
  if (bridgeUrl) {
    const url = new URL(bridgeUrl);
    if (url.protocol !== "ws:" && url.protocol !== "wss:") throw new Error("bridge URL must start with ws:// or wss://");
    neonConfig.wsProxy = `${url.host}${url.pathname}`;
    neonConfig.useSecureWebSocket = url.protocol === "wss:";
    // Pipelining sends the password before the server asks for it: cleartext only, while PostgreSQL asks for SCRAM.
    neonConfig.pipelineConnect = false;
  }
  if (webSocketConstructor) neonConfig.webSocketConstructor = webSocketConstructor;
  return new PrismaNeon({ connectionString, ...pool }, { onPoolError });
}
