// Every runtime the app's API runs on, each as a server process of its own: what `bun run runtimes` compares and
// tests/runtimes.test.ts checks. Node.js and Next's edge are both `next start`, asked on their own routes.
import { startBun } from "./bun-serve";
import { startDeno } from "./deno-serve";
import { startNext } from "./next-start";
import type { ServerProcess, StartOptions } from "./server-process";
import { startWorkerd } from "./workerd-serve";

export type RuntimeServer = {
  name: string;
  /** What GET <prefix>/health answers as `runtime`. */
  runtime: string;
  /** Where the API's routes are: /api, or /api/edge for Next's edge routes. */
  prefix: string;
  /** The application_name its sessions carry in pg_stat_activity, given DB_APPLICATION_NAME. */
  applicationName: (base: string) => string;
  /** `build: false` skips a build step the runtime has (the worker's bundle) when one was just made. */
  start: (env: Record<string, string | undefined>, options?: StartOptions & { build?: boolean }) => Promise<ServerProcess>;
};

export const runtimeServers: RuntimeServer[] = [
  { name: "Node.js", runtime: "nodejs", prefix: "/api", applicationName: (base) => base, start: startNext },
  {
    name: "Next edge",
    runtime: "edge",
    prefix: "/api/edge",
    applicationName: (base) => `${base}/edge`,
    start: (env, options) => startNext(env, { probePath: "/api/edge/health", ...options }),
  },
  { name: "workerd", runtime: "workerd", prefix: "/api", applicationName: (base) => `${base}/workerd`, start: startWorkerd },
  { name: "Deno", runtime: "deno", prefix: "/api", applicationName: (base) => base, start: startDeno },
  { name: "Bun", runtime: "bun", prefix: "/api", applicationName: (base) => base, start: startBun },
];
