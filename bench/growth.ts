// The data grows (1k, 10k, 100k frames over 10 projects): how the reads whose answers depend on the number of
// frames (a project's frame counts, an animation's frames) scale with it.
import type pg from "pg";
import { seed } from "./database";
import { median, rotate, runLoad } from "./measure";
import { pick } from "./random";
import type { Stack, StackName } from "./stacks";

export type GrowthQuery = "findProject" | "findAnimationPage";
export const GROWTH_LABELS: Record<GrowthQuery, string> = {
  findProject: "project by id (frame counts of a tenth of all frames)",
  findAnimationPage: "animation page (a hundredth of all frames)",
};
export type GrowthMeasurement = { frames: number; framesPerProject: number; query: GrowthQuery; stack: StackName; p50Us: number };

const PROJECTS = 10;
const CHARACTERS = 2;
const ANIMATIONS = 5;

export async function runGrowth(
  stacks: Stack[],
  admin: pg.Pool,
  options: { sizes: number[]; rounds: number; scale: number; seed: number; log: (line: string) => void },
): Promise<GrowthMeasurement[]> {
  const results: GrowthMeasurement[] = [];
  for (const frames of options.sizes) {
    const framesPerAnimation = Math.round(frames / (PROJECTS * CHARACTERS * ANIMATIONS));
    const fixture = await seed(
      admin,
      { projects: PROJECTS, charactersPerProject: CHARACTERS, animationsPerCharacter: ANIMATIONS, framesPerAnimation },
      options.seed,
    );
    const framesPerProject = framesPerAnimation * CHARACTERS * ANIMATIONS;
    // About the same number of rows read per round whatever the size.
    const operations = (rowsPerRead: number) => Math.max(5, Math.min(300, Math.round(100_000 / rowsPerRead)));
    const queries = [
      {
        query: "findProject" as const,
        operations: operations(framesPerProject),
        run: (s: Stack, k: number) => s.operations.findProject(pick(fixture.projectIds, k)),
      },
      {
        query: "findAnimationPage" as const,
        operations: operations(framesPerAnimation),
        run: (s: Stack, k: number) => s.operations.findAnimationPage(pick(fixture.animations, k)),
      },
    ];
    for (const { query, operations, run } of queries) {
      const count = Math.max(3, Math.round(operations * options.scale));
      for (const stack of stacks) await runLoad(1, Math.max(2, Math.round(count / 4)), (k) => run(stack, k));
      const samples = new Map(stacks.map((s) => [s.name, [] as number[]]));
      for (let r = 0; r < options.rounds; r++) {
        for (const stack of rotate(stacks, r)) samples.get(stack.name)!.push(median((await runLoad(1, count, (k) => run(stack, k))).latenciesUs));
      }
      const line = stacks.map((stack) => {
        const p50Us = median(samples.get(stack.name)!);
        results.push({ frames: fixture.frames, framesPerProject, query, stack: stack.name, p50Us });
        return `${stack.name} ${Math.round(p50Us)} us`;
      });
      options.log(`  ${fixture.frames} frames, ${query}: ${line.join(" | ")}`);
    }
  }
  return results;
}
