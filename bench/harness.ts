// The one harness every section measures with: calls under load, rounds of contenders taken in turn, changes
// against a baseline measured beside it, and tables whose cells give the median and range of several runs.
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

export type Log = (line: string) => void;
/** One measurement of one contender: named figures (ops/s, p50, CPU per request…). */
export type Sample = Record<string, number>;

/** `operations` calls spread over `concurrency` workers, each call timed alone. */
export async function load(concurrency: number, operations: number, call: (k: number) => Promise<unknown>) {
  const latenciesUs = new Array<number>(operations);
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < operations; k = next++) {
      const started = performance.now();
      await call(k);
      latenciesUs[k] = (performance.now() - started) * 1000;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, operations) }, worker));
  const wallMs = performance.now() - started;
  return { p50Us: percentile(latenciesUs, 0.5), p99Us: percentile(latenciesUs, 0.99), opsPerSecond: (operations / wallMs) * 1000, wallMs };
}

export function percentile(values: readonly number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * p;
  const low = Math.floor(rank);
  return sorted.length ? sorted[low]! + (sorted[Math.ceil(rank)]! - sorted[low]!) * (rank - low) : NaN;
}
export const median = (values: readonly number[]) => percentile(values, 0.5);

/** Every order of `items`: taken in turn, each item follows each other one as often. */
export const permutations = <T>(items: readonly T[]): T[][] =>
  items.length <= 1 ? [[...items]] : items.flatMap((item, i) => permutations(items.filter((_, j) => j !== i)).map((rest) => [item, ...rest]));
export const rotate = <T>(list: readonly T[], round: number) => list.map((_, i) => list[(i + round) % list.length]!);

export type RoundOptions<N> = { order?: "rotate" | "permute" | "together"; before?: (round: number, order: N[]) => Promise<void>; after?: (round: number) => Promise<void> };
/**
 * `count` rounds, each measuring every contender once: "rotate", each opens a round in turn, so a slow moment of the
 * machine does not always land on the same one; "permute", each of the n! orders in turn, so each follows each other
 * as often (what one leaves behind, the next pays); "together", all at once. `before` and `after` each round: start
 * processes afresh, warm up, stop them. The samples of each contender, round by round.
 */
export async function rounds<N extends string, S extends Sample>(names: readonly N[], count: number, measure: (name: N) => Promise<S>, options: RoundOptions<N> = {}) {
  const samples = Object.fromEntries(names.map((name) => [name, [] as S[]])) as Record<N, S[]>;
  const orders = options.order === "permute" ? permutations(names) : undefined;
  for (let round = 0; round < count; round++) {
    const order = orders ? orders[round % orders.length]! : rotate(names, round);
    await options.before?.(round, order);
    if (options.order === "together") (await Promise.all(order.map(measure))).forEach((sample, i) => samples[order[i]!].push(sample));
    else for (const name of order) samples[name].push(await measure(name));
    await options.after?.(round);
  }
  return samples;
}

/** Each figure's median over the rounds, with its range as `<figure>Min` and `<figure>Max`. */
export function summarize<S extends Sample>(samples: S[]): S & Sample {
  const entries = Object.keys(samples[0] ?? {}).flatMap((key) => {
    const values = samples.map((sample) => sample[key]!);
    return [[key, median(values)], [`${key}Min`, Math.min(...values)], [`${key}Max`, Math.max(...values)]];
  });
  return Object.fromEntries(entries);
}

/**
 * Rounds of `names`, and each one's figures with their change against `baseline`'s in the same round, in percent:
 * the median over the rounds and the quartiles. Neighbouring measurements share the machine's state of the moment,
 * so its drift cancels out of each change.
 */
export async function compare<N extends string>(names: readonly N[], baseline: N, count: number, measure: (name: N) => Promise<Sample>, options?: RoundOptions<N>) {
  const samples = await rounds(names, count, measure, options);
  return names.map((name) => {
    const vs = Object.keys(name === baseline ? {} : (samples[name][0] ?? {})).map((key) => {
      const changes = samples[name].map((sample, i) => (sample[key]! / samples[baseline][i]![key]! - 1) * 100);
      return [key, [median(changes), percentile(changes, 0.25), percentile(changes, 0.75)]];
    });
    return { name, figures: summarize(samples[name]), vs: Object.fromEntries(vs) as Record<string, [number, number, number]> };
  });
}

/** A compared contender as a table row: per figure, its median (range over rounds), then its change (quartiles). */
export const comparedRow = ({ name, figures, vs }: Awaited<ReturnType<typeof compare>>[number], columns: [string, Unit][], labels = [name]): Row => ({
  key: labels.join(" "),
  cells: [...labels, ...columns.flatMap(([key, unit]) => [ranged(figures, key, unit), vs[key] ? figure(vs[key][0], "%", vs[key][1], vs[key][2]) : ""])],
});

/** CPU time another process has used so far, in ms (all its threads, from /proc; NaN where there is none). */
export function processCpuMs(pid: number) {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in 1/100 s.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** A process and every process it has started, by pid. */
export function processTree(pid: number) {
  const lines = execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" }).trim().split("\n");
  const table = lines.map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const tree = new Set([pid]);
  for (let size = 0; size !== tree.size; size = tree.size) for (const [p, parent] of table) if (tree.has(parent)) tree.add(p);
  return [...tree];
}

/** Resident memory of processes, in MiB: statm's second field (resident pages), read from /proc so that sampling costs next to nothing. */
export const rssMiB = (pids: number[]) => pids.reduce((sum, pid) => sum + Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * 4096, 0) / 2 ** 20;

/** The figures of a bench/child.ts run: its last line (a slow first query on a busy machine is logged before them). */
export async function childFigures(args: string[], env?: NodeJS.ProcessEnv) {
  const { stdout } = await promisify(execFile)("node_modules/.bin/tsx", ["bench/child.ts", ...args], { env });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Sample;
}

// Tables: every section's result is tables of figures, printed for one run, or for several (bench/spread.ts) with
// each cell the median and the range over the runs; the targets and charts read their figures from them.
export type Unit = "µs" | "ms" | "x" | "/s" | "%" | "MiB" | "";
/** A figure and, within one run, its range over the rounds (or, for a change in %, its quartiles); or a label. */
export type Figure = { value: number; unit: Unit; low?: number; high?: number } | string;
export type Row = { key: string; cells: Figure[] };
export type Table = { title: string; note: string; header: string[]; rows: Row[] };
export const newTable = (title: string, note: string, header: string[], rows: Row[] = []): Table => ({ title, note, header, rows });
export const figure = (value: number, unit: Unit, low?: number, high?: number): Figure => ({ value, unit, ...(low !== high && { low, high }) });
/** A figure of `summarize`'s, with its range over the rounds. */
export const ranged = (figures: Sample, key: string, unit: Unit) => figure(figures[key]!, unit, figures[`${key}Min`], figures[`${key}Max`]);
export const us = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} ms` : `${Math.round(value)} µs`);
const int = (value: number) => Math.round(value).toLocaleString("en");
export const FORMAT: Record<Unit, (value: number) => string> = {
  "µs": us, ms: (v) => `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : int(v)} ms`, x: (v) => `${v.toFixed(2)}x`, "": int,
  "/s": (v) => `${int(v)}/s`, "%": (v) => `${v > 0 ? "+" : ""}${v.toFixed(1)}%`, MiB: (v) => `${int(v)} MiB`,
};

function text(figures: Exclude<Figure, string>[]) {
  const finite = figures.filter((f) => Number.isFinite(f.value));
  if (finite.length === 0) return "";
  const [format, to] = [FORMAT[finite[0]!.unit], finite[0]!.unit === "%" ? " to " : "–"];
  const values = finite.map((f) => f.value);
  const [value, low, high] = finite.length > 1 ? [median(values), Math.min(...values), Math.max(...values)] : [values[0]!, finite[0]!.low, finite[0]!.high];
  return low === undefined || high === undefined || low === high ? format(value) : `${format(value)} (${format(low)}${to}${format(high)})`;
}

/** A row as one line of the progress log. */
export const rowText = (table: Pick<Table, "header">, row: Row) =>
  row.cells.map((cell, i) => (typeof cell === "string" ? cell : `${table.header[i]} ${text([cell])}`)).join(", ");

/** The tables of one run, or of several run by run: each cell over the runs. */
export function printTables(runs: Table[][]) {
  for (const table of runs[0]!) {
    const rows = table.rows.map((row) =>
      row.cells.map((cell, i) => {
        if (typeof cell === "string") return cell;
        const same = runs.map((tables) => tables.find((t) => t.title === table.title)?.rows.find((r) => r.key === row.key)?.cells[i]);
        return text(same.filter((f): f is Exclude<Figure, string> => typeof f === "object"));
      }),
    );
    const lines = [table.header, table.header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`);
    console.log(`\n## ${table.title}\n\n${table.note}\n\n${lines.join("\n")}`);
  }
}

/** A figure's value in a run's tables; NaN when the run has none. */
export function valueOf(tables: Table[], title: string, key: string, column: string) {
  const table = tables.find((t) => t.title === title);
  const cell = table?.rows.find((r) => r.key === key)?.cells[table.header.indexOf(column)];
  return typeof cell === "object" ? cell.value : NaN;
}
