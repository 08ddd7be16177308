// A server process of the app (next start, workerd, Deno, Bun) on a free loopback port: started, awaited until it
// answers, stopped.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { freePort } from "./free-port";

export type ServerProcess = {
  url: string;
  pid: number;
  /** From spawn to the first answer to `probePath` that `ready` accepted. */
  readyMs: number;
  logs: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

export type StartOptions = {
  probePath?: string;
  /** Whether an answer counts; by default any answer does, a 503 from a server whose database is down included. */
  ready?: (response: Response) => boolean;
  timeoutMs?: number;
  /** Another checkout of the app to start instead of this one. */
  cwd?: string;
  /** The command's `env` alone, none of this process's: a container's view. */
  isolatedEnv?: boolean;
  /** Its own process group, stopped as a whole: for a launcher (`bun run dev`) whose children outlive it. */
  processGroup?: boolean;
  /** This port instead of a free one: a server brought back where it was. */
  port?: number;
};

export async function startServerProcess(
  name: string,
  command: (port: number) => { file: string; args: string[]; env: Record<string, string | undefined> },
  { probePath = "/api/health", ready = () => true, timeoutMs = 60_000, cwd, isolatedEnv = false, processGroup = false, port: wanted }: StartOptions = {},
): Promise<ServerProcess> {
  const port = wanted ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const { file, args, env } = command(port);
  const started = performance.now();
  const child = spawn(file, args, { env: (isolatedEnv ? env : { ...process.env, ...env }) as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"], cwd, detached: processGroup });
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (processGroup) process.kill(-child.pid!, signal);
      else child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    const answered = await fetch(`${url}${probePath}`).then(ready, () => false);
    if (answered) break;
    if (Date.now() > deadline) {
      kill("SIGKILL");
      throw new Error(`${name} did not answer within ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    url,
    pid: child.pid!,
    readyMs: performance.now() - started,
    logs: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) kill(signal);
      return exited;
    },
  };
}
