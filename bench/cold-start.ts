// Cold start and memory: each stack in fresh processes, interleaved, medians over the repetitions.
import { execFileSync } from "node:child_process";
import { median } from "./measure";
import type { StackName } from "./stacks";

export type ColdStart = {
  stack: StackName;
  processStartToFirstQueryMs: number;
  scriptStartToFirstQueryMs: number;
  moduleLoadMs: number;
  constructionMs: number;
  firstQueryMs: number;
  rssAfterWarmUpMiB: number;
  rssAfterRunMiB: number;
};

const child = (args: string[]) =>
  JSON.parse(execFileSync("node_modules/.bin/tsx", ["bench/cold-start-child.ts", ...args], { encoding: "utf8" })) as Record<string, number>;

export function runColdStarts(
  databaseUrl: string,
  stacks: StackName[],
  options: { repetitions: number; projectId: string; log: (line: string) => void },
): ColdStart[] {
  const ids = [databaseUrl, options.projectId];
  // The first start of each stack also fills tsx's transform cache; it is not counted.
  for (const stack of stacks) child([stack, ...ids]);
  const samples = new Map(stacks.map((s) => [s, [] as Record<string, number>[]]));
  for (let r = 0; r < options.repetitions; r++) for (const stack of stacks) samples.get(stack)!.push(child([stack, ...ids]));
  return stacks.map((stack) => {
    const runs = samples.get(stack)!;
    const memory = child([stack, ...ids, "--memory"]);
    const of = (key: string) => Math.round(median(runs.map((run) => run[key]!)) * 10) / 10;
    const result: ColdStart = {
      stack,
      processStartToFirstQueryMs: of("processStartToFirstQueryMs"),
      scriptStartToFirstQueryMs: of("scriptStartToFirstQueryMs"),
      moduleLoadMs: of("moduleLoadMs"),
      constructionMs: of("constructionMs"),
      firstQueryMs: of("firstQueryMs"),
      rssAfterWarmUpMiB: memory.rssAfterWarmUpMiB!,
      rssAfterRunMiB: memory.rssAfterRunMiB!,
    };
    options.log(
      `  ${stack}: ${result.scriptStartToFirstQueryMs} ms to first query (load ${result.moduleLoadMs}, construct ${result.constructionMs}, ` +
        `query ${result.firstQueryMs}); RSS ${result.rssAfterWarmUpMiB} -> ${result.rssAfterRunMiB} MiB`,
    );
    return result;
  });
}
