// Query level: every operation through every stack at each concurrency, interleaved round by round.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { insert, type Fixture } from "./database";
import { median, percentile, rotate, runLoad } from "./measure";
import { pick } from "./random";
import type { NewProject, Operations, Stack, StackName } from "./stacks";

export type QueryName = "pointRead" | "list" | "nestedRead" | "nestedCreate" | "update" | "delete" | "transaction";

export const QUERY_LABELS: Record<QueryName, string> = {
  pointRead: "point read by id",
  list: "list: filter + order + limit 20",
  nestedRead: "nested read (project tree + frames)",
  nestedCreate: "nested create (1+2+4+16 rows)",
  update: "update by id",
  delete: "delete by id",
  transaction: "3-statement transaction",
};

type Context = { admin: pg.Pool; fixture: Fixture };

type Query = {
  name: QueryName;
  /** Operations per round at concurrency 1, before scaling. */
  operations: number;
  prepare?: (context: Context, count: number) => Promise<unknown[]>;
  run: (operations: Operations, k: number, prepared: unknown[], fixture: Fixture) => Promise<unknown>;
  cleanup?: (context: Context) => Promise<unknown>;
};

let created = 0;
const newProject = (): NewProject => {
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
  { name: "pointRead", operations: 400, run: (o, k, _, f) => o.pointRead(pick(f.projectIds, k)) },
  { name: "list", operations: 400, run: (o, k, _, f) => o.list(pick(f.animationIds, k)) },
  { name: "nestedRead", operations: 100, run: (o, k, _, f) => o.nestedRead(pick(f.projectIds, k)) },
  {
    name: "nestedCreate",
    operations: 60,
    run: (o) => o.nestedCreate(newProject()),
    cleanup: ({ admin }) => admin.query("delete from projects where slug like 'new-%'"),
  },
  { name: "update", operations: 300, run: (o, k, _, f) => o.update(pick(f.projectIds, k), `updated ${k}`) },
  {
    name: "delete",
    operations: 300,
    // Childless projects made for the round, outside the timing; the seeded data keeps its size.
    prepare: async ({ admin }, count) => {
      const rows = Array.from({ length: count }, () => {
        const id = randomUUID();
        return [id, `gone-${id}`, "to delete", ""];
      });
      await insert(admin, "projects", ["id", "slug", "name", "description"], ["uuid", "text", "text", "text"], rows);
      return rows.map(([id]) => id);
    },
    run: (o, k, ids) => o.remove(ids[k] as string),
  },
  {
    name: "transaction",
    operations: 150,
    run: (o, k, _, f) => o.transaction(f.writeAnimationIds[k % f.writeAnimationIds.length]!, { image: `/bench/${k}.png`, width: 32, height: 32 }),
    cleanup: ({ admin, fixture }) => admin.query("delete from frames where animation_id = any($1::uuid[])", [fixture.writeAnimationIds]),
  },
];

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
