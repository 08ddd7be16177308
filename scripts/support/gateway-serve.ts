// `bun run gateway` (packages/prisma-gateway) as a process of its own on a free port, or on `port` to bring one back
// where it was, with the environment the caller gives it. `accelerateUrl` is what DB_GATEWAY_URL takes.
import { randomBytes } from "node:crypto";
import { startServerProcess, type ServerProcess, type StartOptions } from "./server-process";

export type GatewayProcess = ServerProcess & { key: string; accelerateUrl: string };

export async function startGatewayProcess(
  env: Record<string, string | undefined>,
  { key = randomBytes(24).toString("base64url"), port, ...options }: StartOptions & { key?: string; port?: number } = {},
): Promise<GatewayProcess> {
  const server = await startServerProcess(
    "prisma-gateway",
    (chosen) => ({
      // Node.js itself with tsx's loader, not tsx's launcher: a signal (SIGKILL included) reaches the gateway.
      file: process.execPath,
      args: ["--import", "tsx", "packages/prisma-gateway/src/main.ts"],
      env: { GATEWAY_API_KEYS: key, ...env, GATEWAY_PORT: String(chosen) },
    }),
    { probePath: "/health", ...options, port },
  );
  const { host } = new URL(server.url);
  return { ...server, key, accelerateUrl: `prisma+postgres://${host}/?api_key=${key}` };
}
