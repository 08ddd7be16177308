// `workerd serve runtimes/workerd/config.capnp` on a free port, with the environment the caller gives it. The
// worker is bundled first unless `build: false` says a bundle of the current source is there already.
import { createRequire } from "node:module";
import { buildWorker } from "../../runtimes/workerd/build";
import { startServerProcess, type ServerProcess, type StartOptions } from "./server-process";

// The workerd package's main export is the path of the binary for this platform.
const workerdBinary: string = createRequire(import.meta.url)("workerd").default;

export async function startWorkerd(
  env: Record<string, string | undefined>,
  { build = true, ...options }: StartOptions & { build?: boolean } = {},
): Promise<ServerProcess> {
  if (build) await buildWorker();
  return startServerProcess(
    "workerd",
    (port) => ({
      file: workerdBinary,
      args: ["serve", "runtimes/workerd/config.capnp", "--socket-addr", `http=127.0.0.1:${port}`],
      env,
    }),
    options,
  );
}
