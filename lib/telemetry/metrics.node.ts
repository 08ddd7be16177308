// The process's Prometheus registry (prom-client). Values the process already keeps (pool counts, bridge sessions,
// cache statistics) are read when Prometheus scrapes, through collectors; events (a query, a connection acquired,
// an error answered) are recorded as they happen.
import client from "prom-client";
import type { PoolStats } from "@/lib/db/pool-config";

type Collector = () => void | Promise<void>;

const seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const gauge = (name: string, help: string) => new client.Gauge({ name, help, registers });
  return {
    registry,
    collectors: new Map<string, Collector>(),
    pool: {
      total: gauge("db_pool_connections", "Connections the pool holds, busy or idle."),
      idle: gauge("db_pool_idle_connections", "Connections open and not handed out."),
      waiting: gauge("db_pool_waiting_requests", "Queries waiting for a connection."),
      max: gauge("db_pool_max_connections", "The most connections the pool opens (DB_POOL_MAX)."),
    },
    acquire: new client.Histogram({
      name: "db_pool_acquire_seconds",
      help: "Time a query waited for a connection, including opening a new one.",
      labelNames: ["outcome"],
      buckets: seconds,
      registers,
    }),
    query: new client.Histogram({
      name: "db_query_duration_seconds",
      help: "Prisma operations from call to result, by model and action.",
      labelNames: ["model", "action", "outcome"],
      buckets: seconds,
      registers,
    }),
    errors: new client.Counter({
      name: "http_errors_total",
      help: "Error responses by the app's error code.",
      labelNames: ["code", "status"],
      registers,
    }),
  };
}

const cache = globalThis as unknown as { metrics?: ReturnType<typeof createMetrics> };
// Route bundles and instrumentation.ts are evaluated separately; globalThis is what they share.
const metrics = (cache.metrics ??= createMetrics());

/**
 * Runs `collect` before every scrape. One collector per name: registering a name again (a module evaluated again
 * by hot reload or by another route bundle) replaces it. Returns a function that removes it.
 */
export function registerCollector(name: string, collect: Collector): () => void {
  metrics.collectors.set(name, collect);
  return () => metrics.collectors.delete(name);
}

/**
 * A counter `name{label="key"}` per key of what `read` returns, read at every scrape: for totals another part of
 * the process already keeps (e.g. cache hits and misses).
 */
export function exposeTotals(name: string, help: string, label: string, read: () => Record<string, number> | null | undefined) {
  const counter = (metrics.registry.getSingleMetric(name) as client.Counter | undefined) ?? new client.Counter({ name, help, labelNames: [label], registers: [metrics.registry] });
  return registerCollector(name, () => {
    const totals = read();
    counter.reset();
    for (const [key, value] of Object.entries(totals ?? {})) counter.inc({ [label]: key }, value);
  });
}

/** A gauge read at every scrape; `read` returning null leaves it unset. */
export function exposeGauge(name: string, help: string, read: () => number | null | undefined) {
  const gauge = (metrics.registry.getSingleMetric(name) as client.Gauge | undefined) ?? new client.Gauge({ name, help, registers: [metrics.registry] });
  return registerCollector(name, () => {
    const value = read();
    if (value !== null && value !== undefined) gauge.set(value);
  });
}

/** The pool's counts at every scrape; `read` returns null where the runtime keeps no pool of its own. */
export const exposePoolStats = (read: () => PoolStats | null) =>
  registerCollector("db_pool", () => {
    const stats = read();
    if (!stats) return;
    for (const key of ["total", "idle", "waiting", "max"] as const) metrics.pool[key].set(stats[key]);
  });

export const observeAcquire = (elapsedSeconds: number, outcome: "acquired" | "failed") =>
  metrics.acquire.observe({ outcome }, elapsedSeconds);

export const observeQuery = (model: string, action: string, elapsedSeconds: number, outcome: "ok" | "error") =>
  metrics.query.observe({ model, action, outcome }, elapsedSeconds);

export const countError = (code: string, status: number) => metrics.errors.inc({ code, status: String(status) });

/** The Prometheus text exposition of every metric, collectors run first. */
export async function scrape(): Promise<{ contentType: string; body: string }> {
  await Promise.all([...metrics.collectors.values()].map((collect) => collect()));
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
