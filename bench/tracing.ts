// What tracing costs at the route level: one `next start` with tracing off (no OTEL_* variables), one exporting
// every span over OTLP/HTTP (protobuf) to a receiver in this process, one sampling one trace in ten, one in a
// thousand and one none (the standard OTEL_TRACES_SAMPLER), one exporting Next.js's own spans too
// (TRACE_NEXT_SPANS), and one with every always-on part switched off (SQL comments, slow-query log), all loaded at
// once by autocannon on GET /api/projects/:id.
// Then the same route loaded the way the route benchmark (bench/routes.ts) loads its servers: one at a time, tracing
// off, on, and off again as a control. Then the query level: the app's reads in fresh processes with tracing off and
// on (bench/tracing-child.ts).
//   tsx scripts/with-db.ts tsx bench/tracing.ts [--seconds 4] [--rounds 15] [--generations 5] [--connections 10]
//                                             [--cycles 6] [--cycle-seconds 8]
//                                             [--query-operations 4000] [--query-rounds 5] [--baseline-dir DIR]
// --rounds 0, --cycles 0 or --query-rounds 0 leaves that part out.
// --baseline-dir: another checkout of the app, built, started the same way on the same database (e.g. one without
// this telemetry), to show what "tracing off" costs against no telemetry code at all.
import { execFile, execFileSync } from "node:child_process";
import os from "node:os";
import { parseArgs, promisify } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { startNext, type NextServer } from "../scripts/support/next-start";
import { startOtlpReceiver } from "../scripts/support/otlp-receiver";
import { createBenchDatabase, seed } from "./database";
import { median, pairedChange, permutations, processCpuMs, rotate } from "./measure";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "4" },
    rounds: { type: "string", default: "15" },
    generations: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    cycles: { type: "string", default: "6" },
    "cycle-seconds": { type: "string", default: "8" },
    "query-operations": { type: "string", default: "4000" },
    "query-rounds": { type: "string", default: "5" },
    "baseline-dir": { type: "string" },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const generations = Math.max(1, Math.min(rounds, Number(values.generations)));
const connections = Number(values.connections);
const cycles = Number(values.cycles);
const cycleSeconds = Number(values["cycle-seconds"]);
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
  const route = "/api/projects/:id";
  const configs: Record<string, Record<string, string>> = {
    "tracing off": {},
    "tracing on": { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
    "tracing on, 1 in 10 sampled": ratioSampled(receiver.url, 0.1),
    "tracing on, 1 in 1,000 sampled": ratioSampled(receiver.url, 0.001),
    // Every request in OpenTelemetry's context with a span that records nothing: what sampling cannot save.
    "tracing on, none sampled": { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: "always_off" },
    "tracing on, Next.js's spans": { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TRACE_NEXT_SPANS: "true" },
    "no comments, no slow log": { DB_SQL_COMMENTS: "false", DB_SLOW_QUERY_MS: "0" },
  };
  const ready = { probePath: path, ready: (r: Response) => r.ok };
  const names = [...Object.keys(configs), ...(values["baseline-dir"] ? ["baseline"] : [])];
  const start = async (name: string, env: Record<string, string> | undefined, cwd?: string) =>
    servers.set(name, await startNext({ DATABASE_URL: database.url, DB_POOL_MAX: String(connections), ...env }, { ...ready, cwd }));
  const stopAll = async () => {
    await Promise.allSettled([...servers.values()].map((server) => server.stop()));
    servers.clear();
  };
  const startAll = async (generation: number) => {
    for (const name of rotate(names, generation)) {
      if (name === "baseline") await start(name, {}, values["baseline-dir"]);
      else await start(name, configs[name]);
    }
  };
  const load = (server: NextServer, duration: number) => autocannon({ url: `${server.url}${path}`, connections, duration });
  /** A server under load for `duration` s: its throughput, latency, and the CPU time it spent per request. */
  const measure = async (server: NextServer, duration: number): Promise<Sample> => {
    const cpuBefore = processCpuMs(server.pid);
    const result = await load(server, duration);
    const cpuMs = cpuBefore === undefined ? NaN : processCpuMs(server.pid)! - cpuBefore;
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUsPerRequest: (cpuMs * 1000) / result.requests.total, non2xx: result.non2xx };
  };
  // Every round loads all servers at once, so that they share the machine's state of the moment: on a shared host
  // one server's throughput moves by up to 2x from one round to the next, far more than the differences measured.
  // The servers share one CPU and this process (the load and the receiver) keeps to another: left to the
  // scheduler, two identical servers differed by up to 10%, by where each happened to run; pinned, by 2-7%, from
  // one process to the next and by the order they were started in. So the rounds are split into generations, each
  // with every server started afresh and in another order: no one process, and no place in the order, decides a
  // figure. A server's cost is its change against "tracing off" in the same round; sharing one CPU, one that spends
  // more per request answers fewer.
  const samples = new Map(names.map((name) => [name, [] as Sample[]]));
  let pinned = false;
  for (let generation = 0, round = 0; rounds > 0 && generation < generations; generation++) {
    await startAll(generation);
    const unpin = pinCpus(process.pid, [...servers.values()].map((server) => server.pid));
    pinned = unpin !== undefined;
    await Promise.all(names.map((name) => load(servers.get(name)!, 2)));
    for (const end = Math.round((rounds * (generation + 1)) / generations); round < end; round++) {
      const measured = await Promise.all(names.map((name) => measure(servers.get(name)!, seconds)));
      for (const [i, name] of names.entries()) {
        samples.get(name)!.push(measured[i]!);
        console.error(`  round ${round + 1} ${name}: ${describe(measured[i]!)}`);
      }
    }
    unpin?.();
    await stopAll();
  }
  if (rounds > 0) {
    console.log(
      `\nGET ${route}, ${connections} connections to each server, all loaded at once${pinned ? " on one CPU" : ""}, ${rounds} rounds of ${seconds} s in ${generations} generations of processes, load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    console.log("Changes are against tracing off in the same round (median of rounds; quartiles).\n");
    printTable(samples);
  }

  // One server loaded at a time, as the route benchmark loads its servers: each has the machine to itself but for the
  // load, the database and the receiver, as a server in production has its CPU. Each cycle starts the three afresh
  // and loads them one after another, in each of the six orders in turn (so each server follows each other as often:
  // the traced one still sends its last spans as the next one is loaded), and states each against the first in the
  // same cycle; "tracing off, again" runs the same code as it, so its change is this method's own spread.
  const alone: Record<string, Record<string, string>> = {
    "tracing off": configs["tracing off"]!,
    "tracing on": configs["tracing on"]!,
    "tracing off, again": configs["tracing off"]!,
  };
  const aloneSamples = new Map(Object.keys(alone).map((name) => [name, [] as Sample[]]));
  const orders = permutations(Object.keys(alone));
  for (let cycle = 0; cycle < cycles; cycle++) {
    const order = orders[cycle % orders.length]!;
    for (const name of order) await start(name, alone[name]);
    for (const name of order) await load(servers.get(name)!, 2);
    for (const name of order) {
      const sample = await measure(servers.get(name)!, cycleSeconds);
      aloneSamples.get(name)!.push(sample);
      console.error(`  cycle ${cycle + 1} ${name}: ${describe(sample)}`);
    }
    await stopAll();
  }
  if (cycles > 0) {
    console.log(
      `\nGET ${route}, ${connections} connections, one server loaded at a time as in the route benchmark, ${cycles} cycles of ${cycleSeconds} s each, processes started afresh every cycle, load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    console.log("Changes are against tracing off in the same cycle (median of cycles; quartiles).\n");
    printTable(aloneSamples);
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
  if (queryRounds > 0) {
    console.log(`\nQuery level (a fresh process per run, ${queryOperations} reads per figure, cache off): ops/s, median of ${queryRounds} pairs of runs`);
    console.log("| read | tracing off | tracing on | vs tracing off, same pair (median) | quartiles |");
    console.log("|---|---|---|---|---|");
  }
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

type Sample = { rps: number; p50: number; p99: number; cpuUsPerRequest: number; non2xx: number };

function describe(sample: Sample) {
  return `${Math.round(sample.rps)} req/s, ${Math.round(sample.cpuUsPerRequest)} µs CPU per request, non-2xx ${sample.non2xx}`;
}

function percent(value: number) {
  return Number.isNaN(value) ? "" : `${value > 0 ? "+" : ""}${value.toFixed(1)}%`;
}

/** Each server's medians and its change against "tracing off" measured beside it: the median over pairs, and the quartiles. */
function printTable(samples: Map<string, Sample[]>) {
  const versus = (name: string, of: (sample: Sample) => number) => {
    if (name === "tracing off") return ["", ""];
    const change = pairedChange(samples.get(name)!.map(of), samples.get("tracing off")!.map(of));
    return [percent(change.median), `${percent(change.quartiles[0])} to ${percent(change.quartiles[1])}`];
  };
  console.log("| server | req/s | p50 ms | p99 ms | req/s vs off | quartiles | server CPU µs per request | CPU vs off | quartiles |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const [name, results] of samples) {
    const of = (field: keyof Sample) => median(results.map((sample) => sample[field]));
    console.log(
      `| ${name} | ${Math.round(of("rps"))} | ${of("p50")} | ${of("p99")} | ${versus(name, (s) => s.rps).join(" | ")} | ${Math.round(of("cpuUsPerRequest"))} | ${versus(name, (s) => s.cpuUsPerRequest).join(" | ")} |`,
    );
  }
}

function ratioSampled(endpoint: string, ratio: number) {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: String(ratio) };
}

/**
 * The servers, every thread, on the last CPU and this process on the first (`taskset`). Returns what puts this
 * process back on every CPU, or undefined where there is one CPU or no taskset.
 */
function pinCpus(loadPid: number, serverPids: number[]): (() => void) | undefined {
  const last = os.availableParallelism() - 1;
  const taskset = (cpus: string, pid: number) => execFileSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" });
  if (last < 1) return undefined;
  try {
    taskset("0", loadPid);
    for (const pid of serverPids) taskset(String(last), pid);
    return () => taskset(`0-${last}`, loadPid);
  } catch {
    return undefined;
  }
}
