import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";

/**
 * Every response's Content-Security-Policy. A frame's image is a URL its author gives, so images may come from
 * this origin or any https one (`img-src`); to allow only your image hosts, name them there in place of `https:`.
 * Next.js inlines the scripts that hydrate each page, which without a per-request nonce (it would make every page
 * dynamic) need 'unsafe-inline'; `next dev` also evaluates code and talks to its own WebSocket.
 */
export const contentSecurityPolicy = (development: boolean) =>
  [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self'",
    `connect-src 'self'${development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

const securityHeaders = (development: boolean) => [
  { key: "Content-Security-Policy", value: contentSecurityPolicy(development) },
  { key: "X-Content-Type-Options", value: "nosniff" },
  // Frames' images are fetched from other origins: they learn nothing of the page that shows them.
  { key: "Referrer-Policy", value: "same-origin" },
];

// The phase, not NODE_ENV, tells `next dev` from a build: a build started by the test runner has NODE_ENV=test.
const nextConfig = (phase: string): NextConfig => ({
  poweredByHeader: false,
  // Compiled into the build (routes-manifest.json): a change here takes a `next build`.
  headers: async () => [{ source: "/:path*", headers: securityHeaders(phase === PHASE_DEVELOPMENT_SERVER) }],
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
});

export default nextConfig;
