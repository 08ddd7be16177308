// Every request gets an id (the caller's `x-request-id` when well-formed), answered in the `x-request-id` header
// and carried, with the route, by every log line and SQL comment written while it is handled.
import { requestIdOf, routeOf, withRequestContext } from "@/lib/telemetry/request-context";

export async function inRequestContext(request: Request, handle: () => Promise<Response>): Promise<Response> {
  const requestId = requestIdOf(request);
  const route = routeOf(request.method, new URL(request.url).pathname);
  const response = await withRequestContext({ requestId, route }, handle);
  try {
    response.headers.set("x-request-id", requestId);
  } catch {
    // A response passed through from fetch() has immutable headers: it keeps its own.
  }
  return response;
}
