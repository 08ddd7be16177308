// A real `next start` of the production build, on a free port, with the environment the caller gives it.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { freePort } from "./free-port";

export type NextServer = {
  url: string;
  pid: number;
  /** From spawn to the first answer to `probePath` that `ready` accepted. */
  readyMs: number;
  logs: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

type StartOptions = {
  probePath?: string;
  /** Whether an answer counts; by default any answer does, a 503 from a server whose database is down included. */
  ready?: (response: Response) => boolean;
  timeoutMs?: number;
  /** Another checkout of the app to start instead of this one. */
  cwd?: string;
};

export async function startNext(
  env: Record<string, string | undefined>,
  { probePath = "/api/health", ready = () => true, timeoutMs = 60_000, cwd }: StartOptions = {},
): Promise<NextServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn("node_modules/.bin/next", ["start", "-p", String(port), "-H", "127.0.0.1"], {
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    cwd,
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
    const answered = await fetch(`${url}${probePath}`).then(ready, () => false);
    if (answered) break;
    if (Date.now() > deadline) throw new Error(`next start did not answer within ${timeoutMs / 1000} s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    url,
    pid: child.pid!,
    readyMs: performance.now() - started,
    logs: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
