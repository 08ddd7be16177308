// What every PrismaClient the factory builds carries: SQL comments, query metrics, the slow-query log.
import { env } from "@/lib/env";
import { queryMetrics } from "@/lib/db/telemetry/query-metrics";
import { logSlowQueries, type QueryEvent } from "@/lib/db/telemetry/slow-queries";
import { sqlComments, withSqlComments } from "@/lib/db/telemetry/sql-comments";
import { log } from "@/lib/log";

/** The adapter factory with SQL comments on its statements, when they are on. */
export const commentedAdapter = <F extends { connect(): Promise<object> }>(adapter: F, { preparedStatements }: { preparedStatements: boolean }) =>
  env.DB_SQL_COMMENTS ? withSqlComments(adapter, sqlComments({ preparedStatements })) : adapter;

/** SQL comments through PrismaClient's own option, for a client with no adapter to add them (a gateway's). */
export const commentOptions = ({ preparedStatements }: { preparedStatements: boolean }) =>
  env.DB_SQL_COMMENTS ? { comments: sqlComments({ preparedStatements }) } : {};

/** PrismaClient constructor options. */
export const telemetryOptions = () => ({
  ...(env.DB_SLOW_QUERY_MS > 0 && { log: [{ emit: "event" as const, level: "query" as const }] }),
});

type Client = { $on(event: "query", listener: (event: QueryEvent) => void): void; $extends: (extension: typeof queryMetrics) => unknown };

/** The client measured; the extension adds no API, so it keeps its type. */
export function withTelemetry<T>(client: T): T {
  const measured = client as Client;
  if (env.DB_SLOW_QUERY_MS > 0) {
    const options = { thresholdMs: env.DB_SLOW_QUERY_MS, withParameters: env.TRACE_QUERY_PARAMETERS };
    measured.$on("query", logSlowQueries(options, log.warn));
  }
  return measured.$extends(queryMetrics) as T;
}
