import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Loaded from node_modules at run time, not bundled: the OpenTelemetry instrumentations patch modules as Node.js
  // loads them, and the SDK's exporters load optional parts dynamically.
  serverExternalPackages: ["@opentelemetry/sdk-node", "@opentelemetry/instrumentation-pg", "@prisma/instrumentation", "prom-client"],
};

export default nextConfig;
