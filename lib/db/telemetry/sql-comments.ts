// sqlcommenter comments on every statement, so pg_stat_activity, pg_stat_statements and the server's slow-query
// log lead back to the request (route, request id) and its trace (traceparent, when tracing samples it).
import type { SqlCommenterPlugin } from "@prisma/client/runtime/client";
import { traceContext } from "@prisma/sqlcommenter-trace-context";
import { currentRequest } from "@/lib/telemetry/request-context";

/**
 * With named prepared statements the SQL text names the statement (lib/db/adapter.node.ts hashes it): a comment
 * that changes with every request would prepare a new statement per request on every connection. Then only the
 * route, which takes one value per endpoint, is written.
 */
export function sqlComments({ preparedStatements }: { preparedStatements: boolean }): SqlCommenterPlugin[] {
  const request: SqlCommenterPlugin = () => {
    const context = currentRequest();
    if (!context) return {};
    return preparedStatements ? { route: context.route } : { route: context.route, request_id: context.requestId };
  };
  return preparedStatements ? [request] : [traceContext(), request];
}
