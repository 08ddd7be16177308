// OpenTelemetry: a server span per request, continuing the caller's trace from its `traceparent`, and Prisma's
// own spans (transactions, each SQL statement as `db_query` with its text and no parameter values) beneath it. The
// process's tracer provider decides where they go; with none registered, nothing is recorded and this costs nothing.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import { noopTracingHelper, type TracingHelper } from "@prisma/client-engine-runtime";

export function createTracing(enabled: boolean) {
  const tracer = trace.getTracer("prisma-gateway");
  const helper: TracingHelper = enabled ? tracingHelper(tracer) : noopTracingHelper;
  return {
    helper,
    /** Runs `handle` in a server span whose parent is the caller's, when tracing is on. */
    inSpan<T>(name: string, headers: Record<string, string | string[] | undefined>, handle: (span?: Span) => Promise<T>): Promise<T> {
      if (!enabled) return handle();
      const parent = propagation.extract(context.active(), headers);
      return tracer.startActiveSpan(name, { kind: SpanKind.SERVER }, parent, async (span) => {
        try {
          return await handle(span);
        } finally {
          span.end();
        }
      });
    },
  };
}

function tracingHelper(tracer: Tracer): TracingHelper {
  return {
    isEnabled: () => true,
    runInChildSpan(nameOrOptions, callback) {
      const options = typeof nameOrOptions === "string" ? { name: nameOrOptions } : nameOrOptions;
      return tracer.startActiveSpan(`prisma:gateway:${options.name}`, options, (span) => {
        const end = (error?: unknown) => {
          if (error) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        };
        try {
          const result: unknown = callback(span, context.active());
          if (result instanceof Promise) {
            return result.then(
              (value) => (end(), value),
              (error: unknown) => {
                end(error);
                throw error;
              },
            ) as ReturnType<typeof callback>;
          }
          end();
          return result as ReturnType<typeof callback>;
        } catch (error) {
          end(error);
          throw error;
        }
      });
    },
  };
}
