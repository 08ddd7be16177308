// Timing: a fixed number of operations spread over a number of concurrent workers, each operation timed alone; and
// the CPU time a server process spends.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

export type LoadResult = { latenciesUs: number[]; wallMs: number };

export async function runLoad(concurrency: number, operations: number, op: (k: number) => Promise<unknown>): Promise<LoadResult> {
  const latenciesUs = new Array<number>(operations);
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < operations; k = next++) {
      const started = performance.now();
      await op(k);
      latenciesUs[k] = (performance.now() - started) * 1000;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, operations) }, worker));
  return { latenciesUs, wallMs: performance.now() - started };
}

export function percentile(values: readonly number[], p: number) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * p;
  const low = Math.floor(rank);
  return sorted[low]! + (sorted[Math.ceil(rank)]! - sorted[low]!) * (rank - low);
}

export const median = (values: readonly number[]) => percentile(values, 0.5);

/**
 * How `values` compare with `baseline` run for run, in percent (+10: 10% higher): the median over the pairs, and the
 * quartiles. Neighbouring runs share the machine's state of the moment, so its drift cancels out of each ratio.
 */
export function pairedChange(values: readonly number[], baseline: readonly number[]) {
  const changes = values.map((value, i) => (value / baseline[i]! - 1) * 100);
  return { median: median(changes), quartiles: [percentile(changes, 0.25), percentile(changes, 0.75)] as [number, number] };
}

/** Each round starts with a different stack, so a slow moment of the machine does not always land on the same one. */
export const rotate = <T>(list: readonly T[], round: number) => list.map((_, i) => list[(i + round) % list.length]!);

/** Every order of `items`: taken in turn, each item follows each other one as often. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

export const rssMiB = () => Math.round((process.memoryUsage.rss() / 1048576) * 10) / 10;

/**
 * CPU time another process has used so far, in ms (all its threads, from /proc; undefined where there is none):
 * what a server spent per request, beside what it managed per second.
 */
export function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in 1/100 s.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
