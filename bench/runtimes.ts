// `bun run runtimes`: the app's API on every runtime it runs on (Node.js, Next's edge, workerd, Deno, Bun), each a
// server process of its own on one PostgreSQL, put through the same scenario. Prints one table.
//   tsx scripts/with-db.ts tsx bench/runtimes.ts [--rounds 3] [--reads 200]
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { backends, call, concurrentAppends, projectLifecycle } from "../scripts/support/api-scenario";
import { runtimeServers, type RuntimeServer } from "../scripts/support/runtime-servers";
import { createBenchDatabase } from "./database";
import { median, percentile, rotate } from "./measure";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" }, reads: { type: "string", default: "200" } } });
const rounds = Number(values.rounds);
const reads = Number(values.reads);
const log = (line: string) => console.error(line);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is not set: run through `bun run runtimes`, which provides one.");

type Round = { works: boolean; failure?: string; p50Ms: number; peak: number; held: number; coldStartMs: number };

if (!existsSync(".next/BUILD_ID")) {
  log("No production build yet: running next build...");
  execFileSync("node_modules/.bin/next", ["build"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}
const database = await createBenchDatabase(serverUrl);
const admin = new pg.Client({ connectionString: database.url });
await admin.connect();
const results = new Map<string, Round[]>(runtimeServers.map((runtime) => [runtime.name, []]));
try {
  for (let round = 0; round < rounds; round++) {
    // Each round starts with another runtime, so a busy moment of the machine does not always land on the same one.
    for (const runtime of rotate(runtimeServers, round)) {
      log(`round ${round + 1}/${rounds}: ${runtime.name}`);
      results.get(runtime.name)!.push(await measure(runtime, round));
    }
  }
} finally {
  await admin.end();
  await database.drop();
}

const range = (list: number[], digits = 0) =>
  `${median(list).toFixed(digits)} (${Math.min(...list).toFixed(digits)}–${Math.max(...list).toFixed(digits)})`;
console.log(`\n${rounds} rounds, median (min–max); ${reads} sequential point reads per round; PostgreSQL ${(await serverVersion())}.`);
console.log("| runtime | works | p50 point read, ms | backends peak / held after load | cold start, ms |");
console.log("| --- | --- | --- | --- | --- |");
for (const [name, list] of results) {
  const failed = list.filter((r) => !r.works);
  const works = failed.length === 0 ? "yes" : `${list.length - failed.length} of ${list.length} rounds; ${failed[0]!.failure}`;
  const peak = Math.max(...list.map((r) => r.peak));
  const held = Math.max(...list.map((r) => r.held));
  console.log(`| ${name} | ${works} | ${range(list.map((r) => r.p50Ms), 2)} | ${peak} / ${held} | ${range(list.map((r) => r.coldStartMs))} |`);
}

async function measure(runtime: RuntimeServer, round: number): Promise<Round> {
  const base = `runtimes-${runtime.runtime}-${round}`;
  const sessions = runtime.applicationName(base);
  // Cold start: from spawn to the first health answer that reached the database.
  const server = await runtime.start({ DATABASE_URL: database.url, DB_APPLICATION_NAME: base }, { ready: (r) => r.ok });
  const api = `${server.url}${runtime.prefix}`;
  try {
    const failures: string[] = [];
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
    const appends = await concurrentAppends(api, `${base}-frames`, 12);
    loading = false;
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
    // What the runtime keeps open between requests, once a request's own closing has had time to finish.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const held = await backends(admin, sessions);
    return {
      works: failures.length === 0,
      failure: failures[0],
      p50Ms: percentile(latencies, 0.5),
      peak,
      held,
      coldStartMs: server.readyMs,
    };
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
