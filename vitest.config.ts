import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

// Six projects: `unit` needs nothing (the inner loop, seconds); `engine`, `cache`, `gateway`, `app` and `deploy` share
// one PostgreSQL for the run (tests/support/global-setup.ts); `app` also needs the production build its HTTP tests start.
const database = "tests/support/global-setup.ts";
// Files that answer the same whatever PostgreSQL server they are given: CI's pass on a second server sets
// SERVER_DEPENDENT_ONLY=1 and leaves them out. Pages, runtimes and the benchmark; what the app does over HTTP
// (write access, body limits, traces, the edge bridge, shutdown, SQL comments, the soak); and the files that start
// servers of their own (failover, replicas, outages, connection URLs).
const serverIndependent = [
  "tests/pages.test.ts", "tests/runtimes.test.ts", "tests/edge-dev.test.ts", "tests/bench.test.ts", "tests/build.test.ts",
  "tests/access.test.ts", "tests/hardening.test.ts", "tests/telemetry.test.ts", "tests/edge.test.ts", "tests/pg-ws-bridge.test.ts",
  "tests/server.test.ts", "tests/sql-comments.test.ts", "tests/soak.test.ts",
  "tests/failover.test.ts", "tests/replicas.test.ts", "tests/faults.test.ts", "tests/database-url.test.ts",
];
const onlyServerDependent = process.env.SERVER_DEPENDENT_ONLY === "1";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    // Tests drive real servers and CLIs; a few seconds per step is normal.
    testTimeout: 60_000,
    // Much of a file's time is spent waiting on the servers it starts, the soak's pacing or a failover's timers: three
    // files at once keep two cores busy (vitest's default on two cores is one). Every test must pass on a busy machine.
    maxWorkers: 3,
    hookTimeout: 180_000,
    projects: [
      // Pure functions: one worker thread for every file starts in a fraction of the time a fork per file takes.
      // The logger and the route wrapper import the validated env; nothing here connects to this URL.
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts", "packages/prisma-query-cache/test/unit/**/*.test.ts"],
          pool: "threads",
          isolate: false,
          env: { DATABASE_URL: "postgresql://unit@127.0.0.1:1/unit" },
        },
      },
      {
        extends: true,
        test: {
          name: "engine",
          include: ["packages/prisma-wasm-engine/**/*.test.ts", "tests/engine/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "**/node_modules/**"],
          globalSetup: [database],
        },
      },
      // The gateway package: its pure parts and its servers against the run's PostgreSQL (no next build).
      {
        extends: true,
        test: {
          name: "gateway",
          include: ["packages/prisma-gateway/test/**/*.test.ts"],
          globalSetup: [database],
        },
      },
      // The query cache package on real PostgreSQL and redis-server, with a client generated from a schema of its own.
      {
        extends: true,
        test: {
          name: "cache",
          include: ["packages/prisma-query-cache/test/*.test.ts"],
          globalSetup: [database, "packages/prisma-query-cache/test/support/global-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "app",
          include: ["tests/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "tests/unit/**", "tests/engine/**", "tests/deploy/**", ...(onlyServerDependent ? serverIndependent : [])],
          globalSetup: [database, "tests/support/next-build.ts"],
        },
      },
      // A fresh clone installed, built and served as a deployment does it: minutes, so `bun run test` leaves it out
      // and CI runs it once (`bun run test:deploy`). It builds its own clone and needs no build of this checkout.
      {
        extends: true,
        test: {
          name: "deploy",
          include: ["tests/deploy/**/*.test.ts"],
          globalSetup: [database],
          testTimeout: 900_000,
        },
      },
    ],
  },
});
