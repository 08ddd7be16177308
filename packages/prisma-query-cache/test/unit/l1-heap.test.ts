// L1's bound counts what its entries really hold. Each measure runs in a process of its own (node --expose-gc,
// test/support/heap-probe.ts): reads of one kind through the query cache, then the heap (and the memory behind
// typed arrays) weighed after full collections, against the bytes L1 counted.
import { execFile } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

type Weighed = { heapBytes: number; countedBytes: number; entries: number; evictions: number };

const probe = (workload: string, maxBytes: number, reads: number) =>
  new Promise<Weighed>((resolve, reject) => {
    const script = path.join(import.meta.dirname, "../support/heap-probe.ts");
    execFile(process.execPath, ["--expose-gc", "--import", "tsx", script, workload, String(maxBytes), String(reads)], (error, stdout, stderr) =>
      error ? reject(new Error(`heap probe ${workload}: ${stderr}`)) : resolve(JSON.parse(stdout) as Weighed),
    );
  });

const unbounded = 1024 ** 3;
const bound = 4 * 1024 * 1024;
// Each kind fills several MiB, far above what one collection's leftovers weigh.
const kinds = { projectTree: 1_000, listPage: 800, notFound: 20_000, framesPage: 1_000 };
const weighed = new Map<string, Weighed>();

beforeAll(async () => {
  const runs = [...Object.entries(kinds).map(([kind, reads]) => [kind, probe(kind, unbounded, reads)] as const), ["full of 404s", probe("notFound", bound, 30_000)] as const];
  for (const [name, run] of runs) weighed.set(name, await run);
});

describe("L1's bound", () => {
  it.each(Object.keys(kinds))("counts %s results within 1.5x of the heap they hold", (kind) => {
    const { heapBytes, countedBytes, entries, evictions } = weighed.get(kind)!;
    expect(entries).toBe(kinds[kind as keyof typeof kinds]);
    expect(evictions).toBe(0);
    expect(heapBytes / countedBytes).toBeLessThanOrEqual(1.5);
    expect(heapBytes / countedBytes).toBeGreaterThanOrEqual(1 / 1.5);
  });

  it("holds 404s of random ids, each kept, within 1.5x of its bound", () => {
    const { heapBytes, countedBytes, entries, evictions } = weighed.get("full of 404s")!;
    // Full: the oldest made room for the newest, and what is left is up to the bound.
    expect(evictions).toBe(30_000 - entries);
    expect(countedBytes).toBeGreaterThan(0.9 * bound);
    expect(countedBytes).toBeLessThanOrEqual(bound);
    expect(heapBytes).toBeLessThanOrEqual(1.5 * bound);
  });
});
