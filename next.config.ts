import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  experimental: {
    // Next.js buffers a copy of the body of a request that goes through proxy.ts or an edge route, by default up
    // to 10 MB each. One byte over the 1 MiB body limit (lib/http/body.ts) is enough to refuse it with a 413.
    proxyClientMaxBodySize: 1024 * 1024 + 1,
  },
};

export default nextConfig;
