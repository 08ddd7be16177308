// Prometheus itself (Debian's package), scraping one target on a free port with its own scratch storage.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../scripts/support/free-port";

export const prometheusBinary = "/usr/bin/prometheus";
export const prometheusMissing = !existsSync(prometheusBinary);

export type Sample = { metric: Record<string, string>; value: [number, string] };

export async function startPrometheus(target: { url: string; path: string; bearerToken?: string }) {
  const scratch = mkdtempSync(path.join(tmpdir(), "prometheus-"));
  const port = await freePort();
  const { host } = new URL(target.url);
  writeFileSync(
    path.join(scratch, "prometheus.yml"),
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "scrape_configs:",
      "  - job_name: app",
      `    metrics_path: ${target.path}`,
      ...(target.bearerToken ? ["    authorization:", `      credentials: ${target.bearerToken}`] : []),
      "    static_configs:",
      `      - targets: ["${host}"]`,
    ].join("\n"),
  );
  const child = spawn(
    prometheusBinary,
    [
      `--config.file=${path.join(scratch, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(scratch, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
    if (await fetch(`${url}/-/ready`).then((res) => res.ok, () => false)) break;
    if (i > 300) throw new Error(`prometheus was not ready within 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  async function api<T>(endpoint: string, params: Record<string, string>): Promise<T> {
    const res = await fetch(`${url}/api/v1/${endpoint}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`prometheus ${endpoint}: ${body.error}`);
    return body.data;
  }

  return {
    url,
    logs: () => output,
    /** An instant query: the newest value of each series. */
    query: async (promql: string) => (await api<{ result: Sample[] }>("query", { query: promql })).result,
    queryRange: async (promql: string, start: number, end: number, step: number) =>
      (
        await api<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>("query_range", {
          query: promql,
          start: String(start),
          end: String(end),
          step: String(step),
        })
      ).result,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export type Prometheus = Awaited<ReturnType<typeof startPrometheus>>;
