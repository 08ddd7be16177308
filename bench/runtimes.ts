// The runtimes section (`bun run runtimes`): the app's API on every runtime it runs on (Node.js, Next's edge, workerd,
// Deno, Bun), each a server process of its own, put through the same scenario: health, a project's life cycle, 12
// concurrent frame appends while the backends it holds are counted, then sequential point reads.
import { performance } from "node:perf_hooks";
import pg from "pg";
import { backends, call, concurrentAppends, projectLifecycle } from "../scripts/support/api-scenario";
import { runtimeServers, type RuntimeServer } from "../scripts/support/runtime-servers";
import { figure, newTable, percentile, rounds, summarize, type Log, type Table } from "./harness";

export async function runRuntimes(databaseUrl: string, options: { rounds: number; reads: number; log: Log }): Promise<Table> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const failures = new Map<string, string[]>(runtimeServers.map((runtime) => [runtime.name, []]));
  let started = 0;
  try {
    const names = runtimeServers.map((runtime) => runtime.name);
    const samples = await rounds(names, options.rounds, async (name) => {
      const base = `runtimes-${++started}`;
      options.log(`  ${name} (${base})`);
      return measure(runtimeServers.find((runtime) => runtime.name === name)!, base, failures.get(name)!);
    });
    const rows = names.map((name) => {
      const failed = failures.get(name)!;
      const { p50Ms, p50MsMin, p50MsMax, peakMax, heldMax, coldStartMs, coldStartMsMin, coldStartMsMax } = summarize(samples[name]!);
      const works = failed.length === 0 ? "yes" : `no: ${failed.length} failures; ${failed[0]}`;
      return { key: name, cells: [name, works, figure(p50Ms, "ms", p50MsMin, p50MsMax), figure(peakMax!, ""), figure(heldMax!, ""), figure(coldStartMs, "ms", coldStartMsMin, coldStartMsMax)] };
    });
    const note = `${options.rounds} rounds, medians (range); ${options.reads} sequential point reads (GET /projects/:id) per round.`;
    return newTable("Runtimes", note, ["runtime", "works", "p50 point read", "backends peak", "held after load", "cold start"], rows);
  } finally {
    await admin.end();
  }

  async function measure(runtime: RuntimeServer, base: string, failures: string[]) {
    const sessions = runtime.applicationName(base);
    // Cold start: from spawn to the first health answer that reached the database.
    const server = await runtime.start({ DATABASE_URL: databaseUrl, DB_APPLICATION_NAME: base }, { ready: (r) => r.ok });
    const api = `${server.url}${runtime.prefix}`;
    try {
      const health = await call(`${api}/health`);
      if (health.body?.runtime !== runtime.runtime) failures.push(`health said ${JSON.stringify(health.body)}`);
      const lifecycle = await projectLifecycle(api, `${base}-crud`);
      if (lifecycle.statuses.join() !== "201,200,200,200,204,404") failures.push(`CRUD statuses ${lifecycle.statuses}`);
      let [peak, loading] = [0, true];
      const watch = (async () => {
        for (; loading; await new Promise((resolve) => setTimeout(resolve, 20))) peak = Math.max(peak, await backends(admin, sessions));
      })();
      const appends = await concurrentAppends(api, `${base}-frames`, 12);
      loading = false;
      await watch;
      if (appends.failures.length) failures.push(`appends answered ${JSON.stringify(appends.failures[0])}`);
      else if (appends.indexes.join() !== [...Array(12).keys()].join()) failures.push(`append indexes ${appends.indexes}`);
      const latencies: number[] = [];
      for (let i = 0; i < options.reads + 20; i++) {
        const started = performance.now();
        const answer = await call(`${api}/projects/${appends.projectId}`);
        if (i >= 20) latencies.push(performance.now() - started);
        if (answer.status !== 200) failures.push(`point read ${answer.status}`);
      }
      // What the runtime keeps open between requests, once a request's own closing has had time to finish.
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { p50Ms: percentile(latencies, 0.5), peak, held: await backends(admin, sessions), coldStartMs: server.readyMs };
    } finally {
      await server.stop();
    }
  }
}
