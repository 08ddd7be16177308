// `assets:import` over generated trees: every file becomes a frame once, bad files are reported, and a run killed
// half-way leaves only whole animations behind, which the next run completes.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sampleFrame, writeSampleTree, type SampleTree } from "@/lib/assets/sample";
import { MAX_FRAME_SIZE } from "@/lib/projects/rules";
import { frameCounts, runImport, spawnImport } from "./support/assets";
import { createTestDatabase } from "./support/db";
import type { TestDatabase } from "../scripts/support/postgres-admin";

const databases: TestDatabase[] = [];
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "import-test-"));
});
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  if (work) await rm(work, { recursive: true, force: true });
});

async function database() {
  const db = await createTestDatabase("import");
  databases.push(db);
  return db;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Every imported row that a user would see, in one order. */
const snapshot = (url: string) =>
  query(
    url,
    `select p.slug, p.name as project, c.name as character, a.name as animation, a.fps, a.loop,
            f.index, f.image, f.width, f.height, f.duration_ms
       from frames f join animations a on a.id = f.animation_id
       join characters c on c.id = a.character_id join projects p on p.id = c.project_id
      order by p.slug, c.name, a.name, f.index`,
  );

/** Each file's path, size, modification time and content hash: what "no file was touched" means. */
async function fingerprint(root: string) {
  const files = (await readdir(root, { recursive: true })).sort();
  return Promise.all(
    files.map(async (file) => {
      const info = await stat(path.join(root, file));
      if (!info.isFile()) return file;
      const hash = createHash("sha256").update(await readFile(path.join(root, file))).digest("hex");
      return `${file} ${info.size} ${info.mtimeMs} ${hash}`;
    }),
  );
}

const frameTotal = (tree: SampleTree) =>
  Object.values(tree).flatMap(Object.values).flatMap(Object.values).reduce((sum, count) => sum + count, 0);

it("imports a tree of N files as exactly N frames, and a second run changes nothing", async () => {
  const db = await database();
  const root = path.join(work, "plain");
  const tree: SampleTree = {
    alpha: { hero: { idle: 4, walk: 7 }, "big slime": { "slow bounce": 3 } },
    "beta-2": { robot: { spin: 12 } },
  };
  await writeSampleTree(root, tree);
  const files = await fingerprint(root);

  const first = await runImport(root, db.url);
  expect(first.code, first.stderr).toBe(0);
  expect(frameCounts(first.stdout)).toEqual({ created: frameTotal(tree), updated: 0, unchanged: 0 });
  expect(first.stdout).toMatch(/^skipped: 0 files$/m);

  const rows = await snapshot(db.url);
  expect(rows).toHaveLength(frameTotal(tree));
  expect(rows).toContainEqual({
    slug: "alpha", project: "alpha", character: "big slime", animation: "slow bounce", fps: 12, loop: true,
    index: 2, image: "/assets/alpha/big%20slime/slow%20bounce/2.png", width: 32, height: 32, duration_ms: null,
  });
  expect(rows.filter((row) => (row as { animation: string }).animation === "spin").map((row) => (row as { index: number }).index))
    .toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

  const lastWrite = `select max(updated_at) from (select updated_at from projects union all select updated_at from characters
    union all select updated_at from animations union all select updated_at from frames) as rows`;
  const writtenAt = await query(db.url, lastWrite);
  const second = await runImport(root, db.url);
  expect(second.code, second.stderr).toBe(0);
  expect(frameCounts(second.stdout)).toEqual({ created: 0, updated: 0, unchanged: frameTotal(tree) });
  expect(await snapshot(db.url)).toEqual(rows);
  expect(await query(db.url, lastWrite)).toEqual(writtenAt);
  expect(await fingerprint(root)).toEqual(files);
});

it("reports a corrupt image and files outside the layout, skips them and imports the rest", async () => {
  const db = await database();
  const root = path.join(work, "messy");
  await writeSampleTree(root, { gamma: { hero: { idle: 3 } } });
  await writeFile(path.join(root, "gamma/hero/idle/3.png"), "this is not a png");
  await writeFile(path.join(root, "gamma/hero/4.png"), sampleFrame("idle", 0, 1));
  await writeFile(path.join(root, "gamma/hero/idle/frame-a.png"), sampleFrame("idle", 0, 1));
  await mkdir(path.join(root, "Not_A_Slug/hero/idle"), { recursive: true });
  await writeFile(path.join(root, "Not_A_Slug/hero/idle/0.png"), sampleFrame("idle", 0, 1));
  await writeFile(path.join(root, "gamma/hero/idle/1.jpg"), sampleFrame("idle", 1, 3));
  const files = await fingerprint(root);

  const run = await runImport(root, db.url);
  expect(run.code, run.stderr).toBe(0);
  expect(frameCounts(run.stdout)).toEqual({ created: 2, updated: 0, unchanged: 0 });
  const skipped = run.stdout.slice(run.stdout.indexOf("skipped:"));
  expect(skipped.split("\n").filter(Boolean)).toEqual([
    "skipped: 6 files",
    expect.stringMatching(/^ {2}Not_A_Slug\/hero\/idle\/0\.png: project folder "Not_A_Slug" is not a slug/),
    "  gamma/hero/4.png: not in the layout <project>/<character>/<animation>/<frame-index>.<png|jpg|webp|gif>",
    "  gamma/hero/idle/1.jpg: frame 1 is also 1.png",
    "  gamma/hero/idle/1.png: frame 1 is also 1.jpg",
    expect.stringMatching(/^ {2}gamma\/hero\/idle\/3\.png: not a readable png image/),
    "  gamma/hero/idle/frame-a.png: file name is not <frame-index>.<png|jpg|webp|gif>",
  ]);
  expect((await snapshot(db.url)).map((row) => (row as { image: string }).image)).toEqual([
    "/assets/gamma/hero/idle/0.png",
    "/assets/gamma/hero/idle/2.png",
  ]);
  expect(await fingerprint(root)).toEqual(files);
});

/** The start of a PNG file: its signature and an IHDR chunk that claims this size, with no image data after it. */
function pngHeader(width: number, height: number) {
  const ihdr = Buffer.alloc(17);
  ihdr.write("IHDR", 0, "ascii");
  ihdr.writeUInt32BE(width, 4);
  ihdr.writeUInt32BE(height, 8);
  ihdr.set([8, 2, 0, 0, 0], 12);
  const chunk = Buffer.alloc(25);
  chunk.writeUInt32BE(13, 0);
  ihdr.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(ihdr), 21);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk]);
}

it("refuses images larger than the API accepts, as the API does, and imports the rest", async () => {
  const db = await database();
  const root = path.join(work, "huge");
  await writeSampleTree(root, { delta: { hero: { idle: 2 } } });
  await writeFile(path.join(root, "delta/hero/idle/2.png"), pngHeader(2147483647, 2147483647));
  await writeFile(path.join(root, "delta/hero/idle/3.png"), pngHeader(MAX_FRAME_SIZE + 1, 1));
  await writeFile(path.join(root, "delta/hero/idle/4.png"), pngHeader(MAX_FRAME_SIZE, MAX_FRAME_SIZE));

  const run = await runImport(root, db.url);
  expect(run.code, run.stderr).toBe(0);
  expect(frameCounts(run.stdout)).toEqual({ created: 3, updated: 0, unchanged: 0 });
  const skipped = run.stdout.slice(run.stdout.indexOf("skipped:"));
  expect(skipped.split("\n").filter(Boolean)).toEqual([
    "skipped: 2 files",
    `  delta/hero/idle/2.png: 2147483647×2147483647 is larger than ${MAX_FRAME_SIZE} pixels a side`,
    `  delta/hero/idle/3.png: ${MAX_FRAME_SIZE + 1}×1 is larger than ${MAX_FRAME_SIZE} pixels a side`,
  ]);
  const sizes = await query<{ index: number; width: number; height: number }>(db.url, "select index, width, height from frames order by index");
  expect(sizes.map((row) => [row.index, row.width, row.height])).toEqual([[0, 32, 32], [1, 32, 32], [4, MAX_FRAME_SIZE, MAX_FRAME_SIZE]]);
});

it("leaves only whole animations when killed mid-run, and the next run ends where an uninterrupted one does", async () => {
  const [reference, interrupted] = [await database(), await database()];
  const root = path.join(work, "large");
  const framesEach = 3;
  // Enough animations that the run is still going when the first ones have committed.
  const characters = Object.fromEntries(
    Array.from({ length: 12 }, (_, c) => [`char-${c}`, Object.fromEntries(Array.from({ length: 25 }, (_, a) => [`anim-${a}`, framesEach]))]),
  );
  const tree: SampleTree = { large: characters };
  const animationTotal = 12 * 25;
  await writeSampleTree(root, tree);

  const whole = await runImport(root, reference.url);
  expect(whole.code, whole.stderr).toBe(0);

  const run = spawnImport(root, interrupted.url);
  const watcher = new pg.Client({ connectionString: interrupted.url });
  await watcher.connect();
  let committed = 0;
  try {
    for (const deadline = Date.now() + 30_000; committed < 5 && Date.now() < deadline; ) {
      committed = (await watcher.query("select count(*)::int as n from animations")).rows[0].n;
    }
    run.kill("SIGKILL");
  } finally {
    await watcher.end();
  }
  const killed = await run.finished;
  expect(killed.signal).toBe("SIGKILL");

  const { animations, partial } = (await query<{ animations: number; partial: number }>(
    interrupted.url,
    `select count(*)::int as animations,
            count(*) filter (where (select count(*) from frames f where f.animation_id = a.id) <> ${framesEach})::int as partial
       from animations a`,
  ))[0]!;
  expect(animations).toBeGreaterThanOrEqual(5);
  expect(animations, "the run finished before it was killed; the tree is too small").toBeLessThan(animationTotal);
  expect(partial).toBe(0);
  const { empty } = (await query<{ empty: number }>(
    interrupted.url,
    "select count(*)::int as empty from characters c where not exists (select 1 from animations a where a.character_id = c.id)",
  ))[0]!;
  expect(empty).toBe(0);

  const resumed = await runImport(root, interrupted.url);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(frameCounts(resumed.stdout)).toEqual({
    created: (animationTotal - animations) * framesEach,
    updated: 0,
    unchanged: animations * framesEach,
  });
  expect(await snapshot(interrupted.url)).toEqual(await snapshot(reference.url));
});
