// The edge runtime has no Prometheus endpoint of its own (each route runs in a sandbox): its events are not
// counted here. pg_stat_activity and the bridge's session counts on the Node.js side show its database use.
import type * as node from "@/lib/telemetry/metrics.node";

const nothing = () => () => {};

export const registerCollector: typeof node.registerCollector = nothing;
export const exposeTotals: typeof node.exposeTotals = nothing;
export const exposeGauge: typeof node.exposeGauge = nothing;
export const exposePoolStats: typeof node.exposePoolStats = nothing;
export const observeAcquire: typeof node.observeAcquire = () => {};
export const observeQuery: typeof node.observeQuery = () => {};
export const countError: typeof node.countError = () => {};
export const scrape: typeof node.scrape = async () => ({ contentType: "text/plain", body: "" });
