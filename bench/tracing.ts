// What tracing costs at the route level: one `next start` with tracing off (no OTEL_* variables), one exporting
// every span over OTLP/HTTP (protobuf) to a receiver in this process, one sampling one trace in ten (the standard
// OTEL_TRACES_SAMPLER), and one with every always-on part switched off too (SQL comments, slow-query log), under
// the same autocannon load on GET /api/projects/:id, interleaved round by round.
// Then the query level: the app's reads in fresh processes with tracing off and on (bench/tracing-child.ts).
//   tsx scripts/with-db.ts tsx bench/tracing.ts [--seconds 3] [--rounds 9] [--connections 10] [--query-operations 4000]
//                                             [--query-rounds 5] [--baseline-dir DIR]
// --baseline-dir: another checkout of the app, built, started the same way on the same database (e.g. one without
// this telemetry), to show what "tracing off" costs against no telemetry code at all.
import { execFile } from "node:child_process";
import os from "node:os";
import { parseArgs, promisify } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { startNext, type NextServer } from "../scripts/support/next-start";
import { startOtlpReceiver } from "../scripts/support/otlp-receiver";
import { createBenchDatabase, seed } from "./database";
import { median, pairedChange, processCpuMs, rotate } from "./measure";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "9" },
    connections: { type: "string", default: "10" },
    "query-operations": { type: "string", default: "4000" },
    "query-rounds": { type: "string", default: "5" },
    "baseline-dir": { type: "string" },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const queryOperations = Number(values["query-operations"]);
const queryRounds = Number(values["query-rounds"]);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is not set: run through scripts/with-db.ts, which provides one.");

const database = await createBenchDatabase(serverUrl);
const admin = new pg.Pool({ connectionString: database.url, max: 2 });
const receiver = await startOtlpReceiver({ keep: false });
const servers = new Map<string, NextServer>();
try {
  const fixture = await seed(admin, { projects: 20, charactersPerProject: 2, animationsPerCharacter: 4, framesPerAnimation: 24 }, 20260601);
  const path = `/api/projects/${fixture.projectIds[0]}`;
  const configs: Record<string, Record<string, string>> = {
    "tracing off": {},
    "tracing on": { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
    "tracing on, 1 in 10 sampled": {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
    },
    "no comments, no slow log": { DB_SQL_COMMENTS: "false", DB_SLOW_QUERY_MS: "0" },
  };
  const ready = { probePath: path, ready: (r: Response) => r.ok };
  for (const [name, env] of Object.entries(configs)) {
    servers.set(name, await startNext({ DATABASE_URL: database.url, DB_POOL_MAX: String(connections), ...env }, ready));
  }
  if (values["baseline-dir"]) {
    servers.set("baseline", await startNext({ DATABASE_URL: database.url, DB_POOL_MAX: String(connections) }, { ...ready, cwd: values["baseline-dir"] }));
  }
  const load = (name: string, duration: number) => autocannon({ url: `${servers.get(name)!.url}${path}`, connections, duration });
  const names = [...servers.keys()];
  for (const name of names) await load(name, 2);
  // Each round loads every server once, in a rotated order; a server's cost is its ratio to "tracing off" in the
  // same round, whose neighbouring runs share the machine's state of the moment (this one's throughput drifts by
  // more than the differences measured).
  type Sample = { rps: number; p50: number; p99: number; cpuUsPerRequest: number };
  const samples = new Map(names.map((name) => [name, [] as Sample[]]));
  for (let round = 0; round < rounds; round++) {
    for (const name of rotate(names, round)) {
      const pid = servers.get(name)!.pid;
      const cpuBefore = processCpuMs(pid);
      const result = await load(name, seconds);
      const cpuMs = cpuBefore === undefined ? NaN : processCpuMs(pid)! - cpuBefore;
      const sample = { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUsPerRequest: (cpuMs * 1000) / result.requests.total };
      samples.get(name)!.push(sample);
      console.error(`  round ${round + 1} ${name}: ${Math.round(sample.rps)} req/s, ${Math.round(sample.cpuUsPerRequest)} µs CPU per request, non-2xx ${result.non2xx}`);
    }
  }
  const percent = (value: number) => (Number.isNaN(value) ? "" : `${value > 0 ? "+" : ""}${value.toFixed(1)}%`);
  /** A server's change against "tracing off" in the same round: the median over rounds, and the quartiles. */
  const versusOff = (name: string, of: (sample: Sample) => number) => {
    if (name === "tracing off") return ["", ""];
    const change = pairedChange(samples.get(name)!.map(of), samples.get("tracing off")!.map(of));
    return [percent(change.median), `${percent(change.quartiles[0])} to ${percent(change.quartiles[1])}`];
  };
  console.log(`\nGET ${path.replace(/[^/]+$/, ":id")}, ${connections} connections, ${rounds} rounds of ${seconds} s, load average ${os.loadavg()[0]!.toFixed(1)}`);
  console.log("Changes are against tracing off in the same round (median of rounds; quartiles).\n");
  console.log("| server | req/s | p50 ms | p99 ms | req/s vs off | quartiles | server CPU µs per request | CPU vs off | quartiles |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const [name, results] of samples) {
    const of = (field: keyof Sample) => median(results.map((sample) => sample[field]));
    console.log(
      `| ${name} | ${Math.round(of("rps"))} | ${of("p50")} | ${of("p99")} | ${versusOff(name, (s) => s.rps).join(" | ")} | ${Math.round(of("cpuUsPerRequest"))} | ${versusOff(name, (s) => s.cpuUsPerRequest).join(" | ")} |`,
    );
  }
  console.log(`\n${receiver.exports()} OTLP exports received from the traced server.`);

  // Query level: the app's reads in fresh processes, tracing off and on, alternating, the cache off.
  // Asynchronously: the receiver in this process must keep answering the child's exports.
  const runChild = async (traced: boolean) => {
    const { stdout } = await promisify(execFile)("node_modules/.bin/tsx", ["bench/tracing-child.ts", database.url, fixture.projectIds[0]!, String(queryOperations)], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: traced ? receiver.url : "", OTEL_TRACES_EXPORTER: traced ? "" : "none", DB_SLOW_QUERY_MS: "0" },
    });
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number>;
  };
  const queryRuns: Record<"off" | "on", Record<string, number>[]> = { off: [], on: [] };
  for (let pair = 0; pair < queryRounds; pair++) {
    for (const traced of pair % 2 ? [true, false] : [false, true]) queryRuns[traced ? "on" : "off"].push(await runChild(traced));
  }
  console.log(`\nQuery level (a fresh process per run, ${queryOperations} reads per figure, cache off): ops/s, median of ${queryRounds} pairs of runs`);
  console.log("| read | tracing off | tracing on | vs tracing off, same pair (median) | quartiles |");
  console.log("|---|---|---|---|---|");
  for (const read of Object.keys(queryRuns.off[0] ?? {})) {
    const [off, on] = (["off", "on"] as const).map((mode) => queryRuns[mode].map((run) => run[read]!));
    const change = pairedChange(on!, off!);
    console.log(`| ${read} | ${median(off!)} | ${median(on!)} | ${percent(change.median)} | ${percent(change.quartiles[0])} to ${percent(change.quartiles[1])} |`);
  }
} finally {
  await Promise.allSettled([...servers.values()].map((server) => server.stop()));
  await receiver.close();
  await admin.end();
  await database.drop();
}

