// The soak: `next start` under mixed load for N minutes, its memory, sockets and database sessions sampled every
// 10 s; prints the slopes after the warm-up and a chart, writes the result to bench/out/ (--out), and exits 1 on any
// error answer or a pool past its bound.
//   bun run soak -- --minutes 30 [--servers 2 --rate 40 --workers 8 --pool-max 5 --warm-up 5 --heap-after-gc --heap-snapshots dir]
//   bun run soak -- --from bench/results/soak.json --out dir     (a run's summary and charts again)
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { soakSummary, soakSvg, textChart } from "./support/soak-report";
import { failures, runSoak, type SoakResult } from "./support/soak";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    "warm-up": { type: "string" },
    "sample-every": { type: "string", default: "10" },
    servers: { type: "string", default: "2" },
    "pool-max": { type: "string", default: "5" },
    rate: { type: "string", default: "40" },
    workers: { type: "string", default: "8" },
    "import-every": { type: "string", default: "30" },
    "heap-snapshots": { type: "string" },
    "heap-after-gc": { type: "boolean", default: false },
    out: { type: "string", default: "bench/out" },
    // The summary and charts of a run's soak.json again, with no soak.
    from: { type: "string" },
  },
});

const number = (name: keyof typeof values, min: number, max: number) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < min || value > max) {
    console.error(`--${name} must be a number from ${min} to ${max}, not ${JSON.stringify(values[name])}`);
    process.exit(2);
  }
  return value;
};
const result: SoakResult = values.from ? JSON.parse(await readFile(values.from, "utf8")) : await soak();

async function soak() {
  if (!process.env.DATABASE_URL) {
    console.error("DATABASE_URL is not set: run it as `bun run soak`, which starts the embedded PostgreSQL when it is unset.");
    process.exit(2);
  }
  const minutes = number("minutes", 0.5, 24 * 60);
  const heapSnapshotDir = values["heap-snapshots"] && path.resolve(values["heap-snapshots"]);
  if (heapSnapshotDir) await mkdir(heapSnapshotDir, { recursive: true });
  return runSoak({
    databaseUrl: process.env.DATABASE_URL,
    minutes,
    // The first sixth of the run, at most 5 minutes: the pools, caches and JIT fill up in the first minutes.
    warmUpMinutes: values["warm-up"] === undefined ? Math.min(5, minutes / 6) : number("warm-up", 0, minutes),
    sampleEverySeconds: number("sample-every", 1, 600),
    servers: number("servers", 1, 8),
    poolMax: number("pool-max", 1, 100),
    rate: number("rate", 1, 10_000),
    workers: number("workers", 1, 256),
    importEverySeconds: number("import-every", 5, 3600),
    heapSnapshotDir,
    heapAfterGc: values["heap-after-gc"],
    log: (line) => console.error(line),
  });
}

const chart = textChart(result);
console.log(`\n${soakSummary(result)}\n\n${chart}`);
await mkdir(values.out, { recursive: true });
await writeFile(path.join(values.out, "soak.json"), `${JSON.stringify(result, null, 2)}\n`);
await writeFile(path.join(values.out, "soak.txt"), `${soakSummary(result)}\n\n${chart}\n`);
await writeFile(path.join(values.out, "soak.svg"), soakSvg(result));
console.log(`Written: ${["soak.json", "soak.txt", "soak.svg"].map((f) => path.join(values.out, f)).join(", ")}`);

const problems = failures(result);
for (const problem of problems) console.error(`FAILED: ${problem}`);
process.exitCode = problems.length ? 1 : 0;
