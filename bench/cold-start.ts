// Cold start and memory: each stack in fresh processes (bench/child.ts), interleaved, medians over the repetitions.
import { execFileSync } from "node:child_process";
import { figure, newTable, rounds, rowText, summarize, type Log, type Sample, type Table } from "./harness";
import type { StackKind } from "./stacks";

const FIGURES = [
  ["moduleLoadMs", "module load", "ms"], ["constructionMs", "construction", "ms"], ["firstQueryMs", "first query", "ms"],
  ["constructionAndFirstQueryMs", "construction + first query", "ms"], ["scriptStartToFirstQueryMs", "script start to first query", "ms"],
  ["processStartToFirstQueryMs", "process start to first query", "ms"], ["rssAfterWarmUpMiB", "RSS after 500 reads", "MiB"],
  ["rssAfterRunMiB", "RSS after 5,000 more at c=10", "MiB"],
] as const;

export async function runColdStarts(databaseUrl: string, stacks: StackKind[], options: { repetitions: number; projectId: string; log: Log }): Promise<Table> {
  // Its figures are its last line: a slow first query on a busy machine is logged before them.
  const child = (stack: StackKind, mode = "start") =>
    JSON.parse(execFileSync("node_modules/.bin/tsx", ["bench/child.ts", mode, stack, databaseUrl, options.projectId], { encoding: "utf8" }).trim().split("\n").at(-1)!) as Sample;
  // The first start of each stack also fills tsx's transform cache; it is not counted.
  for (const stack of stacks) child(stack);
  const samples = await rounds(stacks, options.repetitions, async (stack) => {
    const sample = child(stack);
    return { ...sample, constructionAndFirstQueryMs: sample.constructionMs! + sample.firstQueryMs! };
  });
  const table = newTable("Cold start and memory", "A fresh process per start, medians over the starts.", ["stack", ...FIGURES.map(([, header]) => header)]);
  for (const stack of stacks) {
    const figures = { ...child(stack, "memory"), ...summarize(samples[stack]) };
    table.rows.push({ key: stack, cells: [stack, ...FIGURES.map(([key, , unit]) => figure(figures[key]!, unit))] });
    options.log(`  ${rowText(table, table.rows.at(-1)!)}`);
  }
  return table;
}
