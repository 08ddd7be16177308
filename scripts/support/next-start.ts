// A real `next start` of the production build, on a free port, with the environment the caller gives it.
import { startServerProcess, type ServerProcess, type StartOptions } from "./server-process";

export type NextServer = ServerProcess;

/** `options.dir`: another Next.js app's directory (the route benchmark's floor); the app itself by default. */
export function startNext(env: Record<string, string | undefined>, options?: StartOptions & { dir?: string }): Promise<NextServer> {
  return startServerProcess(
    "next start",
    (port) => ({
      file: "node_modules/.bin/next",
      args: ["start", ...(options?.dir ? [options.dir] : []), "-p", String(port), "-H", "127.0.0.1"],
      env: { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env },
    }),
    options,
  );
}
