// The runtimes section (`bun run runtimes`): the app's API on every runtime it runs on (Node.js, Next's edge, workerd,
// Deno, Bun), each a server process of its own, put through the same scenario: the first read of a fresh route,
// health, a project's life cycle, 12 concurrent frame appends while the backends it holds are counted, sequential
// point reads, then 10 callers at once. Next's edge on both of its paths (the prisma-gateway `next start` serves, the
// WebSocket bridge); workerd and Deno also through a gateway process.
import autocannon from "autocannon";
import pg from "pg";
import { startGatewayProcess } from "../scripts/support/gateway-serve";
import { backends, call, concurrentAppends, projectLifecycle } from "../scripts/support/api-scenario";
import { runtimeServers, type RuntimeServer } from "../scripts/support/runtime-servers";
import { figure, load, newTable, ranged, rounds, summarize, type Log, type Table } from "./harness";

type Variant = RuntimeServer & { env?: Record<string, string> };
// Health names its runtime to the metrics token's bearer only.
const metricsToken = "bench-runtimes-metrics-token";

export async function runRuntimes(databaseUrl: string, options: { rounds: number; reads: number; seconds: number; log: Log }): Promise<Table> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const gateway = await startGatewayProcess({ DATABASE_URL: databaseUrl, GATEWAY_POOL_MAX: "10", GATEWAY_LOG_LEVEL: "warn" });
  const named = (name: string) => runtimeServers.find((runtime) => runtime.name === name)!;
  const variants: Variant[] = [
    ...runtimeServers.map((runtime) => (runtime.name === "Next edge" ? { ...runtime, name: "Next edge, gateway (default)" } : runtime)),
    { ...named("Next edge"), name: "Next edge, WebSocket", env: { DB_EDGE_TRANSPORT: "websocket" } },
    { ...named("workerd"), name: "workerd, gateway", env: { DB_GATEWAY_URL: gateway.accelerateUrl } },
    { ...named("Deno"), name: "Deno, gateway", env: { DB_GATEWAY_URL: gateway.accelerateUrl } },
  ];
  const names = variants.map((variant) => variant.name);
  const failures = new Map<string, string[]>(names.map((name) => [name, []]));
  let started = 0;
  try {
    const samples = await rounds(names, options.rounds, async (name) => {
      options.log(`  ${name} (runtimes-${++started})`);
      return measure(variants.find((variant) => variant.name === name)!, `runtimes-${started}`, failures.get(name)!);
    });
    const rows = names.map((name) => {
      const [failed, s] = [failures.get(name)!, summarize(samples[name]!)];
      const works = failed.length === 0 ? "yes" : `no: ${failed.length} failures; ${failed[0]}`;
      const reads = [ranged(s, "p50Ms", "ms"), ranged(s, "perSecond", "/s"), ranged(s, "firstReadMs", "ms")];
      return { key: name, cells: [name, works, ...reads, figure(s.peakMax!, ""), figure(s.heldMax!, ""), ranged(s, "coldStartMs", "ms")] };
    });
    const note =
      `${options.rounds} rounds, medians (range); ${options.reads} sequential reads of a project (GET /projects/:id) per round, ` +
      `then ${options.seconds} s of 10 concurrent callers.`;
    const columns = ["runtime", "works", "p50 project read", "project reads, 10 callers", "first read of a fresh route", "backends peak", "held after load", "cold start"];
    return newTable("Runtimes", note, columns, rows);
  } finally {
    await gateway.stop();
    await admin.end();
  }

  async function measure(runtime: Variant, base: string, failures: string[]) {
    const sessions = runtime.applicationName(base);
    // A project to read before the server has served any: its first read is a route's first request.
    const insertFirst = "insert into projects (id, slug, name, updated_at) values (gen_random_uuid(), $1, 'First', now()) returning id";
    const { rows } = await admin.query<{ id: string }>(insertFirst, [`${base}-first`]);
    // Cold start: from spawn to the first health answer that reached the database.
    const env = { DATABASE_URL: databaseUrl, DB_APPLICATION_NAME: base, METRICS_TOKEN: metricsToken, ...runtime.env };
    const server = await runtime.start(env, { ready: (r) => r.ok });
    const api = `${server.url}${runtime.prefix}`;
    try {
      const firstStarted = performance.now();
      const first = await call(`${api}/projects/${rows[0]!.id}`);
      const firstReadMs = performance.now() - firstStarted;
      if (first.status !== 200) failures.push(`first read ${first.status}`);
      const health = await call(`${api}/health`, "GET", undefined, { authorization: `Bearer ${metricsToken}` });
      if (health.body?.runtime !== runtime.runtime) failures.push(`health said ${JSON.stringify(health.body)}`);
      const lifecycle = await projectLifecycle(api, `${base}-crud`);
      if (lifecycle.statuses.join() !== "201,200,200,200,204,404") failures.push(`CRUD statuses ${lifecycle.statuses}`);
      let [peak, loading] = [0, true];
      const watch = (async () => {
        for (; loading; await new Promise((resolve) => setTimeout(resolve, 20))) peak = Math.max(peak, await backends(admin, sessions));
      })();
      // The watch stops whatever the appends do, so that a failure is reported as itself.
      const appends = await concurrentAppends(api, `${base}-frames`, 12).finally(() => (loading = false));
      await watch;
      if (appends.failures.length) failures.push(`appends answered ${JSON.stringify(appends.failures[0])}`);
      else if (appends.indexes.join() !== [...Array(12).keys()].join()) failures.push(`append indexes ${appends.indexes}`);
      const pointRead = async () => {
        const answer = await call(`${api}/projects/${appends.projectId}`);
        if (answer.status !== 200) failures.push(`point read ${answer.status}`);
      };
      await load(1, 20, pointRead);
      const { p50Us } = await load(1, options.reads, pointRead);
      const loaded = await autocannon({ url: `${api}/projects/${appends.projectId}`, connections: 10, duration: options.seconds });
      if (loaded.non2xx || loaded.errors) failures.push(`under load: ${loaded.non2xx} non-2xx, ${loaded.errors} errors`);
      // What the runtime keeps open between requests, once a request's own closing has had time to finish.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const held = await backends(admin, sessions);
      return { p50Ms: p50Us / 1000, perSecond: loaded.requests.average, firstReadMs, peak, held, coldStartMs: server.readyMs };
    } finally {
      await server.stop();
    }
  }
}
