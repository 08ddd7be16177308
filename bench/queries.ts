// Query level: every operation on every stack at each concurrency, the stacks interleaved round by round, after the
// answer check. A ratio is a stack's cost over raw pg's in the same run: p50 latency at concurrency 1, time per
// operation (1 / throughput) above it.
import { figure, newTable, rowText, type Log, type Table } from "./harness";
import { checkAnswers, measureOperation, OPERATIONS, type Context } from "./operations";
import type { Stack } from "./stacks";

export async function runQueries(stacks: Stack[], context: Context, options: { rounds: number; scale: number; sweep: number[]; poolSize: number; log: Log }): Promise<Table> {
  const others = stacks.filter((s) => s.name !== "pg").map((s) => s.name);
  const note = "pg: p50 at concurrency 1, operations per second above it; the others as a multiple of raw pg's cost (medians over rounds).";
  const table = newTable("Query level", note, ["query", "c", "pg", ...others.map((s) => `${s} vs pg`)]);
  for (const operation of OPERATIONS) {
    await checkAnswers(operation, stacks, context);
    for (const concurrency of [...new Set([1, options.poolSize, ...(operation.sweep ? options.sweep : [])])].sort((a, b) => a - b)) {
      // More calls when more run at once, so a round lasts long enough to measure throughput.
      const count = Math.max(10, Math.round(operation.operations * options.scale * Math.sqrt(concurrency)));
      const m = await measureOperation(stacks, operation, context, { concurrency, count, rounds: options.rounds, warmUp: Math.max(concurrency, Math.round(count / 4)) });
      const cost = (stack: string) => (concurrency === 1 ? m[stack]!.p50Us / m.pg!.p50Us : m.pg!.opsPerSecond / m[stack]!.opsPerSecond);
      const floor = concurrency === 1 ? figure(m.pg!.p50Us, "µs") : figure(m.pg!.opsPerSecond, "/s");
      table.rows.push({ key: `${operation.name}@${concurrency}`, cells: [operation.label, String(concurrency), floor, ...others.map((s) => figure(cost(s), "x"))] });
      options.log(`  ${rowText(table, table.rows.at(-1)!)}`);
    }
  }
  return table;
}
