// `bun run runtimes`: the app's API on every runtime it runs on (Node.js, Next's edge, workerd, Deno, Bun), each a
// server process of its own on one PostgreSQL, put through the same scenario; Next's edge on both of its paths (the
// prisma-gateway `next start` serves, the WebSocket bridge), workerd and Deno also through a gateway process.
// Prints one table.
//   tsx scripts/with-db.ts tsx bench/runtimes.ts [--rounds 3] [--reads 200] [--seconds 3] [--only "Next edge"]
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { backends, call, concurrentAppends, projectLifecycle } from "../scripts/support/api-scenario";
import { startGatewayProcess } from "../scripts/support/gateway-serve";
import { runtimeServers, type RuntimeServer } from "../scripts/support/runtime-servers";
import { createBenchDatabase } from "./database";
import { median, percentile, rotate } from "./measure";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    reads: { type: "string", default: "200" },
    seconds: { type: "string", default: "3" },
    // Only the runtimes whose name contains this ("Next edge": both of its paths).
    only: { type: "string", default: "" },
  },
});
const rounds = Number(values.rounds);
const reads = Number(values.reads);
const seconds = Number(values.seconds);
const log = (line: string) => console.error(line);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is not set: run through `bun run runtimes`, which provides one.");

type Round = {
  works: boolean;
  failure?: string;
  p50Ms: number;
  healthP50Ms: number;
  firstReadMs: number;
  perSecond: number;
  peak: number;
  held: number;
  coldStartMs: number;
};
type Variant = RuntimeServer & { env?: Record<string, string> };

if (!existsSync(".next/BUILD_ID")) {
  log("No production build yet: running next build...");
  execFileSync("node_modules/.bin/next", ["build"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}
const database = await createBenchDatabase(serverUrl);
const admin = new pg.Client({ connectionString: database.url });
await admin.connect();
// One gateway process for the runtimes that take DB_GATEWAY_URL, with the pool size the others have.
const gateway = await startGatewayProcess({ DATABASE_URL: database.url, GATEWAY_POOL_MAX: "10", GATEWAY_LOG_LEVEL: "warn" });
const named = (name: string) => runtimeServers.find((runtime) => runtime.name === name)!;
const variants: Variant[] = [
  ...runtimeServers.map((runtime) => (runtime.name === "Next edge" ? { ...runtime, name: "Next edge, gateway (default)" } : runtime)),
  { ...named("Next edge"), name: "Next edge, WebSocket", env: { DB_EDGE_TRANSPORT: "websocket" } },
  { ...named("workerd"), name: "workerd, gateway", env: { DB_GATEWAY_URL: gateway.accelerateUrl } },
  { ...named("Deno"), name: "Deno, gateway", env: { DB_GATEWAY_URL: gateway.accelerateUrl } },
];
const chosen = variants.filter((variant) => variant.name.includes(values.only));
const results = new Map<string, Round[]>(chosen.map((runtime) => [runtime.name, []]));
try {
  for (let round = 0; round < rounds; round++) {
    // Each round starts with another runtime, so a busy moment of the machine does not always land on the same one.
    for (const runtime of rotate(chosen, round)) {
      log(`round ${round + 1}/${rounds}: ${runtime.name}`);
      results.get(runtime.name)!.push(await measure(runtime, round));
    }
  }
} finally {
  await gateway.stop();
  await admin.end();
  await database.drop();
}

const range = (list: number[], digits = 0) =>
  `${median(list).toFixed(digits)} (${Math.min(...list).toFixed(digits)}–${Math.max(...list).toFixed(digits)})`;
console.log(
  `\n${rounds} rounds, median (min–max); ${reads} sequential reads of each kind per round, then ${seconds} s of 10 concurrent findProject reads; PostgreSQL ${await serverVersion()}.`,
);
console.log("| runtime | works | p50 health (one statement), ms | p50 findProject, ms | findProject req/s, 10 callers | first findProject on a fresh route, ms | backends peak / held after load | cold start, ms |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const [name, list] of results) {
  const failed = list.filter((r) => !r.works);
  const works = failed.length === 0 ? "yes" : `${list.length - failed.length} of ${list.length} rounds; ${failed[0]!.failure}`;
  const peak = Math.max(...list.map((r) => r.peak));
  const held = Math.max(...list.map((r) => r.held));
  console.log(
    `| ${name} | ${works} | ${range(list.map((r) => r.healthP50Ms), 2)} | ${range(list.map((r) => r.p50Ms), 2)} | ${range(list.map((r) => r.perSecond))} | ${range(list.map((r) => r.firstReadMs), 1)} | ${peak} / ${held} | ${range(list.map((r) => r.coldStartMs))} |`,
  );
}

async function measure(runtime: Variant, round: number): Promise<Round> {
  // Named after the variant: two of one runtime write slugs of their own.
  const base = `runtimes-${runtime.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/-$/, "")}-${round}`;
  const sessions = runtime.applicationName(base);
  // A project to read before the server has served any: its first read is a route's first request.
  const { rows } = await admin.query<{ id: string }>(
    "insert into projects (id, slug, name, updated_at) values (gen_random_uuid(), $1, 'First', now()) returning id",
    [`${base}-first`],
  );
  // Cold start: from spawn to the first health answer that reached the database.
  const server = await runtime.start({ DATABASE_URL: database.url, DB_APPLICATION_NAME: base, ...runtime.env }, { ready: (r) => r.ok });
  const api = `${server.url}${runtime.prefix}`;
  try {
    const failures: string[] = [];
    const firstStarted = performance.now();
    const first = await call(`${api}/projects/${rows[0]!.id}`);
    const firstReadMs = performance.now() - firstStarted;
    if (first.status !== 200) failures.push(`first read ${first.status}`);
    const health = await call(`${api}/health`);
    if (health.body?.runtime !== runtime.runtime) failures.push(`health said ${JSON.stringify(health.body)}`);
    const lifecycle = await projectLifecycle(api, `${base}-crud`);
    if (lifecycle.statuses.join() !== "201,200,200,200,204,404") failures.push(`CRUD statuses ${lifecycle.statuses}`);

    let peak = 0;
    let loading = true;
    const watch = (async () => {
      while (loading) {
        peak = Math.max(peak, await backends(admin, sessions));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // The watch stops whatever the appends do, so that a failure is reported as itself.
    const appends = await concurrentAppends(api, `${base}-frames`, 12).finally(() => (loading = false));
    await watch;
    if (appends.failures.length) failures.push(`appends answered ${JSON.stringify(appends.failures[0])}`);
    else if (appends.indexes.join() !== [...Array(12).keys()].join()) failures.push(`append indexes ${appends.indexes}`);

    const latencies: number[] = [];
    for (let i = 0; i < reads + 20; i++) {
      const started = performance.now();
      const answer = await call(`${api}/projects/${appends.projectId}`);
      if (i >= 20) latencies.push(performance.now() - started);
      if (answer.status !== 200) failures.push(`point read ${answer.status}`);
    }
    const healthLatencies: number[] = [];
    for (let i = 0; i < reads + 20; i++) {
      const started = performance.now();
      const answer = await call(`${api}/health`);
      if (i >= 20) healthLatencies.push(performance.now() - started);
      if (answer.status !== 200) failures.push(`health ${answer.status}`);
    }
    const load = await autocannon({ url: `${api}/projects/${appends.projectId}`, connections: 10, duration: seconds });
    if (load.non2xx || load.errors) failures.push(`under load: ${load.non2xx} non-2xx, ${load.errors} errors`);
    // What the runtime keeps open between requests, once a request's own closing has had time to finish.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const held = await backends(admin, sessions);
    return {
      works: failures.length === 0,
      failure: failures[0],
      p50Ms: percentile(latencies, 0.5),
      healthP50Ms: percentile(healthLatencies, 0.5),
      firstReadMs,
      perSecond: load.requests.average,
      peak,
      held,
      coldStartMs: server.readyMs,
    };
  } catch (error) {
    log(`${runtime.name} failed; its output:\n${server.logs().slice(-3000)}`);
    throw error;
  } finally {
    await server.stop();
  }
}

async function serverVersion() {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query("show server_version")).rows[0].server_version;
  } finally {
    await client.end();
  }
}
