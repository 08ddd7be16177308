import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: process.env.TMP_SKIP_TC === "1" },
};

export default nextConfig;
