import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  experimental: {
    // Next.js buffers a copy of the body of a request to an edge route (or through proxy.ts), by default up to
    // 10 MB each, and silently cuts it there, dropping the chunk that crosses. Twice the 1 MiB body limit
    // (lib/http/body.ts) keeps a body over the limit visibly over it, so the route still answers 413.
    proxyClientMaxBodySize: 2 * 1024 * 1024,
  },
  // Loaded from node_modules at run time, not bundled: the OpenTelemetry instrumentations patch modules as Node.js
  // loads them, and the SDK's exporters load optional parts dynamically. `@opentelemetry/api` too: Next.js counts
  // OpenTelemetry as on unless the provider's class is named NoopTracerProvider, a name minification erases, and
  // then wraps every step of every request in a span of its own, tracing off or not (5% of a cached request).
  serverExternalPackages: ["@opentelemetry/api", "@opentelemetry/sdk-node", "@opentelemetry/instrumentation-pg", "@prisma/instrumentation", "prom-client"],
};

export default nextConfig;
