// The edge bridge's sessions (lib/db/pg-ws-bridge.ts) as Prometheus series.
import { exposeGauge, exposeTotals } from "#telemetry/metrics";
import type { PgWsBridge } from "@/lib/db/pg-ws-bridge";

export function exposeBridgeStats(bridge: PgWsBridge): void {
  exposeGauge("db_edge_bridge_sessions", "Edge sessions open through the WebSocket bridge to PostgreSQL.", () => bridge.stats().open);
  exposeTotals("db_edge_bridge_sessions_total", "Edge bridge sessions by outcome.", "outcome", () => {
    const { accepted, refused, closedIdle, closedTooLarge } = bridge.stats();
    return { accepted, refused, closed_idle: closedIdle, closed_too_large: closedTooLarge };
  });
}
