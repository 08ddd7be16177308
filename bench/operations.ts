// The app's operations, one entry each: what it is called in tables, its arguments, and one function per stack —
// the app's own (lib/projects, lib/frames) and the raw-pg and Drizzle ones that must answer the same. Every section
// measures from this list; before any timing, each stack's answer is checked against the app's, so no stack is
// measured doing less.
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type pg from "pg";
import type { ProjectInput } from "@/lib/api/schemas";
import * as frames from "@/lib/frames/queries";
import * as projects from "@/lib/projects/queries";
import type { Fixture } from "./database";
import * as drizzle from "./drizzle-stack";
import { load, rounds, summarize } from "./harness";
import * as raw from "./pg-stack";
import type { Clients, Stack, StackKind } from "./stacks";

export type Context = { admin: pg.Pool; fixture: Fixture };
/** The k-th pick from a list, spread evenly and the same for every stack. */
export const pick = <T>(list: readonly T[], k: number): T => list[(Math.imul(k + 1, 2654435761) >>> 0) % list.length]!;

export type Operation<A extends [] | unknown[] = unknown[]> = {
  name: string;
  label: string;
  /** Calls per round at concurrency 1, before scaling. */
  operations: number;
  /** Reads, and the writes marked `growth`, are measured as the data grows; `sweep`: across concurrencies in a full run. */
  read?: boolean; growth?: boolean; sweep?: boolean;
  /** What must agree with the app's answer: every value (the default), or where ids and counters differ by design, the shape. */
  agree?: "shape";
  /** Rows made outside the timing for the round's calls (ids to delete). */
  prepare?: (context: Context, count: number) => Promise<string[]>;
  args: (fixture: Fixture, k: number, prepared: string[]) => NoInfer<A>;
  cleanup?: (context: Context) => Promise<unknown>;
  run: { [K in StackKind]: (client: Clients[K], ...args: A) => Promise<unknown> };
};

const operation = <A extends [] | unknown[]>(entry: Operation<A>) => entry as unknown as Operation;
const app = { ...projects, ...frames };
/** An operation's name and its function on each stack: the app's, and the raw-pg and Drizzle ones of the same name. */
const named = <N extends keyof typeof app & keyof typeof raw & keyof typeof drizzle>(name: N) =>
  ({ name, run: { prisma: app[name], pg: raw[name], drizzle: drizzle[name] } });

let created = 0;
const newProject = (): ProjectInput => {
  const slug = `new-${created++}`;
  const frames = (path: string) => Array.from({ length: 4 }, (_, index) => ({ index, image: `/assets/${slug}/${path}/${index}.png`, width: 32, height: 32 }));
  const characters = ["hero", "villain"].map((name) => ({ name, animations: ["idle", "walk"].map((a) => ({ name: a, fps: 12, frames: frames(`${name}/${a}`) })) }));
  return { slug, name: `Project ${slug}`, description: "created by the benchmark", characters };
};

// When an operation's contract in lib/ changes, its raw-pg and Drizzle functions change to match: the answer check
// names any that no longer agree.
export const OPERATIONS: Operation[] = [
  operation({ ...named("findProject"), label: "project by id (tree + frame counts)", operations: 400, read: true, sweep: true,
    args: (f, k) => [pick(f.projectIds, k)] }),
  operation({ ...named("listProjects"), label: "list: 20 projects + character counts", operations: 400, read: true,
    args: (f, k) => [{ limit: 20, cursor: pick(f.projectIds, k) }] }),
  operation({ ...named("listProjectsByName"), label: "index page: projects by name", operations: 200, read: true, args: () => [] }),
  operation({ ...named("findProjectPage"), label: "project page (tree + first frames + counts)", operations: 200, read: true,
    args: (f, k) => [pick(f.slugs, k)] }),
  operation({ ...named("findAnimationPage"), label: "animation page (a page of frames)", operations: 200, read: true, sweep: true,
    args: (f, k) => [pick(f.animations, k)] }),
  operation({ ...named("createProject"), label: "nested create (1+2+4+16 rows)", operations: 60, agree: "shape",
    args: () => [newProject()],
    cleanup: ({ admin }) => admin.query("delete from projects where slug like 'new-%'") }),
  operation({ ...named("updateProject"), label: "update by id", operations: 300, growth: true,
    args: (f, k) => [pick(f.projectIds, k), { description: `updated ${k}` }] }),
  operation({ ...named("deleteProject"), label: "delete by id", operations: 300,
    // Childless projects made for the round, outside the timing; the seeded data keeps its size.
    prepare: async ({ admin }, count) => {
      const ids = Array.from({ length: count }, () => randomUUID());
      await raw.insert(admin, "projects", "id uuid, slug text, name text, description text", ids.map((id) => [id, `gone-${id}`, "to delete", ""]));
      return ids;
    },
    args: (_, k, ids) => [ids[k]!] }),
  operation({ ...named("appendFrame"), label: "frame append (3-statement transaction)", operations: 150, agree: "shape",
    args: (f, k) => [f.writeAnimationIds[k % f.writeAnimationIds.length]!, { image: `/bench/${k}.png`, width: 32, height: 32 }],
    cleanup: ({ admin, fixture }) => admin.query("delete from frames where animation_id = any($1::uuid[])", [fixture.writeAnimationIds]) }),
];

/** `count` calls of `operation` on `stack` (the k-th given `call(k)`), with what they need made before and removed after. */
export async function calls<T>(stack: Stack, operation: Operation, context: Context, count: number, run: (call: (k: number) => Promise<unknown>) => Promise<T>) {
  const prepared = (await operation.prepare?.(context, count)) ?? [];
  const fn = operation.run[stack.kind] as (client: unknown, ...args: unknown[]) => Promise<unknown>;
  try {
    return await run((k) => fn(stack.client, ...operation.args(context.fixture, k, prepared)));
  } finally {
    await operation.cleanup?.(context);
  }
}

/** One operation on each stack at one concurrency: a warm-up, then rounds of `count` calls; each stack's medians. */
export async function measureOperation(stacks: Stack[], operation: Operation, context: Context, options: { concurrency: number; count: number; rounds: number; warmUp: number }) {
  const timed = (stack: Stack, count: number) => calls(stack, operation, context, count, (call) => load(options.concurrency, count, call));
  for (const stack of stacks) await timed(stack, options.warmUp);
  const samples = await rounds(stacks.map((s) => s.name), options.rounds, (name) => timed(stacks.find((s) => s.name === name)!, options.count));
  return Object.fromEntries(stacks.map((stack) => [stack.name, summarize(samples[stack.name]!)]));
}

// Timestamps compare by presence (drivers disagree on Date versus ISO string inside JSON); with "shape", every
// leaf compares by type.
function canonical(value: unknown, agree: Operation["agree"], key = ""): unknown {
  if (key.endsWith("At") && value != null) return "<timestamp>";
  if (Array.isArray(value)) return value.map((item) => canonical(item, agree));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v, agree, k)]));
  return agree === "shape" && value != null ? typeof value : value;
}

/** Calls `operation` once on each stack and throws unless every answer agrees with the app's own. */
export async function checkAnswers(operation: Operation, stacks: Stack[], context: Context) {
  const answers: unknown[] = [];
  for (const stack of stacks) answers.push(canonical(await calls(stack, operation, context, 1, (call) => call(0)), operation.agree));
  const app = Math.max(0, stacks.findIndex((s) => s.kind === "prisma"));
  stacks.forEach((stack, i) => {
    if (isDeepStrictEqual(answers[i], answers[app])) return;
    const [got, expected] = [answers[i], answers[app]].map((a) => JSON.stringify(a));
    throw new Error(`${operation.name}: ${stack.name} answers differently from ${stacks[app]!.name}:\n${got}\n${expected}`);
  });
}
