// The gateway's Prometheus registry (prom-client): requests, their latency, the pool, open transactions, what was
// forwarded to a peer and what was refused. Labels name routes, statuses, keys by name and peers; never a key.
import client from "prom-client";
import type { GatewayCacheStats } from "./cache";
import type { PoolStats } from "./pool";

const seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(read: { pool: () => PoolStats; openTransactions: () => Map<string, number>; cache?: () => GatewayCacheStats }) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "gateway_" });
  const registers = [registry];
  const pool = new client.Gauge({ name: "gateway_pool_connections", help: "Connections of the gateway's pool, by state.", labelNames: ["state"], registers });
  const waiting = new client.Gauge({ name: "gateway_pool_waiting_requests", help: "Queries waiting for a connection.", registers });
  const max = new client.Gauge({ name: "gateway_pool_max_connections", help: "The most connections the pool opens (GATEWAY_POOL_MAX).", registers });
  const transactions = new client.Gauge({ name: "gateway_open_transactions", help: "Interactive transactions open on this instance, by API key name.", labelNames: ["key"], registers });
  const cache = read.cache;
  if (cache) {
    new client.Counter({
      name: "gateway_cache_lookups_total",
      help: "Reads that asked for caching (cache-control), by how they were answered: hit, miss, bypass, oversized.",
      labelNames: ["result"],
      registers,
      collect() {
        const { hits, misses, bypasses, oversized } = cache();
        this.reset();
        for (const [result, count] of [["hit", hits], ["miss", misses], ["bypass", bypasses], ["oversized", oversized]] as const) this.inc({ result }, count);
      },
    });
    new client.Gauge({
      name: "gateway_cache_bytes",
      help: "Bytes the cache's memory layer holds (GATEWAY_CACHE_L1_MAX_MB bounds it).",
      registers,
      collect() {
        this.set(cache().l1.bytes);
      },
    });
    new client.Gauge({
      name: "gateway_cache_trusted",
      help: "1 while the cache serves answers; 0 while Redis or the NOTIFY listener is down and reads bypass it.",
      registers,
      collect() {
        this.set(cache().trusted ? 1 : 0);
      },
    });
  }
  return {
    registry,
    requests: new client.Histogram({
      name: "gateway_request_duration_seconds",
      help: "Requests from arrival to the last byte of the answer, by route and status.",
      labelNames: ["route", "status"],
      buckets: seconds,
      registers,
    }),
    forwarded: new client.Counter({
      name: "gateway_forwarded_requests_total",
      help: "Requests for a transaction another instance holds, sent on to it, by peer and outcome.",
      labelNames: ["peer", "outcome"],
      registers,
    }),
    refused: new client.Counter({
      name: "gateway_refused_requests_total",
      help: "Requests refused before reaching the database, by reason.",
      labelNames: ["reason"],
      registers,
    }),
    async scrape() {
      const stats = read.pool();
      pool.set({ state: "busy" }, stats.inUse);
      pool.set({ state: "idle" }, stats.idle);
      waiting.set(stats.waiting);
      max.set(stats.max);
      transactions.reset();
      for (const [key, count] of read.openTransactions()) transactions.set({ key }, count);
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
