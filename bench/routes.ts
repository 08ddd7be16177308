// Route level: the same list request against the Node.js route, the edge route and the raw-pg route of one
// `next start`, under the same autocannon load, interleaved round by round.
import autocannon from "autocannon";
import { median, rotate } from "./measure";
import { startNext } from "../scripts/support/next-start";
import { treeRssMiB } from "./memory";

export type RouteName = "pg route" | "node route" | "edge route";
const PATHS: Record<RouteName, string> = {
  "pg route": "/api/bench/projects?limit=20",
  "node route": "/api/projects?limit=20",
  "edge route": "/api/edge/projects?limit=20",
};

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
  const server = await startNext(
    { DATABASE_URL: databaseUrl, BENCH_ROUTES: "1" },
    { probePath: PATHS["node route"], ready: (res) => res.ok },
  );
  try {
    const names = Object.keys(PATHS) as RouteName[];
    const load = (name: RouteName, duration: number) =>
      autocannon({ url: `${server.url}${PATHS[name]}`, connections: options.connections, duration });
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
    await server.stop();
  }
}
