import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    // Tests drive real servers and CLIs; a few seconds per step is normal.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
