// The benchmark's own database on the chosen server: created and migrated for the run, dropped at the end; the
// user's own data is never touched. Two data sets: the query level's, seeded from a fixed seed, and the growth
// section's, grown in SQL with generate_series so that ten million frames take a minute, not an hour.
import type pg from "pg";
import { createDatabase, databaseUrl, deployMigrations, type TestDatabase } from "../scripts/support/postgres-admin";
import { insert } from "./pg-stack";

export type Shape = { projects: number; charactersPerProject: number; animationsPerCharacter: number; framesPerAnimation: number };

/** An animation as the app addresses it on its pages. */
export type AnimationAddress = { slug: string; character: string; name: string };

/** What the operations pick their arguments from; the frame appends go to the animations of a project no read touches. */
export type Fixture = { projectIds: string[]; slugs: string[]; animations: AnimationAddress[]; writeAnimationIds: string[]; frames: number };

export async function createBenchDatabase(serverUrl: string): Promise<TestDatabase> {
  const database = await createDatabase(databaseUrl(serverUrl, "postgres"), "bench");
  try {
    deployMigrations(database.url);
    return database;
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** The query level's data set: `shape`, with sizes and durations drawn from `seedValue`, and a project for the appends. */
export async function seed(pool: pg.Pool, shape: Shape, seedValue: number): Promise<Fixture> {
  const random = seededRandom(seedValue);
  await pool.query("truncate projects cascade");
  const rows: Record<"projects" | "characters" | "animations" | "frames", unknown[][]> = { projects: [], characters: [], animations: [], frames: [] };
  const fixture: Fixture = { projectIds: [], slugs: [], animations: [], writeAnimationIds: [], frames: 0 };
  const addProject = (slug: string, characters: number, animations: number, frames: number) => {
    const [projectId, animationIds] = [random.uuid(), [] as string[]];
    rows.projects.push([projectId, slug, `Project ${slug}`, `Seeded project ${slug}`]);
    for (let c = 0; c < characters; c++) {
      rows.characters.push([random.uuid(), projectId, `character-${c}`]);
      for (let a = 0; a < animations; a++) {
        animationIds.push(random.uuid());
        rows.animations.push([animationIds.at(-1), rows.characters.at(-1)![0], `animation-${a}`, 8 + random.int(17)]);
        if (slug !== "writes") fixture.animations.push({ slug, character: `character-${c}`, name: `animation-${a}` });
        for (let i = 0; i < frames; i++) {
          const [size, durationMs] = [16 * (1 + random.int(4)), random.next() < 0.3 ? 50 + random.int(200) : null];
          rows.frames.push([random.uuid(), animationIds.at(-1), i, `/assets/${slug}/c${c}/a${a}/${i}.png`, size, size, durationMs]);
        }
      }
    }
    return { projectId, animationIds };
  };
  for (let p = 0; p < shape.projects; p++) {
    fixture.projectIds.push(addProject(`p-${p}`, shape.charactersPerProject, shape.animationsPerCharacter, shape.framesPerAnimation).projectId);
    fixture.slugs.push(`p-${p}`);
  }
  [fixture.writeAnimationIds, fixture.frames] = [addProject("writes", 1, 64, 0).animationIds, rows.frames.length];
  await insert(pool, "projects", "id uuid, slug text, name text, description text", rows.projects);
  await insert(pool, "characters", "id uuid, project_id uuid, name text", rows.characters);
  await insert(pool, "animations", "id uuid, character_id uuid, name text, fps int", rows.animations);
  await insert(pool, "frames", "id uuid, animation_id uuid, index int, image text, width int, height int, duration_ms int", rows.frames);
  await pool.query("vacuum analyze");
  return fixture;
}

/** A seeded generator (mulberry32: tiny, fast, good enough to spread ids and sizes): the same data set every run. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  const uuid = () => {
    const hex = Array.from({ length: 16 }, (_, i) => (i === 6 ? (int(256) & 0x0f) | 0x40 : i === 8 ? (int(256) & 0x3f) | 0x80 : int(256)).toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  return { next, int, uuid };
}

/** The growth section's projects are all alike, so a read of one returns as much at every size. */
export const FRAMES_PER_PROJECT = 2 * 4 * 5;

// Time-ordered ids, as uuid(7) makes them (`0000000<table>-0000-7000-8000-<n>`): each bulk insert appends to its indexes.
const id = (table: number, n: string) => `('0000000${table}-0000-7000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
const [CHARACTER, ANIMATION, FRAME] = ["p * 2 + c", "(p * 2 + c) * 4 + a", "((p * 2 + c) * 4 + a) * 5 + i"];

/**
 * Adds projects `from` to `to` - 1 (slugs g-<n>), each 2 characters × 4 animations × 5 frames, 200,000 frames per
 * statement at most, in one query (one transaction) that drops the foreign keys and adds them back, as "Populating a
 * Database" advises: checked once as a join, not row by row, which halves the time. Triggers stay on.
 */
export async function grow(pool: pg.Pool, from: number, to: number) {
  const { rows: keys } = await pool.query(
    `select conrelid::regclass as table, conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
     where contype = 'f' and conrelid in ('characters'::regclass, 'animations'::regclass, 'frames'::regclass)`,
  );
  const statements = [...keys.map((key) => `alter table ${key.table} drop constraint "${key.name}"`)];
  for (let start = from; start < to; start += 5_000) {
    const p = `generate_series(${start}, ${Math.min(to, start + 5_000) - 1}) p`;
    statements.push(
      `insert into projects (id, slug, name, description, updated_at) select ${id(1, "p")}, 'g-' || p, 'Project g-' || p, 'Seeded project g-' || p, now() from ${p}`,
      `insert into characters (id, project_id, name, updated_at) select ${id(2, CHARACTER)}, ${id(1, "p")}, 'character-' || c, now() from ${p}, generate_series(0, 1) c`,
      `insert into animations (id, character_id, name, fps, updated_at)
       select ${id(3, ANIMATION)}, ${id(2, CHARACTER)}, 'animation-' || a, 8 + (p + a) % 17, now() from ${p}, generate_series(0, 1) c, generate_series(0, 3) a`,
      `insert into frames (id, animation_id, index, image, width, height, duration_ms, updated_at)
       select ${id(4, FRAME)}, ${id(3, ANIMATION)}, i, '/assets/g-' || p || '/c' || c || '/a' || a || '/' || i || '.png', 16 * (1 + (p + i) % 4),
         16 * (1 + (p + i) % 4), case when (p + i) % 10 < 3 then 50 + (p * 7 + i) % 200 end, now()
       from ${p}, generate_series(0, 1) c, generate_series(0, 3) a, generate_series(0, 4) i`,
    );
  }
  await pool.query([...statements, ...keys.map((key) => `alter table ${key.table} add constraint "${key.name}" ${key.definition}`)].join(";\n"));
  await pool.query("vacuum analyze projects, characters, animations, frames");
}

/**
 * Arguments spread over the whole table: `count` projects at even steps, their slugs and animations. Each has 20
 * projects before it, so that a page of the list from it is full at every size.
 */
export async function growthFixture(pool: pg.Pool, projects: number, count: number): Promise<Fixture> {
  const first = Math.min(20, projects - 1);
  const slugs = [...new Set(Array.from({ length: count }, (_, i) => `g-${first + Math.floor((i * (projects - first)) / count)}`))];
  const { rows } = await pool.query("select id from projects where slug = any($1) order by slug", [slugs]);
  const animations = slugs.flatMap((slug) => [0, 1].flatMap((c) => [0, 1, 2, 3].map((a) => ({ slug, character: `character-${c}`, name: `animation-${a}` }))));
  return { projectIds: rows.map((row) => row.id), slugs, animations, writeAnimationIds: [], frames: projects * FRAMES_PER_PROJECT };
}
