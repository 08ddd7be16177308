// The soak: the production server under hours-long mixed load, its memory, sockets and database sessions sampled as
// it goes. Node.js and edge routes (reads, creates, updates, deletes, frame appends) with the query cache on and Redis,
// and the asset import run again and again beside them. A process that holds on to something per request shows as a
// slope in its memory once the warm-up is over.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import WebSocket from "ws";
import { writeSampleTree } from "@/lib/assets/sample";
import { freePort } from "./free-port";
import { startNext, type NextServer } from "./next-start";
import { createDatabase, deployMigrations } from "./postgres-admin";
import { startRedis, type RunningRedis } from "./redis-server";
import { median, percentile } from "../../bench/harness";

export type SoakOptions = {
  /** A PostgreSQL server (any database on it): the soak makes a database of its own there and drops it at the end. */
  databaseUrl: string;
  /** A database on that server holding the migrations, cloned instead of migrating a new one (the test suite's). */
  templateDatabase?: string;
  minutes: number;
  /** Samples before this are left out of the slopes: caches, pools and JIT filling up. */
  warmUpMinutes: number;
  sampleEverySeconds: number;
  /** `next start` processes sharing the database and Redis, as several instances of the app do. */
  servers: number;
  poolMax: number;
  /** Requests per second in all, spread over `workers` that each wait for the one before to answer. */
  rate: number;
  workers: number;
  importEverySeconds: number;
  /**
   * Also the heap right after a full collection, forced through the inspector (servers start with `--inspect` on
   * loopback): what the process really keeps, without the garbage of the moment.
   */
  heapAfterGc?: boolean;
  /** Where heap snapshots go, one per server after the warm-up and one at the end; none when unset. */
  heapSnapshotDir?: string;
  log: (line: string) => void;
};

/** `cacheL1MiB`: what the query cache's in-process layer holds, bounded by CACHE_L1_MAX_MB (part of the heap). */
export type ProcessSample = { rssMiB: number; heapUsedMiB?: number; heapAfterGcMiB?: number; externalMiB?: number; cacheL1MiB?: number; sockets: number };
/** `loadAverage`: the machine's over the last minute, for how busy it was beside the soak. */
export type Sample = { atS: number; loadAverage: number; processes: Record<string, ProcessSample>; backends: Record<string, number> };
export type Slope = { mibPer10Min: number; windows: { median: number; min: number; max: number } };
export type SoakResult = {
  date: string;
  options: Omit<SoakOptions, "databaseUrl" | "templateDatabase" | "log">;
  postgres: string;
  durationS: number;
  requests: number;
  requestsPerSecond: number;
  /** Over every answer: a soak's load stays below what the machine can serve, or its errors are time limits. */
  latencyMs?: { p50: number; p99: number; max: number };
  statuses: Record<string, number>;
  errors: number;
  errorExamples: string[];
  imports: { runs: number; failed: number };
  /** Per server (its DB_APPLICATION_NAME): the most sessions seen at once, and what its pools allow. */
  backends: Record<string, { peak: number; bound: number }>;
  slopes: Record<string, { rss: Slope; heapUsed?: Slope; heapAfterGc?: Slope; external?: Slope; cacheL1?: Slope; sockets: { first: number; last: number; max: number } }>;
  samples: Sample[];
};

const WRITE_TOKEN = `soak-${randomBytes(16).toString("hex")}`;
const METRICS_TOKEN = `soak-metrics-${randomBytes(16).toString("hex")}`;

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { log } = options;
  const serverUrl = options.databaseUrl;
  const database = await createDatabase(serverUrl, "soak", options.templateDatabase);
  const cleanup: (() => Promise<unknown>)[] = [() => database.drop()];
  try {
    if (!options.templateDatabase) deployMigrations(database.url);
    const redis = await startRedis();
    cleanup.unshift(() => redis.stop());
    const servers: { name: string; server: NextServer; inspector?: Inspector }[] = [];
    for (let i = 1; i <= options.servers; i++) {
      const inspectPort = options.heapAfterGc ? await freePort() : undefined;
      const server = await startNext(serverEnv(options, database.url, redis, i, inspectPort), { timeoutMs: 120_000 });
      cleanup.unshift(() => server.stop());
      const inspector = inspectPort ? await connectInspector(inspectPort) : undefined;
      if (inspector) cleanup.unshift(async () => inspector.close());
      servers.push({ name: `soak-${i}`, server, inspector });
    }
    log(`${servers.length} next start on ${servers.map((s) => s.server.url).join(", ")}, Redis on ${redis.url}, database ${database.name}`);
    const admin = new pg.Client({ connectionString: database.url, application_name: "soak-monitor" });
    await admin.connect();
    cleanup.unshift(() => admin.end());
    const postgres = (await admin.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v;

    const started = performance.now();
    const deadline = started + options.minutes * 60_000;
    const elapsedS = () => (performance.now() - started) / 1000;
    const traffic = newTraffic();
    const samples: Sample[] = [];
    // The Node.js pool and the in-process gateway's, and a cache listener for each.
    const bounds = Object.fromEntries(servers.map((s) => [s.name, 2 * options.poolMax + 2]));
    bounds["soak-import"] = options.poolMax;

    const sample = async () => {
      const processes: Record<string, ProcessSample> = {};
      for (const { name, server, inspector } of servers) {
        const internals = await Promise.all([scrapeMemory(server.url), cacheL1(server.url)]).catch((error: Error) => {
          traffic.error(`internals of ${name}: ${error.message}`);
          return undefined;
        });
        const afterGc = await inspector?.heapAfterGc().catch((error: Error) => void traffic.error(`inspector of ${name}: ${error.message}`));
        processes[name] = {
          ...(await processFigures(server.pid)),
          ...(internals && { ...internals[0], cacheL1MiB: internals[1] }),
          ...(afterGc !== undefined && { heapAfterGcMiB: afterGc }),
        };
      }
      processes.redis = await processFigures(redis.pid);
      const { rows } = await admin.query<{ name: string; n: number }>(
        "select application_name as name, count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() group by 1",
        [database.name],
      );
      const backends: Record<string, number> = {};
      for (const { name, n } of rows) {
        const owner = Object.keys(bounds).find((b) => name === b || name.startsWith(`${b}/`)) ?? name;
        backends[owner] = (backends[owner] ?? 0) + n;
      }
      samples.push({ atS: Math.round(elapsedS()), loadAverage: os.loadavg()[0]!, processes, backends });
      const line = Object.entries(processes).map(([n, p]) => `${n} rss ${p.rssMiB.toFixed(0)}${p.heapUsedMiB === undefined ? "" : ` heap ${p.heapUsedMiB.toFixed(0)} L1 ${p.cacheL1MiB?.toFixed(1)}`} MiB ${p.sockets} sockets`);
      log(`${(elapsedS() / 60).toFixed(1)} min: ${traffic.requests} requests, ${traffic.errors} errors; ${line.join("; ")}; backends ${JSON.stringify(backends)}`);
    };

    const snapshots = options.heapSnapshotDir ? () => servers.forEach(({ server }) => process.kill(server.pid, "SIGUSR2")) : () => undefined;
    const warmUpTimer = setTimeout(snapshots, options.warmUpMinutes * 60_000);
    await sample();
    // One sample at a time, on the interval's ticks: on a busy machine one may take longer than the interval.
    let running = true;
    const sampler = (async () => {
      for (const every = options.sampleEverySeconds * 1000; ; ) {
        await new Promise((resolve) => setTimeout(resolve, every - ((performance.now() - started) % every)));
        if (!running) return;
        await sample().catch((error: Error) => traffic.error(`sampling: ${error.message}`));
      }
    })();
    const imports = importLoop(database.url, options, deadline, traffic);
    const urls = servers.map((s) => s.server.url);
    await Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w, urls, options, deadline, traffic)));
    const importRuns = await imports;
    running = false;
    await sampler;
    clearTimeout(warmUpTimer);
    await sample();
    snapshots();
    const durationS = elapsedS();

    const peaks: SoakResult["backends"] = {};
    for (const [name, bound] of Object.entries(bounds)) peaks[name] = { peak: Math.max(0, ...samples.map((s) => s.backends[name] ?? 0)), bound };
    for (const name of new Set(samples.flatMap((s) => Object.keys(s.backends)))) peaks[name] ??= { peak: Math.max(...samples.map((s) => s.backends[name] ?? 0)), bound: 0 };
    const steady = samples.filter((s) => s.atS >= options.warmUpMinutes * 60);
    const slopes: SoakResult["slopes"] = {};
    for (const name of Object.keys(samples[0]!.processes)) {
      const series = (figure: keyof Omit<ProcessSample, "sockets">) => steady.flatMap((s) => (s.processes[name]?.[figure] === undefined ? [] : [[s.atS, s.processes[name][figure]] as [number, number]]));
      const sockets = samples.map((s) => s.processes[name]?.sockets ?? 0);
      const [heap, afterGc, external, l1] = [series("heapUsedMiB"), series("heapAfterGcMiB"), series("externalMiB"), series("cacheL1MiB")];
      slopes[name] = {
        rss: slopeOf(series("rssMiB")),
        ...(heap.length > 1 && { heapUsed: slopeOf(heap) }),
        ...(afterGc.length > 1 && { heapAfterGc: slopeOf(afterGc) }),
        ...(external.length > 1 && { external: slopeOf(external) }),
        ...(l1.length > 1 && { cacheL1: slopeOf(l1) }),
        sockets: { first: sockets[0]!, last: sockets.at(-1)!, max: Math.max(...sockets) },
      };
    }
    const { databaseUrl: _url, templateDatabase: _template, log: _log, ...settings } = options;
    return {
      date: new Date().toISOString(),
      options: settings,
      postgres,
      durationS: Math.round(durationS),
      requests: traffic.requests,
      requestsPerSecond: Math.round((traffic.requests / durationS) * 10) / 10,
      latencyMs: { p50: Math.round(percentile(traffic.latenciesMs, 0.5)), p99: Math.round(percentile(traffic.latenciesMs, 0.99)), max: Math.round(traffic.latenciesMs.reduce((a, b) => Math.max(a, b), 0)) },
      statuses: traffic.statuses,
      errors: traffic.errors,
      errorExamples: traffic.examples,
      imports: importRuns,
      backends: peaks,
      slopes,
      samples,
    };
  } finally {
    for (const step of cleanup) await step().catch((error: Error) => log(`cleanup: ${error.message}`));
  }
}

function serverEnv(options: SoakOptions, databaseUrl: string, redis: RunningRedis, index: number, inspectPort?: number) {
  const nodeOptions = [
    ...(process.env.NODE_OPTIONS ? [process.env.NODE_OPTIONS] : []),
    ...(inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : []),
    ...(options.heapSnapshotDir ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${options.heapSnapshotDir}`] : []),
  ];
  return {
    DATABASE_URL: databaseUrl,
    DB_POOL_MAX: String(options.poolMax),
    DB_APPLICATION_NAME: `soak-${index}`,
    CACHE_ENABLED: "true",
    REDIS_URL: redis.url,
    API_WRITE_TOKENS: WRITE_TOKEN,
    METRICS_TOKEN,
    LOG_LEVEL: "warn",
    ...(nodeOptions.length && { NODE_OPTIONS: nodeOptions.join(" ") }),
  };
}

/** What the load saw: every answer's status, and the unexpected ones with what they said (the first few). */
function newTraffic() {
  const traffic = {
    requests: 0,
    errors: 0,
    statuses: {} as Record<string, number>,
    examples: [] as string[],
    latenciesMs: [] as number[],
    error(line: string) {
      traffic.errors++;
      if (traffic.examples.length < 20) traffic.examples.push(line);
    },
  };
  return traffic;
}
type Traffic = ReturnType<typeof newTraffic>;

const write = { authorization: `Bearer ${WRITE_TOKEN}`, "content-type": "application/json" };
const EXPECTED: Record<string, number> = { GET: 200, POST: 201, PATCH: 200, DELETE: 204 };

async function request(traffic: Traffic, url: string, method = "GET", body?: unknown) {
  traffic.requests++;
  const started = performance.now();
  try {
    const response = await fetch(url, { method, headers: method === "GET" ? {} : write, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    traffic.latenciesMs.push(performance.now() - started);
    traffic.statuses[response.status] = (traffic.statuses[response.status] ?? 0) + 1;
    if (response.status !== EXPECTED[method]) {
      traffic.error(`${method} ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 300)}`);
      return undefined;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (text ? JSON.parse(text) : null) as any;
  } catch (error) {
    traffic.statuses.failed = (traffic.statuses.failed ?? 0) + 1;
    traffic.error(`${method} ${new URL(url).pathname}: ${(error as Error).message}`);
    return undefined;
  }
}

type Owned = { id: string; characterId: string; animationId: string };
// Each worker keeps a few projects of its own, so that no read races another worker's delete: every answer but the
// expected status is an error. Once it holds this many, each create is preceded by deleting its oldest, so the
// database and the cache keep about the same size for the whole soak.
const MAX_OWNED = 3;

async function worker(w: number, urls: string[], options: SoakOptions, deadline: number, traffic: Traffic) {
  const owned: Owned[] = [];
  const intervalMs = (options.workers / options.rate) * 1000;
  let next = performance.now() + (w * intervalMs) / options.workers;
  for (let k = 0; performance.now() < deadline; k++) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    next = Math.max(next + intervalMs, performance.now() - intervalMs);
    // Every server in turn, and the Node.js and edge routes in turn on each.
    const api = `${urls[(k + w) % urls.length]}${Math.floor((k + w) / urls.length) % 2 ? "/api/edge" : "/api"}`;
    const project = owned[k % Math.max(1, owned.length)];
    const roll = (k * 7 + w * 13) % 20;
    if (!project || roll < 2) {
      if (owned.length >= MAX_OWNED) {
        const oldest = owned[0]!;
        if ((await request(traffic, `${api}/projects/${oldest.id}`, "DELETE")) !== undefined) owned.shift();
      } else {
        const slug = `soak-${w}-${k}-${randomBytes(3).toString("hex")}`;
        const created = await request(traffic, `${api}/projects`, "POST", { slug, name: `Soak ${w}`, characters: [{ name: "hero", animations: [{ name: "idle" }] }] });
        if (created) owned.push({ id: created.id, characterId: created.characters[0].id, animationId: created.characters[0].animations[0].id });
      }
    } else if (roll < 6) {
      await request(traffic, `${api}/projects?limit=20`);
    } else if (roll < 10) {
      await request(traffic, `${api}/projects/${project.id}`);
    } else if (roll < 12) {
      await request(traffic, `${api}/characters/${project.characterId}`);
    } else if (roll < 13) {
      await request(traffic, `${api}/health`);
    } else if (roll < 15) {
      await request(traffic, `${api}/projects/${project.id}`, "PATCH", { name: `Soak ${w} at ${k}` });
    } else {
      await request(traffic, `${api}/animations/${project.animationId}/frames`, "POST", { image: `/soak/${k}.png`, width: 32, height: 32 });
    }
  }
}

/** `assets:import` as a user runs it, again and again on a tree whose frame counts change from one run to the next. */
async function importLoop(databaseUrl: string, options: SoakOptions, deadline: number, traffic: Traffic) {
  const work = await mkdtemp(path.join(os.tmpdir(), "soak-import-"));
  let runs = 0;
  let failed = 0;
  try {
    while (performance.now() + options.importEverySeconds * 1000 < deadline) {
      await new Promise((resolve) => setTimeout(resolve, options.importEverySeconds * 1000));
      const root = path.join(work, String(runs));
      await writeSampleTree(root, { "soak-import": { hero: { idle: 3 + (runs % 6), run: 6 }, slime: { bounce: 2 + (runs % 3) } } });
      const outcome = await new Promise<string | undefined>((resolve) =>
        execFile("node_modules/.bin/tsx", ["scripts/import-assets.ts", root], { env: { ...process.env, DATABASE_URL: databaseUrl, DB_APPLICATION_NAME: "soak-import", DB_POOL_MAX: String(options.poolMax) } }, (error, stdout, stderr) =>
          resolve(error ? `${error.message}\n${stdout}${stderr}`.slice(0, 500) : undefined),
        ),
      );
      runs++;
      if (outcome) {
        failed++;
        traffic.error(`import: ${outcome}`);
      }
      await rm(root, { recursive: true, force: true });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { runs, failed };
}

/**
 * The server's V8 heap in use, and the memory outside it that V8 knows of (Buffers, WebAssembly memories such as the
 * query compiler's), from its Prometheus metrics: prom-client's default `nodejs_heap_size_used_bytes` and
 * `nodejs_external_memory_bytes`.
 */
async function scrapeMemory(url: string) {
  const response = await fetch(`${url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/api/metrics answered ${response.status}`);
  const mibOf = (name: string) => {
    const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
    if (!match) throw new Error(`/api/metrics shows no ${name}`);
    return Math.round((Number(match[1]) / 2 ** 20) * 10) / 10;
  };
  return { heapUsedMiB: mibOf("nodejs_heap_size_used_bytes"), externalMiB: mibOf("nodejs_external_memory_bytes") };
}

type Inspector = { heapAfterGc: () => Promise<number>; close: () => void };

/** The server's inspector (`--inspect`): a full collection on request, then the heap that is left. */
async function connectInspector(port: number): Promise<Inspector> {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const call = message.id === undefined ? undefined : waiting.get(message.id);
    if (!call) return;
    waiting.delete(message.id!);
    if (message.error) call.reject(new Error(message.error.message));
    else call.resolve(message.result);
  });
  let id = 0;
  const send = (method: string) =>
    new Promise<unknown>((resolve, reject) => {
      waiting.set(++id, { resolve, reject });
      socket.send(JSON.stringify({ id, method }));
    });
  return {
    heapAfterGc: async () => {
      await send("HeapProfiler.collectGarbage");
      const { usedSize } = (await send("Runtime.getHeapUsage")) as { usedSize: number };
      return Math.round((usedSize / 2 ** 20) * 10) / 10;
    },
    close: () => socket.close(),
  };
}

/** The query cache's in-process layer, from /api/health's details (served to the metrics token's bearer). */
async function cacheL1(url: string) {
  const response = await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const body = (await response.json()) as { cache?: { l1?: { bytes?: number } } };
  if (response.status !== 200) throw new Error(`/api/health answered ${response.status}`);
  const bytes = body.cache?.l1?.bytes;
  if (typeof bytes !== "number") throw new Error("/api/health shows no cache.l1.bytes: is the cache on?");
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

/** A process and everything it started: resident memory in all, and their open sockets. */
async function processFigures(pid: number): Promise<ProcessSample> {
  const pids = await processTree(pid);
  let rssKiB = 0;
  let sockets = 0;
  for (const p of pids) {
    const status = await readFile(`/proc/${p}/status`, "utf8").catch(() => "");
    rssKiB += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const fds = await readdir(`/proc/${p}/fd`).catch(() => [] as string[]);
    for (const fd of fds) if ((await readlink(`/proc/${p}/fd/${fd}`).catch(() => "")).startsWith("socket:")) sockets++;
  }
  return { rssMiB: Math.round((rssKiB / 1024) * 10) / 10, sockets };
}

async function processTree(root: number) {
  const parents = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // The command name, in parentheses, may hold spaces: the parent's pid is the second field after it.
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (parent) parents.set(Number(entry), parent);
  }
  const tree = new Set([root]);
  for (let size = 0; size !== tree.size; ) {
    size = tree.size;
    for (const [pid, parent] of parents) if (tree.has(parent)) tree.add(pid);
  }
  return [...tree];
}

/** Least squares over (seconds, MiB) points, in MiB per 10 minutes. */
export function leastSquares(points: [number, number][]) {
  const n = points.length;
  if (n < 2) return NaN;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return variance === 0 ? NaN : (covariance / variance) * 600;
}

/**
 * The slope over everything after the warm-up, and over windows of a third of it (at least three samples each),
 * one sample apart: how steady the slope is along the run.
 */
export function slopeOf(points: [number, number][]): Slope {
  const size = Math.max(3, Math.ceil(points.length / 3));
  const windows: number[] = [];
  for (let start = 0; start + size <= points.length; start++) windows.push(leastSquares(points.slice(start, start + size)));
  const finite = windows.filter(Number.isFinite);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    mibPer10Min: round(leastSquares(points)),
    windows: finite.length ? { median: round(median(finite)), min: round(Math.min(...finite)), max: round(Math.max(...finite)) } : { median: NaN, min: NaN, max: NaN },
  };
}

/** The problems that fail a soak: error answers and sessions past a pool's bound. */
export function failures(result: SoakResult) {
  const problems: string[] = [];
  if (result.errors > 0) problems.push(`${result.errors} errors, the first: ${result.errorExamples.slice(0, 5).join(" | ")}`);
  for (const [name, { peak, bound }] of Object.entries(result.backends)) {
    if (peak > bound) problems.push(`${name} held ${peak} database sessions at once, past its bound of ${bound}`);
  }
  return problems;
}

/**
 * How much a figure rose from the first third of the samples after the warm-up to the last third, in MiB: for RSS
 * and the cache's L1 between the thirds' medians, for the heap between their lowest values (what is left after a
 * collection), so that the sawtooth of garbage coming and going cancels out.
 */
export function growthAfterWarmUp(result: SoakResult, name: string, figure: keyof Omit<ProcessSample, "sockets">) {
  const values = result.samples
    .filter((s) => s.atS >= result.options.warmUpMinutes * 60)
    .flatMap((s) => (s.processes[name]?.[figure] === undefined ? [] : [s.processes[name][figure]]));
  const third = Math.floor(values.length / 3);
  if (third < 2) return NaN;
  const of = figure !== "heapUsedMiB" ? median : (list: number[]) => Math.min(...list);
  return of(values.slice(-third)) - of(values.slice(0, third));
}
