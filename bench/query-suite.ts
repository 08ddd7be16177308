// Query level: every operation through every stack at each concurrency, interleaved round by round. Before any
// timing, each stack's answer is checked against the app's own, so no stack is measured doing less.
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type pg from "pg";
import type { ProjectInput } from "@/lib/api/schemas";
import { insert, type Fixture } from "./database";
import { median, percentile, rotate, runLoad } from "./measure";
import { pick } from "./random";
import type { Operations, Stack, StackName } from "./stacks";

export type QueryName = keyof Operations;

export const QUERY_LABELS: Record<QueryName, string> = {
  findProject: "project by id (tree + frame counts)",
  listProjects: "list: 20 projects + character counts",
  findAnimationPage: "animation page (all its frames)",
  createProject: "nested create (1+2+4+16 rows)",
  updateProject: "update by id",
  deleteProject: "delete by id",
  appendFrame: "frame append (3-statement transaction)",
};

/** The queries whose throughput is also measured across a sweep of concurrencies. */
export const SWEPT: QueryName[] = ["findProject", "findAnimationPage"];

type Context = { admin: pg.Pool; fixture: Fixture };

type Query = {
  name: QueryName;
  /** Operations per round at concurrency 1, before scaling. */
  operations: number;
  /** What must agree between stacks: every value, or (where ids and counters differ by design) the shape. */
  agree: "values" | "shape";
  prepare?: (context: Context, count: number) => Promise<unknown[]>;
  run: (operations: Operations, k: number, prepared: unknown[], fixture: Fixture) => Promise<unknown>;
  cleanup?: (context: Context) => Promise<unknown>;
};

let created = 0;
const newProject = (): ProjectInput => {
  const slug = `new-${created++}`;
  return {
    slug,
    name: `Project ${slug}`,
    description: "created by the benchmark",
    characters: ["hero", "villain"].map((name) => ({
      name,
      animations: ["idle", "walk"].map((animation) => ({
        name: animation,
        fps: 12,
        frames: Array.from({ length: 4 }, (_, index) => ({ index, image: `/assets/${slug}/${name}/${animation}/${index}.png`, width: 32, height: 32 })),
      })),
    })),
  };
};

export const QUERIES: Query[] = [
  { name: "findProject", operations: 400, agree: "values", run: (o, k, _, f) => o.findProject(pick(f.projectIds, k)) },
  { name: "listProjects", operations: 400, agree: "values", run: (o, k, _, f) => o.listProjects({ limit: 20, cursor: pick(f.projectIds, k) }) },
  { name: "findAnimationPage", operations: 200, agree: "values", run: (o, k, _, f) => o.findAnimationPage(pick(f.animations, k)) },
  {
    name: "createProject",
    operations: 60,
    agree: "shape",
    run: (o) => o.createProject(newProject()),
    cleanup: ({ admin }) => admin.query("delete from projects where slug like 'new-%'"),
  },
  { name: "updateProject", operations: 300, agree: "values", run: (o, k, _, f) => o.updateProject(pick(f.projectIds, k), { description: `updated ${k}` }) },
  {
    name: "deleteProject",
    operations: 300,
    agree: "values",
    // Childless projects made for the round, outside the timing; the seeded data keeps its size.
    prepare: async ({ admin }, count) => {
      const rows = Array.from({ length: count }, () => {
        const id = randomUUID();
        return [id, `gone-${id}`, "to delete", ""];
      });
      await insert(admin, "projects", ["id", "slug", "name", "description"], ["uuid", "text", "text", "text"], rows);
      return rows.map(([id]) => id);
    },
    run: (o, k, ids) => o.deleteProject(ids[k] as string),
  },
  {
    name: "appendFrame",
    operations: 150,
    agree: "shape",
    run: (o, k, _, f) => o.appendFrame(f.writeAnimationIds[k % f.writeAnimationIds.length]!, { image: `/bench/${k}.png`, width: 32, height: 32 }),
    cleanup: ({ admin, fixture }) => admin.query("delete from frames where animation_id = any($1::uuid[])", [fixture.writeAnimationIds]),
  },
];

// Timestamps compare by presence (drivers disagree on Date versus ISO string inside JSON); with "shape", every
// leaf compares by type.
function canonical(value: unknown, agree: Query["agree"], key = ""): unknown {
  if (key.endsWith("At") && value != null) return "<timestamp>";
  if (Array.isArray(value)) return value.map((item) => canonical(item, agree));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v, agree, k)]));
  return agree === "shape" && value != null ? typeof value : value;
}

/** Runs the query once on each stack and throws unless every answer agrees with the app's own. */
async function checkAnswers(query: Query, stacks: Stack[], context: Context) {
  const answers: unknown[] = [];
  for (const stack of stacks) {
    const prepared = (await query.prepare?.(context, 1)) ?? [];
    answers.push(canonical(await query.run(stack.operations, 0, prepared, context.fixture), query.agree));
    await query.cleanup?.(context);
  }
  const app = Math.max(0, stacks.findIndex((s) => s.name === "prisma"));
  stacks.forEach((stack, i) => {
    if (!isDeepStrictEqual(answers[i], answers[app])) {
      const [got, expected] = [answers[i], answers[app]].map((a) => JSON.stringify(a));
      throw new Error(`${query.name}: ${stack.name} answers differently from ${stacks[app]!.name}:\n${got}\n${expected}`);
    }
  });
}

export type Measurement = {
  query: QueryName;
  stack: StackName;
  concurrency: number;
  /** Medians over the rounds. */
  p50Us: number;
  p99Us: number;
  opsPerSecond: number;
  rounds: number;
  operationsPerRound: number;
};

export type SuiteOptions = { rounds: number; scale: number; concurrencies: (query: QueryName) => number[]; log: (line: string) => void };

export async function runQuerySuite(stacks: Stack[], context: Context, options: SuiteOptions): Promise<Measurement[]> {
  const results: Measurement[] = [];
  for (const query of QUERIES) {
    await checkAnswers(query, stacks, context);
    for (const concurrency of options.concurrencies(query.name)) {
      // More operations when more run at once, so a round lasts long enough to measure throughput.
      const count = Math.max(10, Math.round(query.operations * options.scale * Math.sqrt(concurrency)));
      const round = async (stack: Stack, operations: number) => {
        const prepared = (await query.prepare?.(context, operations)) ?? [];
        const result = await runLoad(concurrency, operations, (k) => query.run(stack.operations, k, prepared, context.fixture));
        await query.cleanup?.(context);
        return result;
      };
      for (const stack of stacks) await round(stack, Math.max(concurrency, Math.round(count / 4)));
      const perStack = new Map(stacks.map((s) => [s.name, [] as { p50: number; p99: number; rate: number }[]]));
      for (let r = 0; r < options.rounds; r++) {
        for (const stack of rotate(stacks, r)) {
          const { latenciesUs, wallMs } = await round(stack, count);
          perStack.get(stack.name)!.push({ p50: median(latenciesUs), p99: percentile(latenciesUs, 0.99), rate: (count / wallMs) * 1000 });
        }
      }
      for (const stack of stacks) {
        const rounds = perStack.get(stack.name)!;
        results.push({
          query: query.name,
          stack: stack.name,
          concurrency,
          p50Us: median(rounds.map((r) => r.p50)),
          p99Us: median(rounds.map((r) => r.p99)),
          opsPerSecond: median(rounds.map((r) => r.rate)),
          rounds: options.rounds,
          operationsPerRound: count,
        });
      }
      const line = stacks
        .map((s) => {
          const m = results.find((x) => x.query === query.name && x.stack === s.name && x.concurrency === concurrency)!;
          return `${s.name} ${Math.round(m.p50Us)} us, ${Math.round(m.opsPerSecond)}/s`;
        })
        .join(" | ");
      options.log(`  ${QUERY_LABELS[query.name]}, c=${concurrency}: ${line}`);
    }
  }
  return results;
}
