// The span of a request, opened by the app rather than by Next.js (tracing.ts says why): one SERVER span named and
// attributed as OpenTelemetry's HTTP conventions say, continuing the caller's trace when it sends a traceparent.
// Without tracing, or with Next.js's own spans on (TRACE_NEXT_SPANS=true), `run` just runs.
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type TextMapGetter, type Tracer } from "@opentelemetry/api";

// instrumentation.ts and each route bundle evaluate this module separately; globalThis is what they share.
const cache = globalThis as unknown as { serverTracer?: Tracer };

/** Called by tracing.ts when requests' spans are the app's to open. */
export function openServerSpansWith(tracer: Tracer | undefined): void {
  cache.serverTracer = tracer;
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

export type ServerRequest = {
  method: string;
  /** The path with its parameters named, e.g. `/api/projects/:id`. */
  route: string;
  /** The path as requested, when known (a page sees only its headers). */
  path?: string;
  headers: Headers;
};

export type Outcome<T> = {
  /** The HTTP status `result` is answered with, when known. */
  statusOf?: (result: T) => number;
  /** Whether a thrown error is the framework's control flow (a redirect, a 404) rather than a failure. */
  isControlFlow?: (error: unknown) => boolean;
};

export function inServerSpan<T>(request: ServerRequest, run: () => Promise<T>, outcome: Outcome<T> = {}): Promise<T> {
  const tracer = cache.serverTracer;
  if (!tracer) return run();
  const attributes = {
    "http.request.method": request.method,
    "http.route": request.route,
    ...(request.path !== undefined && { "url.path": request.path }),
  };
  const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
  return tracer.startActiveSpan(`${request.method} ${request.route}`, { kind: SpanKind.SERVER, attributes }, parent, async (span) => {
    try {
      const result = await run();
      const status = outcome.statusOf?.(result);
      if (status !== undefined) {
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return result;
    } catch (error) {
      if (!outcome.isControlFlow?.(error)) {
        // The type only: a message can quote what it failed on, a connection string included.
        span.setAttribute("error.type", error instanceof Error ? error.name : typeof error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}
