// What every log line and SQL comment written during one request carries. Node.js and Next.js's edge runtime both
// provide AsyncLocalStorage, so the context follows the request through every await without being passed around.
import { AsyncLocalStorage } from "node:async_hooks";
import { context as traceContext, createContextKey } from "@opentelemetry/api";

export type RequestContext = {
  requestId: string;
  /** `GET /api/projects/:id`: the method and the path with its ids replaced, so it groups requests. */
  route: string;
};

// One store per process: instrumentation.ts (which builds the database client) and each route bundle evaluate this
// module separately.
const cache = globalThis as unknown as { requestContext?: AsyncLocalStorage<RequestContext>; inTraceContext?: boolean };
const storage = (cache.requestContext ??= new AsyncLocalStorage<RequestContext>());
const requestKey = createContextKey("request");

/**
 * With tracing on, OpenTelemetry's context follows every await through an AsyncLocalStorage of its own; the request
 * context then rides in it, rather than in a second store that every promise the request creates would be copied into.
 */
export function carryInTraceContext(): void {
  cache.inTraceContext = true;
}

export const currentRequest = (): RequestContext | undefined =>
  cache.inTraceContext ? (traceContext.active().getValue(requestKey) as RequestContext | undefined) : storage.getStore();

export const withRequestContext = <T>(context: RequestContext, run: () => T): T =>
  cache.inTraceContext ? traceContext.with(traceContext.active().setValue(requestKey, context), run) : storage.run(context, run);

// A caller's id is kept when it cannot smuggle anything into a log line, a header or an SQL comment.
const wellFormedId = /^[A-Za-z0-9._:-]{8,128}$/;

/** The incoming `x-request-id` when it is well-formed, else a new one. */
export function requestIdOf(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && wellFormedId.test(given) ? given : crypto.randomUUID();
}

/**
 * `/api/projects/%30b6f…` -> `/api/projects/:id`: the route a router matched, from the path and the values its
 * dynamic segments took (`params`). The router matches static segments as written and decodes dynamic ones, so
 * each segment that decodes to a parameter's value is that parameter, and every spelling of a path gives one
 * route: the SQL comment's `route`, which names a prepared statement, takes one value per endpoint.
 */
export function routePatternOf(pathname: string, params: Record<string, unknown>): string {
  const values = Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== "");
  return pathname
    .split("/")
    .map((segment) => {
      const decoded = decodedOrNull(segment);
      const param = values.find(([, value]) => value === decoded);
      return param ? `:${param[0]}` : segment;
    })
    .join("/");
}

function decodedOrNull(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
