// A second, minimal Next.js app for the route benchmark's floor: the raw-pg route under the same framework as
// the app's own routes. It imports from the repository, so Turbopack's root is the repository.
import path from "node:path";
import type { NextConfig } from "next";

const root = path.join(import.meta.dirname, "../..");
// serverExternalPackages as in the app's next.config.ts, which says why.
export default { poweredByHeader: false, turbopack: { root }, outputFileTracingRoot: root, serverExternalPackages: ["@opentelemetry/api"] } satisfies NextConfig;
