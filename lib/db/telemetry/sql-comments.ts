// sqlcommenter comments on every statement, so pg_stat_activity, pg_stat_statements and the server's slow-query
// log lead back to the request (route, request id) and its trace (traceparent, when tracing samples it).
//
// They are added at the driver adapter, not through PrismaClient's `comments` option: for that option Prisma 7.10
// deep-copies the whole query (a create's every row) for each plugin before every statement it sends, so a write's
// cost grew with its rows times its statements. Here a statement costs its comment, whatever the query holds.
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

/** The sqlcommenter format Prisma writes: keys sorted, keys and values URL-encoded, values quoted. */
export function formatComment(fields: Record<string, string | undefined>): string {
  const entries = Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (entries.length === 0) return "";
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `/*${entries.map(([key, value]) => `${encodeURIComponent(key)}='${encodeURIComponent(value).replace(/'/g, "\\'")}'`).join(",")}*/`;
}

type Query = { sql: string };
type Queryable = { queryRaw(query: Query): Promise<unknown>; executeRaw(query: Query): Promise<unknown> };
type Factory = { connect(): Promise<object> };

/** The adapter factory's connections, and the transactions they start, send every statement with its comment. */
export function withSqlComments<F extends Factory>(factory: F, plugins: SqlCommenterPlugin[]): F {
  // The plugins read the request and the active span, never the query: they are handed nothing.
  const comment = () => formatComment(Object.assign({}, ...plugins.map((plugin) => plugin(undefined as never))));
  const commented = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, key) {
        const value = Reflect.get(object, key, object);
        if (typeof value !== "function") return value;
        if (key === "queryRaw" || key === "executeRaw") {
          return (query: Query) => {
            const text = comment();
            return (value as Queryable["queryRaw"]).call(object, text ? { ...query, sql: `${query.sql} ${text}` } : query);
          };
        }
        if (key === "startTransaction") return async (...args: unknown[]) => commented(await value.apply(object, args));
        return value.bind(object);
      },
    });
  return new Proxy(factory, {
    get(object, key) {
      const value = Reflect.get(object, key, object);
      if (key === "connect") return async () => commented(await (value as Factory["connect"]).call(object));
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}
