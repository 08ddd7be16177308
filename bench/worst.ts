// The worst requests the API accepts (`--only worst`): each body at the limits (1 MiB, MAX_ROWS_PER_CREATE rows,
// issues past the first 1,000) sent alone to a `next start`, with the server's CPU time (its whole process tree)
// and its resident memory sampled every 5 ms over what it held before.
import { MAX_ROWS_PER_CREATE } from "@/lib/projects/rules";
import { startNext } from "../scripts/support/next-start";
import { figure, newTable, processCpuMs, processTree, ranged, rounds, rssMiB, summarize, type Log, type Table } from "./harness";

const token = "bench-worst-write-token";
const frames = (n: number, width: unknown = 32) => Array.from({ length: n }, (_, index) => ({ index, image: `/assets/w/${index}.png`, width, height: 32 }));
// 5 characters × 19 animations × 104 frames: 9,980 rows, just within MAX_ROWS_PER_CREATE.
const tree = (slug: string, width?: unknown) => ({
  slug, name: slug,
  characters: Array.from({ length: 5 }, (_, c) => ({ name: `c${c}`, animations: Array.from({ length: 19 }, (_, a) => ({ name: `a${a}`, frames: frames(104, width) })) })),
});
let created = 0;
const BODIES: Record<string, () => string> = {
  [`create, ${MAX_ROWS_PER_CREATE.toLocaleString("en")} rows at most`]: () => JSON.stringify(tree(`worst-${process.pid}-${created++}`)),
  "the same, every frame invalid": () => JSON.stringify(tree("worst-invalid", "wide")),
  "1 MiB nested past the depth limit": () => "[".repeat(512 * 1024) + "]".repeat(512 * 1024 - 1),
  "1 MiB that is not JSON": () => "{".padEnd(1024 * 1024 - 1, "x"),
};

export async function runWorst(databaseUrl: string, options: { rounds: number; log: Log }): Promise<Table> {
  const server = await startNext({ DATABASE_URL: databaseUrl, API_WRITE_TOKENS: token, CACHE_ENABLED: "false" });
  try {
    const pids = processTree(server.pid);
    const cpuMs = () => pids.reduce((sum, pid) => sum + (processCpuMs(pid) || 0), 0);
    const names = Object.keys(BODIES);
    const send = (body: string) => fetch(`${server.url}/api/projects`, { method: "POST", body, headers: { "content-type": "application/json", authorization: `Bearer ${token}` } });
    // Each route's first request loads and compiles its code: one of each first, not counted.
    for (const name of names) await (await send(BODIES[name]!())).arrayBuffer();
    const samples = await rounds(names, options.rounds, async (name) => {
      const body = BODIES[name]!();
      const [rssBefore, cpuBefore, started] = [rssMiB(pids), cpuMs(), performance.now()];
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pids))), 5);
      const response = await send(body);
      const answer = await response.arrayBuffer();
      const wallMs = performance.now() - started;
      clearInterval(sampler);
      options.log(`  ${name}: ${response.status}, ${answer.byteLength} bytes in ${Math.round(wallMs)} ms`);
      return { status: response.status, bodyKiB: body.length / 1024, answerKiB: answer.byteLength / 1024, wallMs, cpuMs: cpuMs() - cpuBefore, rssMiB: peak - rssBefore };
    });
    const note = `POST /api/projects, one request at a time, ${options.rounds} rounds (medians, range); CPU of the server's process tree from /proc, its RSS sampled every 5 ms.`;
    return newTable("Worst requests", note, ["request", "status", "body", "answer", "time", "server CPU", "peak RSS over idle"], names.map((name) => {
      const s = summarize(samples[name]!);
      const sizes = [`${Math.round(s.bodyKiB)} KiB`, `${Math.round(s.answerKiB)} KiB`];
      return { key: name, cells: [name, figure(s.status, ""), ...sizes, ranged(s, "wallMs", "ms"), ranged(s, "cpuMs", "ms"), ranged(s, "rssMiB", "MiB")] };
    }));
  } finally {
    await server.stop();
  }
}
