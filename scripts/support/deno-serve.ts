// runtimes/deno/server.ts on Deno, on a free port, with the environment the caller gives it.
import { createRequire } from "node:module";
import { startServerProcess, type ServerProcess, type StartOptions } from "./server-process";

// The binary itself, not the package's launcher script, so that stop() reaches the server.
const denoBinary: string = createRequire(import.meta.url)("deno/install_api.cjs").runInstall();

export function startDeno(env: Record<string, string | undefined>, options?: StartOptions): Promise<ServerProcess> {
  return startServerProcess(
    "deno",
    (port) => ({
      file: denoBinary,
      // Network to loopback only: the server's own port and the database's.
      args: ["run", "--config", "runtimes/deno/deno.json", "--allow-env", "--allow-read", "--allow-sys",
        "--allow-net=127.0.0.1,localhost", "runtimes/deno/server.ts"],
      env: { ...env, PORT: String(port), DENO_NO_UPDATE_CHECK: "1" },
    }),
    options,
  );
}
