// Every request gets an id (the caller's `x-request-id` when well-formed), answered in the `x-request-id` header
// and carried, with the route, by every log line and SQL comment written while it is handled; and, when tracing is
// on, a span (server-span.ts).
import { pathPatternOf, requestIdOf, withRequestContext } from "@/lib/telemetry/request-context";
import { inServerSpan } from "@/lib/telemetry/server-span";

export async function inRequestContext(request: Request, handle: () => Promise<Response>): Promise<Response> {
  const requestId = requestIdOf(request.headers);
  const { pathname } = new URL(request.url);
  const served = { method: request.method, route: pathPatternOf(pathname), path: pathname, headers: request.headers };
  const context = { requestId, route: `${served.method} ${served.route}` };
  const response = await inServerSpan(served, () => withRequestContext(context, handle), { statusOf: (response) => response.status });
  try {
    response.headers.set("x-request-id", requestId);
  } catch {
    // A response passed through from fetch() has immutable headers: it keeps its own.
  }
  return response;
}
