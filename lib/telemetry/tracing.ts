// OpenTelemetry traces for the Node.js server: Next.js's own route spans, Prisma's operation and query spans
// (@prisma/instrumentation) and node-postgres's query and pool-connect spans (@opentelemetry/instrumentation-pg),
// exported by the Node SDK as the standard OTEL_* variables say (those are the SDK's contract, hence process.env).
// Nothing is loaded or started unless they ask for traces.
import Module from "node:module";
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
  const [{ NodeSDK }, { PrismaInstrumentation }, { PgInstrumentation }, { samplerFromEnv, WithoutNextInternals }] = await Promise.all([
    import("@opentelemetry/sdk-node"),
    import("@prisma/instrumentation"),
    import("@opentelemetry/instrumentation-pg"),
    import("@/lib/telemetry/sampler"),
  ]);
  // Traces only: metrics are scraped from /api/metrics and logs are written to stdout.
  process.env.OTEL_METRICS_EXPORTER ??= "none";
  process.env.OTEL_LOGS_EXPORTER ??= "none";
  const unhookRequire = restoreRequireLater();
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? env.DB_APPLICATION_NAME,
    sampler: new WithoutNextInternals(samplerFromEnv()),
    instrumentations: [
      // The serialize span times turning rows into objects, which the operation span already includes.
      new PrismaInstrumentation({ ignoreSpanTypes: ["prisma:client:serialize"] }),
      // Parameter values reach a span only when TRACE_QUERY_PARAMETERS=true: they may be personal data.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: env.TRACE_QUERY_PARAMETERS }),
    ],
  });
  sdk.start();
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
