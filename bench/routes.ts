// Route level: the same list request against the app's Node.js and edge routes (`next start`, the query cache on
// as by default), the Node.js route of a second `next start` with the cache off, the raw-pg route under the same
// framework (bench/next-floor) and the raw-pg floor without one (bench/pg-server.ts), under the same autocannon
// load, interleaved round by round.
import { spawn } from "node:child_process";
import { once } from "node:events";
import autocannon from "autocannon";
import { median, rotate } from "./measure";
import { treeRssMiB } from "./memory";
import { startNext } from "../scripts/support/next-start";

export type RouteName = "pg route" | "next pg route" | "node route" | "node route, no cache" | "edge route";
const PATHS: Record<RouteName, string> = {
  "pg route": "/api/projects?limit=20",
  "next pg route": "/api/projects?limit=20",
  "node route": "/api/projects?limit=20",
  "node route, no cache": "/api/projects?limit=20",
  "edge route": "/api/edge/projects?limit=20",
};

async function startPgServer(databaseUrl: string) {
  const child = spawn("node_modules/.bin/tsx", ["bench/pg-server.ts", databaseUrl], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await Promise.race([once(child.stdout, "data"), once(child, "exit")])) as [Buffer | number | null];
  if (!Buffer.isBuffer(line)) throw new Error(`bench/pg-server.ts exited with ${line}`);
  return {
    url: line.toString().trim(),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

export const NEXT_FLOOR = "bench/next-floor";

export type RouteMeasurement = { route: RouteName; path: string; requestsPerSecond: number; p50Ms: number; p99Ms: number; non2xx: number; errors: number };
export type RouteReport = {
  connections: number;
  secondsPerRound: number;
  rounds: number;
  routes: RouteMeasurement[];
  server: { startToFirstQueryMs: number; rssAfterWarmUpMiB: number; rssAfterRunMiB: number };
};

export async function runRoutes(
  databaseUrl: string,
  options: { connections: number; seconds: number; rounds: number; log: (line: string) => void },
): Promise<RouteReport> {
  const ready = { probePath: PATHS["node route"], ready: (res: Response) => res.ok };
  const started: { stop: () => Promise<unknown> }[] = [];
  const start = async <T extends { stop: () => Promise<unknown> }>(starting: Promise<T>) => {
    const child = await starting;
    started.push(child);
    return child;
  };
  try {
    const server = await start(startNext({ DATABASE_URL: databaseUrl }, ready));
    const uncached = await start(startNext({ DATABASE_URL: databaseUrl, CACHE_ENABLED: "false" }, ready));
    const nextFloor = await start(startNext({ DATABASE_URL: databaseUrl }, { ...ready, dir: NEXT_FLOOR }));
    const floor = await start(startPgServer(databaseUrl));
    const names = Object.keys(PATHS) as RouteName[];
    const urls: Record<RouteName, string> = {
      "pg route": floor.url,
      "next pg route": nextFloor.url,
      "node route": server.url,
      "node route, no cache": uncached.url,
      "edge route": server.url,
    };
    const load = (name: RouteName, duration: number) =>
      autocannon({ url: `${urls[name]}${PATHS[name]}`, connections: options.connections, duration });
    for (const name of names) await load(name, Math.max(1, options.seconds / 2));
    const rssAfterWarmUpMiB = treeRssMiB(server.pid);
    const samples = new Map(names.map((n) => [n, [] as autocannon.Result[]]));
    for (let r = 0; r < options.rounds; r++) for (const name of rotate(names, r)) samples.get(name)!.push(await load(name, options.seconds));
    const routes = names.map((route) => {
      const results = samples.get(route)!;
      return {
        route,
        path: PATHS[route],
        requestsPerSecond: median(results.map((x) => x.requests.average)),
        p50Ms: median(results.map((x) => x.latency.p50)),
        p99Ms: median(results.map((x) => x.latency.p99)),
        non2xx: results.reduce((sum, x) => sum + x.non2xx, 0),
        errors: results.reduce((sum, x) => sum + x.errors + x.timeouts, 0),
      };
    });
    for (const r of routes) options.log(`  ${r.route}: ${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`);
    return {
      connections: options.connections,
      secondsPerRound: options.seconds,
      rounds: options.rounds,
      routes,
      server: { startToFirstQueryMs: server.readyMs, rssAfterWarmUpMiB, rssAfterRunMiB: treeRssMiB(server.pid) },
    };
  } finally {
    await Promise.all(started.map((child) => child.stop()));
  }
}
