// runtimes/bun/server.ts on Bun, on a free port, with the environment the caller gives it.
import { startServerProcess, type ServerProcess, type StartOptions } from "./server-process";

export function startBun(env: Record<string, string | undefined>, options?: StartOptions): Promise<ServerProcess> {
  return startServerProcess(
    "bun",
    (port) => ({ file: "node_modules/.bin/bun", args: ["runtimes/bun/server.ts"], env: { ...env, PORT: String(port) } }),
    options,
  );
}
