// The benchmark's own database on the chosen server: created and migrated for the run, dropped at the end; the
// user's own data is never touched. Its data sets are grown in SQL with generate_series, so that ten million frames
// take a minute, not an hour: the query level's, and the growth section's, size by size.
import type pg from "pg";
import { createDatabase, databaseUrl, deployMigrations, type TestDatabase } from "../scripts/support/postgres-admin";

export type Shape = { projects: number; charactersPerProject: number; animationsPerCharacter: number; framesPerAnimation: number };
/** An animation as the app addresses it on its pages. */
export type AnimationAddress = { slug: string; character: string; name: string };
/** What the operations pick their arguments from; the frame appends go to the animations of a project no read touches. */
export type Fixture = { projectIds: string[]; slugs: string[]; animations: AnimationAddress[]; writeAnimationIds: string[] };

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

/** The query level's data set: `shape`'s projects, every one read, and a project of 64 empty animations for the appends. */
export async function seed(pool: pg.Pool, shape: Shape): Promise<Fixture> {
  await pool.query("truncate projects cascade");
  const { rows } = await pool.query(
    `with p as (insert into projects (id, slug, name, updated_at) values (gen_random_uuid(), 'writes', 'Project writes', now()) returning id),
       c as (insert into characters (id, project_id, name, updated_at) select gen_random_uuid(), id, 'character-0', now() from p returning id)
     insert into animations (id, character_id, name, updated_at) select gen_random_uuid(), c.id, 'animation-' || a, now() from c, generate_series(0, 63) a
     returning id`,
  );
  await grow(pool, 0, shape.projects, shape);
  return { ...(await fixture(pool, shape, shape.projects, 0)), writeAnimationIds: rows.map((row) => row.id) };
}

/** The growth section's projects are all alike, so a read of one returns as much at every size. */
export const GROWTH_SHAPE = { charactersPerProject: 2, animationsPerCharacter: 4, framesPerAnimation: 5 };
export const FRAMES_PER_PROJECT = Object.values(GROWTH_SHAPE).reduce((product, n) => product * n);
// Time-ordered ids, as uuid(7) makes them (`0000000<table>-0000-7000-8000-<n>`): each bulk insert appends to its indexes.
const id = (table: number, n: string) => `('0000000${table}-0000-7000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;

/**
 * Adds projects `from` to `to` - 1 (slugs g-<n>) of `shape`, 5,000 projects per statement, in one query (one
 * transaction) that drops the foreign keys and adds them back, as "Populating a Database" advises: checked once as a
 * join, not row by row, which halves the time. Triggers stay on.
 */
export async function grow(pool: pg.Pool, from: number, to: number, shape: Omit<Shape, "projects"> = GROWTH_SHAPE) {
  const { charactersPerProject: characters, animationsPerCharacter: animations, framesPerAnimation: frames } = shape;
  const [character, animation] = [`p * ${characters} + c`, `(p * ${characters} + c) * ${animations} + a`];
  const [c, a, i] = [`generate_series(0, ${characters - 1}) c`, `generate_series(0, ${animations - 1}) a`, `generate_series(0, ${frames - 1}) i`];
  const { rows: keys } = await pool.query(
    `select conrelid::regclass as table, conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
     where contype = 'f' and conrelid in ('characters'::regclass, 'animations'::regclass, 'frames'::regclass)`,
  );
  const statements = [...keys.map((key) => `alter table ${key.table} drop constraint "${key.name}"`)];
  for (let start = from; start < to; start += 5_000) {
    const p = `generate_series(${start}, ${Math.min(to, start + 5_000) - 1}) p`;
    statements.push(
      `insert into projects (id, slug, name, description, updated_at) select ${id(1, "p")}, 'g-' || p, 'Project g-' || p, 'Seeded project g-' || p, now() from ${p}`,
      `insert into characters (id, project_id, name, updated_at) select ${id(2, character)}, ${id(1, "p")}, 'character-' || c, now() from ${p}, ${c}`,
      `insert into animations (id, character_id, name, fps, updated_at)
       select ${id(3, animation)}, ${id(2, character)}, 'animation-' || a, 8 + (p + a) % 17, now() from ${p}, ${c}, ${a}`,
      `insert into frames (id, animation_id, index, image, width, height, duration_ms, updated_at)
       select ${id(4, `(${animation}) * ${frames} + i`)}, ${id(3, animation)}, i, '/assets/g-' || p || '/c' || c || '/a' || a || '/' || i || '.png',
         16 * (1 + (p + i) % 4), 16 * (1 + (p + i) % 4), case when (p + i) % 10 < 3 then 50 + (p * 7 + i) % 200 end, now()
       from ${p}, ${c}, ${a}, ${i}`,
    );
  }
  await pool.query([...statements, ...keys.map((key) => `alter table ${key.table} add constraint "${key.name}" ${key.definition}`)].join(";\n"));
  await pool.query("vacuum analyze projects, characters, animations, frames");
}

/**
 * Arguments: `count` of `shape`'s projects at even steps from project `first` on, their slugs and animations. The
 * growth section's each have 20 projects before them, so that a page of the list from one is full at every size.
 */
export async function fixture(pool: pg.Pool, shape: Shape, count: number, first = Math.min(20, shape.projects - 1)): Promise<Fixture> {
  const slugs = [...new Set(Array.from({ length: count }, (_, i) => `g-${first + Math.floor((i * (shape.projects - first)) / count)}`))];
  const { rows } = await pool.query("select id from projects where slug = any($1) order by slug", [slugs]);
  const [characters, animations] = [shape.charactersPerProject, shape.animationsPerCharacter].map((n) => Array.from({ length: n }, (_, i) => i));
  const addresses = slugs.flatMap((slug) => characters!.flatMap((c) => animations!.map((a) => ({ slug, character: `character-${c}`, name: `animation-${a}` }))));
  return { projectIds: rows.map((row) => row.id), slugs, animations: addresses, writeAnimationIds: [] };
}
