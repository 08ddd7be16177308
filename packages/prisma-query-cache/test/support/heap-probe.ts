// Measures what L1 really holds against what it counts: reads of one kind go through the query cache (keys built as
// a read builds them, results stored as a miss stores them), then the heap is weighed after full collections.
//   node --expose-gc --import tsx test/support/heap-probe.ts <workload> <l1MaxBytes> <reads>
// Prints one JSON line: { heapBytes, countedBytes, entries, evictions }.
import { randomUUID } from "node:crypto";
import { memoryGenerations } from "../../src/generations.ts";
import { modelGraph } from "../../src/invalidation.ts";
import { createQueryCache } from "../../src/query-cache.ts";
import { createStore } from "../../src/store.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

const relation = (name: string, type: string) => ({ name, kind: "object", type });
const graph = modelGraph({
  models: {
    Project: { dbName: "projects", fields: [relation("characters", "Character")] },
    Character: { dbName: "characters", fields: [relation("project", "Project"), relation("animations", "Animation")] },
    Animation: { dbName: "animations", fields: [relation("character", "Character"), relation("frames", "Frame")] },
    Frame: { dbName: "frames", fields: [relation("animation", "Animation")] },
  },
});

// Strings as a driver hands them over: each its own flat copy, not a shared literal or a concatenation.
const text = (value: string) => Buffer.from(value).toString();
const uuid = () => text(randomUUID());
let clock = 1_760_000_000_000;
const date = () => new Date((clock += 1_234));
const row = (name: string) => ({ id: uuid(), name: text(name), createdAt: date(), updatedAt: date() });

const tree = {
  characters: { orderBy: { name: "asc" }, include: { animations: { orderBy: { name: "asc" }, include: { _count: { select: { frames: true } } } } } },
};
type Workload = { model: string; operation: string; args: () => Record<string, unknown>; result: () => unknown; tags?: (args: Record<string, unknown>) => string[] };
const workloads: Record<string, Workload> = {
  // A project with 3 characters of 4 animations each, with frame counts (the app's project read).
  projectTree: {
    model: "Project",
    operation: "findUnique",
    args: () => ({ where: { id: randomUUID() }, include: tree }),
    result: () => ({
      ...row("A project"),
      slug: text(`project-${randomUUID().slice(0, 8)}`),
      description: text("Sprites for the second level, drawn at 32 px"),
      characters: Array.from({ length: 3 }, (_, c) => ({
        ...row(`character ${c}`),
        projectId: uuid(),
        animations: Array.from({ length: 4 }, (_, a) => ({ ...row(`animation ${a}`), characterId: uuid(), fps: 12, loop: true, _count: { frames: 24 } })),
      })),
    }),
  },
  // A page of 20 projects and the next one's id (the app's list).
  listPage: {
    model: "Project",
    operation: "findMany",
    args: () => ({ take: 21, cursor: { id: randomUUID() }, orderBy: { id: "desc" }, include: { _count: { select: { characters: true } } } }),
    result: () =>
      Array.from({ length: 21 }, () => ({ ...row("A project"), slug: text(`project-${randomUUID().slice(0, 8)}`), description: text(""), _count: { characters: 3 } })),
  },
  // A 404: the project read of a random id, which finds nothing and is cached like any other answer.
  notFound: {
    model: "Project",
    operation: "findUnique",
    args: () => ({ where: { id: randomUUID() }, include: tree }),
    tags: (args) => [`project:${(args.where as { id: string }).id}`],
    result: () => null,
  },
  // An animation page: 24 frames of numbers and paths, with non-Latin-1 names and 2 KB of bytes (off the heap).
  framesPage: {
    model: "Animation",
    operation: "findFirst",
    args: () => ({ where: { name: randomUUID(), character: { name: "hero", project: { slug: "demo" } } } }),
    result: () => ({
      ...row("走る"),
      thumbnail: new Uint8Array(2048),
      frames: Array.from({ length: 24 }, (_, index) => ({ index, image: text(`/assets/demo/hero/run/${index}.png`), width: 32, height: 32, durationMs: null, weight: index + 0.5 })),
    }),
  },
};

const [name, maxBytes, reads] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const workload = workloads[name];
if (!workload) throw new Error(`no workload ${name}: ${Object.keys(workloads).join(", ")}`);

const held = () => {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
const store = createStore({ l1MaxBytes: maxBytes, backgroundRefreshes: 2 });
const cache = createQueryCache({ store, generations: memoryGenerations(), graph, report: () => {} });
const before = held();
for (let i = 0; i < reads; i++) {
  const { model, operation, result, tags } = workload;
  const args = workload.args();
  await cache.read({ model, operation, args, inTransaction: false }, { ttl: 600, swr: 600, tags: tags?.(args) }, async () => result());
}
const heapBytes = held() - before;
const { bytes, entries, evictions } = store.l1();
process.stdout.write(`${JSON.stringify({ heapBytes, countedBytes: bytes, entries, evictions })}\n`);
await cache.close();
