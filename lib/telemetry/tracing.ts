// OpenTelemetry traces for the Node.js server: a span per request (server-span.ts), Prisma's operation and query
// spans (@prisma/instrumentation) and node-postgres's query and pool-connect spans (@opentelemetry/instrumentation-pg),
// exported by the Node SDK as the standard OTEL_* variables say (those are the SDK's contract, hence process.env).
// Nothing is loaded or started unless they ask for traces.
import Module from "node:module";
import { trace, type TracerProvider } from "@opentelemetry/api";
import type { NodeSDK } from "@opentelemetry/sdk-node";

/** Traces are on when an OTLP endpoint is given or OTEL_TRACES_EXPORTER names an exporter. */
export function tracingRequested(vars: Record<string, string | undefined> = process.env): boolean {
  if (vars.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporter = vars.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== "none";
  return Boolean(vars.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** Must run before `pg` is first loaded, which instrumentation-pg patches as it loads. */
export async function startTracing(): Promise<{ sdk: NodeSDK; pgLoaded: () => void } | undefined> {
  if (!tracingRequested()) return undefined;
  // An invalid env is reported by startServer, which stops the process.
  const env = await import("@/lib/env").then(({ env }) => env, () => undefined);
  if (!env) return undefined;
  const [{ NodeSDK }, { PrismaInstrumentation, registerInstrumentations }, { PgInstrumentation }, { samplerFromEnv, WithoutNextInternals }, { openServerSpansWith }, { carryInTraceContext }] =
    await Promise.all([
      import("@opentelemetry/sdk-node"),
      import("@prisma/instrumentation"),
      import("@opentelemetry/instrumentation-pg"),
      import("@/lib/telemetry/sampler"),
      import("@/lib/telemetry/server-span"),
      import("@/lib/telemetry/request-context"),
    ]);
  // Traces only: metrics are scraped from /api/metrics and logs are written to stdout.
  process.env.OTEL_METRICS_EXPORTER ??= "none";
  process.env.OTEL_LOGS_EXPORTER ??= "none";
  const unhookRequire = restoreRequireLater();
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? env.DB_APPLICATION_NAME,
    // Without Next.js's spans, the SDK's own from the same variables.
    ...(env.TRACE_NEXT_SPANS && { sampler: new WithoutNextInternals(samplerFromEnv()) }),
  });
  sdk.start();
  carryInTraceContext();
  // Next.js traces every step of serving a request once a tracer provider is registered globally, which doubles what
  // tracing costs a cached request (bench/tracing.ts). Unless TRACE_NEXT_SPANS=true, the SDK's provider is taken out
  // of the global API again (the context manager and propagator stay), the instrumentations are given it directly,
  // and the app opens one span per request itself (server-span.ts).
  const provider = (trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider }).getDelegate?.() ?? trace.getTracerProvider();
  if (!env.TRACE_NEXT_SPANS) {
    trace.disable();
    openServerSpansWith(provider.getTracer("sprite-store"));
  }
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // The serialize span times turning rows into objects, which the operation span already includes. Enabled by
      // registerInstrumentations, once it has the provider: it keeps the one it is enabled with, and the global one
      // is disabled by then.
      new PrismaInstrumentation({ enabled: false, ignoreSpanTypes: ["prisma:client:serialize"] }),
      // Parameter values reach a span only when TRACE_QUERY_PARAMETERS=true: they may be personal data.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: env.TRACE_QUERY_PARAMETERS }),
    ],
  });
  // Spans still buffered are sent while the server drains its requests.
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void sdk.shutdown().catch(() => {}));
  return { sdk, pgLoaded: unhookRequire };
}

/**
 * instrumentation-pg patches `pg` as it loads, through require-in-the-middle, which then resolves the path of every
 * later require() in the process; Next.js requires modules on every request, and that cost 60 µs of a 700 µs
 * request. Once `pg` is loaded and patched the hook has nothing left to do: the returned function puts back the
 * require() it replaced.
 */
function restoreRequireLater() {
  const prototype = Module.prototype as { require: unknown };
  const original = { require: prototype.require, getBuiltinModule: process.getBuiltinModule };
  return () => {
    prototype.require = original.require;
    if (original.getBuiltinModule) process.getBuiltinModule = original.getBuiltinModule;
  };
}
