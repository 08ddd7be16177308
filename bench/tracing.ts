// What tracing costs: GET /api/projects/:id under autocannon on `next start` servers of one database, tracing off and
// on in the settings below (spans exported over OTLP/HTTP protobuf to a receiver in this process), first all loaded at
// once, then off, on and off again one at a time as the route level loads its servers; then the app's reads in fresh
// processes (bench/child.ts), off and on.
import { execFileSync } from "node:child_process";
import os from "node:os";
import autocannon from "autocannon";
import { startNext, type NextServer } from "../scripts/support/next-start";
import { startOtlpReceiver } from "../scripts/support/otlp-receiver";
import { childFigures, compare, comparedRow, newTable, processCpuMs, rotate, type Log, type Table, type Unit } from "./harness";

const OFF = "tracing off";
const SERVER_FIGURES: [string, Unit][] = [["rps", ""], ["cpuUsPerRequest", "µs"]];
const SERVER_HEADER = ["server", "req/s", "req/s vs tracing off", "server CPU µs per request", "CPU vs tracing off"];
// everySetting false (the smoke) loads only tracing off and on at once: each setting's own effect is tests/telemetry's.
type Settings = { rounds: number; seconds: number; generations: number; cycles: number; cycleSeconds: number; queryOperations: number; queryPairs: number; everySetting: boolean };

export async function runTracing(databaseUrl: string, projectId: string, options: Settings & { baselineDir?: string; log: Log }): Promise<Table[]> {
  const receiver = await startOtlpReceiver({ keep: false });
  const on = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
  const sampled = (ratio: number) => ({ ...on, OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: String(ratio) });
  const configs: Record<string, Record<string, string>> = {
    [OFF]: {},
    "tracing on": on,
    "tracing on, 1 in 10 sampled": sampled(0.1),
    "tracing on, 1 in 1,000 sampled": sampled(0.001),
    // Every request in OpenTelemetry's context with a span that records nothing: what sampling cannot save.
    "tracing on, none sampled": { ...on, OTEL_TRACES_SAMPLER: "always_off" },
    "tracing on, Next.js's spans": { ...on, TRACE_NEXT_SPANS: "true" },
    "no comments, no slow log": { DB_SQL_COMMENTS: "false", DB_SLOW_QUERY_MS: "0" },
    ...(options.baselineDir && { baseline: {} }),
    // The control of the one-at-a-time part: the same code as tracing off, so its change is that method's own spread.
    "tracing off, again": {},
  };
  const path = `/api/projects/${projectId}`;
  const servers = new Map<string, NextServer>();
  const start = async (name: string) => {
    const env = { DATABASE_URL: databaseUrl, DB_POOL_MAX: "10", ...configs[name] };
    servers.set(name, await startNext(env, { probePath: path, ready: (r) => r.ok, cwd: name === "baseline" ? options.baselineDir : undefined }));
  };
  const stopAll = () => Promise.allSettled([...servers.values()].map((server) => server.stop())).then(() => servers.clear());
  const load = (name: string, duration: number) => autocannon({ url: `${servers.get(name)!.url}${path}`, connections: 10, duration });
  /** A server under load: its throughput and the CPU time it spent per request. */
  const measure = (duration: number) => async (name: string) => {
    const cpuBefore = processCpuMs(servers.get(name)!.pid);
    const result = await load(name, duration);
    const cpuUsPerRequest = ((processCpuMs(servers.get(name)!.pid) - cpuBefore) * 1000) / result.requests.total;
    options.log(`  ${name}: ${Math.round(result.requests.average)} req/s, ${Math.round(cpuUsPerRequest)} µs CPU per request, non-2xx ${result.non2xx}`);
    return { rps: result.requests.average, cpuUsPerRequest };
  };
  try {
    // All servers loaded at once share the machine's state of the moment (on a shared host one server's throughput moves
    // by up to 2x from one round to the next). Left to the scheduler, two identical servers differed by up to 10%; pinned
    // to one CPU, the load on the other, by 2-7%, from one process to the next and by their order of start. So the rounds
    // run in generations, every server started afresh in another order: no process or place in the order decides a figure.
    const together = Object.keys(configs).filter((name) => name !== "tracing off, again" && (options.everySetting || name === OFF || name === "tracing on"));
    const generations = Math.max(1, Math.min(options.rounds, options.generations));
    const firstOf = (generation: number) => Math.round((options.rounds * generation) / generations);
    let [generation, unpin] = [0, undefined as (() => void) | undefined];
    const all = await compare(together, OFF, options.rounds, measure(options.seconds), {
      order: "together",
      before: async (round) => {
        if (round !== firstOf(generation)) return;
        for (const name of rotate(together, generation++)) await start(name);
        unpin = pinCpus([...servers.values()].map((server) => server.pid));
        await Promise.all(together.map((name) => load(name, Math.min(2, options.seconds))));
      },
      after: async (round) => {
        if (round + 1 !== firstOf(generation)) return;
        unpin?.();
        await stopAll();
      },
    });

    // One server loaded at a time, as the route level loads its servers, each with the machine to itself but for the load,
    // the database and the receiver. Each cycle starts the three afresh and loads them in one of the six orders: each
    // follows each other as often (the traced one still sends its last spans as the next one is loaded).
    const alone = await compare([OFF, "tracing on", "tracing off, again"], OFF, options.cycles, measure(options.cycleSeconds), {
      order: "permute",
      before: async (_, order) => {
        for (const name of order) await start(name);
        for (const name of order) await load(name, Math.min(2, options.cycleSeconds));
      },
      after: stopAll,
    });

    // Query level, asynchronously: the receiver in this process must keep answering the child's exports.
    const queries = await compare([OFF, "tracing on"], OFF, options.queryPairs, async (name) => {
      const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: name === OFF ? "" : receiver.url, OTEL_TRACES_EXPORTER: name === OFF ? "none" : "", DB_SLOW_QUERY_MS: "0" };
      return childFigures(["traced-reads", "prisma", databaseUrl, projectId, String(options.queryOperations)], env);
    }, { order: "permute" });
    const reads = Object.keys(queries[1]!.vs);
    const readColumns = reads.map((read): [string, Unit] => [read, ""]);
    const route = `GET /api/projects/:id, 10 connections; changes against tracing off in the same round (quartiles). ${receiver.exports()} OTLP exports received.`;
    const queryNote = `Operations per second of a fresh process, ${options.queryOperations} reads per figure, the cache off; ${options.queryPairs} pairs of runs.`;
    const generationsNote = `${generations} generations of processes${unpin ? ", the servers pinned to one CPU" : ""}`;
    return [
      newTable("Tracing: all servers at once", `${route} ${options.rounds} rounds of ${options.seconds} s in ${generationsNote}.`, SERVER_HEADER, all.map((c) => comparedRow(c, SERVER_FIGURES))),
      newTable("Tracing: one server at a time", `${route} ${options.cycles} cycles of ${options.cycleSeconds} s, each order as often.`, SERVER_HEADER, alone.map((c) => comparedRow(c, SERVER_FIGURES))),
      newTable("Tracing: query level", queryNote, ["tracing", ...reads.flatMap((read) => [read, `${read} vs off`])], queries.map((c) => comparedRow(c, readColumns))),
    ];
  } finally {
    await stopAll();
    await receiver.close();
  }
}

/** The servers, every thread, on the last CPU and this process on the first; what puts it back, unless there is one CPU or no taskset. */
function pinCpus(serverPids: number[]) {
  const last = os.availableParallelism() - 1;
  const taskset = (cpus: string, pid: number) => execFileSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" });
  if (last < 1) return undefined;
  try {
    taskset("0", process.pid);
    for (const pid of serverPids) taskset(String(last), pid);
    return () => void taskset(`0-${last}`, process.pid);
  } catch {
    return undefined;
  }
}
