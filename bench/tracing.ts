// What tracing costs at the route level: one `next start` with tracing off (no OTEL_* variables), one exporting
// every span over OTLP/HTTP (protobuf) to a receiver in this process, one sampling one trace in ten (the standard
// OTEL_TRACES_SAMPLER), and one with every always-on part switched off too (SQL comments, slow-query log), under
// the same autocannon load on GET /api/projects/:id, interleaved round by round.
// Then the query level: the app's reads in fresh processes with tracing off and on (bench/tracing-child.ts).
//   tsx scripts/with-db.ts tsx bench/tracing.ts [--seconds 5] [--rounds 3] [--connections 10] [--query-operations 4000]
//                                             [--baseline-dir DIR]
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
import { median, rotate } from "./measure";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    "query-operations": { type: "string", default: "4000" },
    "baseline-dir": { type: "string" },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const queryOperations = Number(values["query-operations"]);
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
  const samples = new Map(names.map((name) => [name, [] as autocannon.Result[]]));
  for (let round = 0; round < rounds; round++) {
    for (const name of rotate(names, round)) {
      const result = await load(name, seconds);
      samples.get(name)!.push(result);
      console.error(`  round ${round + 1} ${name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, non-2xx ${result.non2xx}`);
    }
  }
  const off = median(samples.get("tracing off")!.map((r) => r.requests.average));
  console.log(`\nGET ${path.replace(/[^/]+$/, ":id")}, ${connections} connections, ${rounds} rounds of ${seconds} s, load average ${os.loadavg()[0]!.toFixed(1)}`);
  console.log("| server | req/s (median) | runs | p50 ms | p99 ms | vs tracing off |");
  console.log("|---|---|---|---|---|---|");
  for (const [name, results] of samples) {
    const rps = results.map((r) => r.requests.average);
    const m = median(rps);
    console.log(
      `| ${name} | ${Math.round(m)} | ${rps.map(Math.round).join(", ")} | ${median(results.map((r) => r.latency.p50))} | ${median(results.map((r) => r.latency.p99))} | ${name === "tracing off" ? "" : `${(((m - off) / off) * 100).toFixed(1)}%`} |`,
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
  for (let round = 0; round < rounds; round++) {
    for (const traced of round % 2 ? [true, false] : [false, true]) queryRuns[traced ? "on" : "off"].push(await runChild(traced));
  }
  console.log(`\nQuery level (a fresh process per run, ${queryOperations} reads per figure, cache off): ops/s, median of ${rounds}`);
  console.log("| read | tracing off | tracing on | vs tracing off |");
  console.log("|---|---|---|---|");
  for (const read of Object.keys(queryRuns.off[0]!)) {
    const [off, on] = (["off", "on"] as const).map((mode) => median(queryRuns[mode].map((run) => run[read]!)));
    console.log(`| ${read} | ${off} | ${on} | ${(((on! - off!) / off!) * 100).toFixed(1)}% |`);
  }
} finally {
  await Promise.allSettled([...servers.values()].map((server) => server.stop()));
  await receiver.close();
  await admin.end();
  await database.drop();
}

