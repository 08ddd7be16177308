// One fresh process per measurement (spawned by cold-start.ts): load one stack, construct it, answer the first
// query; with --memory, then warm it up and run a mixed load, reading RSS after each.
//   tsx bench/cold-start-child.ts <pg|prisma|drizzle> <databaseUrl> <projectId> [--memory]
import { performance } from "node:perf_hooks";
import { rssMiB, runLoad } from "./measure";
import type { Stack, StackName } from "./stacks";

const [stackName, url, projectId, mode] = process.argv.slice(2) as [StackName, string, string, string | undefined];
const scriptStart = performance.now();

const factories: Partial<Record<StackName, () => Promise<(url: string) => Stack>>> = {
  prisma: async () => (await import("./stacks")).prismaStack,
  pg: async () => (await import("./pg-stack")).pgStack,
  drizzle: async () => (await import("./drizzle-stack")).drizzleStack,
};

const create = await factories[stackName]!();
const modulesLoaded = performance.now();
const { operations, close } = create(url);
const constructed = performance.now();
await operations.findProject(projectId);
const answered = performance.now();
const result: Record<string, number | string> = {
  stack: stackName,
  processStartToFirstQueryMs: answered,
  scriptStartToFirstQueryMs: answered - scriptStart,
  moduleLoadMs: modulesLoaded - scriptStart,
  constructionMs: constructed - modulesLoaded,
  firstQueryMs: answered - constructed,
};

if (mode === "--memory") {
  const mixed = (k: number) => (k % 2 ? operations.listProjects({ limit: 20 }) : operations.findProject(projectId));
  await runLoad(1, 500, mixed);
  result.rssAfterWarmUpMiB = rssMiB();
  await runLoad(10, 5_000, mixed);
  result.rssAfterRunMiB = rssMiB();
}
await close();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
