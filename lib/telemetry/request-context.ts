// What every log line and SQL comment written during one request carries. Node.js and Next.js's edge runtime both
// provide AsyncLocalStorage, so the context follows the request through every await without being passed around.
import { AsyncLocalStorage } from "node:async_hooks";

export type RequestContext = {
  requestId: string;
  /** `GET /api/projects/:id`: the method and the path with its ids replaced, so it groups requests. */
  route: string;
};

// One store per process: instrumentation.ts (which builds the database client) and each route bundle evaluate this
// module separately.
const cache = globalThis as unknown as { requestContext?: AsyncLocalStorage<RequestContext> };
const storage = (cache.requestContext ??= new AsyncLocalStorage<RequestContext>());

export const currentRequest = (): RequestContext | undefined => storage.getStore();

export const withRequestContext = <T>(context: RequestContext, run: () => T): T => storage.run(context, run);

// A caller's id is kept when it cannot smuggle anything into a log line, a header or an SQL comment.
const wellFormedId = /^[A-Za-z0-9._:-]{8,128}$/;

/** The incoming `x-request-id` when it is well-formed, else a new one. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given && wellFormedId.test(given) ? given : crypto.randomUUID();
}

const idSegment = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)$/i;

/** `GET /api/projects/0b6f…` -> `GET /api/projects/:id`. */
export function routeOf(method: string, pathname: string): string {
  const path = pathname
    .split("/")
    .map((segment) => (idSegment.test(segment) ? ":id" : segment))
    .join("/");
  return `${method} ${path}`;
}
