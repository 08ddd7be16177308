// Route level: the same list request against the app's Node.js and edge routes (`next start`, the query cache on
// as by default), the Node.js route of a second `next start` with the cache off, the raw-pg route under the same
// framework (bench/next-floor) and the raw-pg floor without one (bench/pg-server.ts), under the same autocannon
// load, interleaved round by round.
import autocannon from "autocannon";
import { startNext } from "../scripts/support/next-start";
import { startServerProcess, type ServerProcess } from "../scripts/support/server-process";
import { figure, newTable, processTree, ranged, rounds, rssMiB, summarize, type Log, type Table } from "./harness";

export const ROUTES = ["pg route", "next pg route", "node route", "node route, no cache", "edge route"] as const;
export const NEXT_FLOOR = "bench/next-floor";
const LIST = "/api/projects?limit=20";

export async function runRoutes(databaseUrl: string, options: { connections: number; seconds: number; rounds: number; log: Log }): Promise<Table[]> {
  const ready = { probePath: LIST, ready: (res: Response) => res.ok };
  const started: ServerProcess[] = [];
  const start = async (starting: Promise<ServerProcess>) => started[started.push(await starting) - 1]!;
  try {
    const server = await start(startNext({ DATABASE_URL: databaseUrl }, ready));
    const uncached = await start(startNext({ DATABASE_URL: databaseUrl, CACHE_ENABLED: "false" }, ready));
    const nextFloor = await start(startNext({ DATABASE_URL: databaseUrl }, { ...ready, dir: NEXT_FLOOR }));
    const floor = await start(startServerProcess("bench/pg-server.ts", (port) => ({ file: "node_modules/.bin/tsx", args: ["bench/pg-server.ts", databaseUrl, String(port)], env: {} }), ready));
    const urls: Record<(typeof ROUTES)[number], string> = {
      "pg route": `${floor.url}${LIST}`, "next pg route": `${nextFloor.url}${LIST}`, "node route": `${server.url}${LIST}`,
      "node route, no cache": `${uncached.url}${LIST}`, "edge route": `${server.url}/api/edge/projects?limit=20`,
    };
    const load = async (name: (typeof ROUTES)[number], duration: number) => {
      const result = await autocannon({ url: urls[name], connections: options.connections, duration });
      return { rps: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, failed: result.non2xx + result.errors + result.timeouts };
    };
    for (const name of ROUTES) await load(name, Math.max(1, options.seconds / 2));
    const rssAfterWarmUp = rssMiB(processTree(server.pid));
    const samples = await rounds(ROUTES, options.rounds, (name) => load(name, options.seconds));
    const m = Object.fromEntries(ROUTES.map((route) => [route, summarize(samples[route])]));
    const note = `GET ${LIST}, ${options.connections} connections, ${options.rounds} rounds of ${options.seconds} s, the routes interleaved (medians; req/s range over rounds).`;
    const routes = newTable("Route level", note, ["route", "req/s", "p50", "p99", "vs pg route", "vs next pg route", "failed requests"],
      ROUTES.map((route) => {
        const { rps, p50Ms, p99Ms } = m[route]!;
        const [pg, nextPg] = [m["pg route"]!.rps, m["next pg route"]!.rps];
        const cells = [ranged(m[route]!, "rps", ""), figure(p50Ms, "ms"), figure(p99Ms, "ms"), figure(pg / rps, "x"), figure(nextPg / rps, "x")];
        options.log(`  ${route}: ${Math.round(rps)} req/s, p50 ${p50Ms} ms, p99 ${p99Ms} ms`);
        return { key: route, cells: [route, ...cells, figure(samples[route].reduce((sum, s) => sum + s.failed, 0), "")] };
      }),
    );
    const figures = [figure(server.readyMs, "ms"), figure(rssAfterWarmUp, "MiB"), figure(rssMiB(processTree(server.pid)), "MiB")];
    const header = ["server", "spawn to first answered query", "RSS after warm-up", "RSS after the run"];
    return [routes, newTable("next start", "The app's server (node route) in the same run.", header, [{ key: "next start", cells: ["next start", ...figures] }])];
  } finally {
    await Promise.all(started.map((child) => child.stop()));
  }
}
