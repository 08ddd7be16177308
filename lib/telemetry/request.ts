// Every request gets an id (the caller's `x-request-id` when well-formed), answered in the `x-request-id` header
// and carried, with the route, by every log line and SQL comment written while it is handled; and, when tracing is
// on, a span (server-span.ts).
import { requestIdOf, routePatternOf, withRequestContext } from "@/lib/telemetry/request-context";
import { inServerSpan, type Outcome, type ServerRequest } from "@/lib/telemetry/server-span";

/** `run` in the request's context and span; what route handlers (below) and pages (page.ts) share. */
export function inRequest<T>(request: ServerRequest, requestId: string, run: () => Promise<T>, outcome?: Outcome<T>): Promise<T> {
  const context = { requestId, route: `${request.method} ${request.route}` };
  return inServerSpan(request, () => withRequestContext(context, run), outcome);
}

/** `context`: what the router passed the handler, whose `params` are the values its dynamic segments matched. */
export async function inRequestContext(request: Request, context: unknown, handle: () => Promise<Response>): Promise<Response> {
  const requestId = requestIdOf(request.headers);
  const { pathname } = new URL(request.url);
  const params = (await (context as { params?: Promise<Record<string, unknown>> } | undefined)?.params) ?? {};
  const served = { method: request.method, route: routePatternOf(pathname, params), path: pathname, headers: request.headers };
  const response = await inRequest(served, requestId, handle, { statusOf: (response) => response.status });
  try {
    response.headers.set("x-request-id", requestId);
  } catch {
    // A response passed through from fetch() has immutable headers: it keeps its own.
  }
  return response;
}
