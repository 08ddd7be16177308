// Cold start and memory: each stack in fresh processes (bench/child.ts), interleaved, medians over the repetitions.
import { childFigures, figure, newTable, rounds, rowText, summarize, type Log, type Table } from "./harness";
import type { StackKind } from "./stacks";

const FIGURES = {
  moduleLoadMs: "module load", constructionMs: "construction", firstQueryMs: "first query", constructionAndFirstQueryMs: "construction + first query",
  scriptStartToFirstQueryMs: "script start to first query", processStartToFirstQueryMs: "process start to first query",
  rssAfterWarmUpMiB: "RSS after 500 reads", rssAfterRunMiB: "RSS after 5,000 more at c=10",
};

export async function runColdStarts(databaseUrl: string, stacks: StackKind[], options: { repetitions: number; projectId: string; log: Log }): Promise<Table> {
  const child = (stack: StackKind, mode = "start") => childFigures([mode, stack, databaseUrl, options.projectId]);
  // The first start of each stack also fills tsx's transform cache; it is not counted.
  for (const stack of stacks) await child(stack);
  const samples = await rounds(stacks, options.repetitions, (stack) => child(stack));
  const table = newTable("Cold start and memory", "A fresh process per start, medians over the starts.", ["stack", ...Object.values(FIGURES)]);
  for (const stack of stacks) {
    const figures = { ...(await child(stack, "memory")), ...summarize(samples[stack]) };
    table.rows.push({ key: stack, cells: [stack, ...Object.keys(FIGURES).map((key) => figure(figures[key]!, key.endsWith("MiB") ? "MiB" : "ms"))] });
    options.log(`  ${rowText(table, table.rows.at(-1)!)}`);
  }
  return table;
}
