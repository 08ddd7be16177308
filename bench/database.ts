// The benchmark's own database on the chosen server: created and migrated for the run, seeded to a fixed shape from
// a fixed seed, dropped at the end. The user's own data is never touched.
import type pg from "pg";
import { createDatabase, databaseUrl, deployMigrations, type TestDatabase } from "../scripts/support/postgres-admin";
import { seededRandom } from "./random";

export type Shape = { projects: number; charactersPerProject: number; animationsPerCharacter: number; framesPerAnimation: number };

/** An animation as the app addresses it on its pages. */
export type AnimationAddress = { slug: string; character: string; name: string };

/** What the queries pick their arguments from. */
export type Fixture = {
  projectIds: string[];
  animations: AnimationAddress[];
  /** Animations of a project no read touches: the frame appends go to them. */
  writeAnimationIds: string[];
  frames: number;
};

export async function createBenchDatabase(serverUrl: string): Promise<TestDatabase> {
  const database = await createDatabase(databaseUrl(serverUrl, "postgres"), "bench");
  try {
    deployMigrations(database.url);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

const WRITE_ANIMATIONS = 64;
const CHUNK = 5_000;

export async function seed(pool: pg.Pool, shape: Shape, seedValue: number): Promise<Fixture> {
  const random = seededRandom(seedValue);
  await pool.query("truncate projects cascade");
  const projects: unknown[][] = [];
  const characters: unknown[][] = [];
  const animations: unknown[][] = [];
  const frames: unknown[][] = [];
  const fixture: Fixture = { projectIds: [], animations: [], writeAnimationIds: [], frames: 0 };

  const addProject = (slug: string, charactersPerProject: number, animationsPerCharacter: number, framesPerAnimation: number) => {
    const projectId = random.uuid();
    projects.push([projectId, slug, `Project ${slug}`, `Seeded project ${slug}`]);
    const animationIds: string[] = [];
    const addresses: AnimationAddress[] = [];
    for (let c = 0; c < charactersPerProject; c++) {
      const characterId = random.uuid();
      characters.push([characterId, projectId, `character-${c}`]);
      for (let a = 0; a < animationsPerCharacter; a++) {
        const animationId = random.uuid();
        animationIds.push(animationId);
        addresses.push({ slug, character: `character-${c}`, name: `animation-${a}` });
        animations.push([animationId, characterId, `animation-${a}`, 8 + random.int(17)]);
        for (let i = 0; i < framesPerAnimation; i++) {
          const size = 16 * (1 + random.int(4));
          const durationMs = random.next() < 0.3 ? 50 + random.int(200) : null;
          frames.push([random.uuid(), animationId, i, `/assets/${slug}/c${c}/a${a}/${i}.png`, size, size, durationMs]);
        }
      }
    }
    return { projectId, animationIds, addresses };
  };

  for (let p = 0; p < shape.projects; p++) {
    const { projectId, addresses } = addProject(
      `p-${p}`,
      shape.charactersPerProject,
      shape.animationsPerCharacter,
      shape.framesPerAnimation,
    );
    fixture.projectIds.push(projectId);
    fixture.animations.push(...addresses);
  }
  fixture.writeAnimationIds = addProject("writes", 1, WRITE_ANIMATIONS, 0).animationIds;
  fixture.frames = frames.length;

  await insert(pool, "projects", ["id", "slug", "name", "description"], ["uuid", "text", "text", "text"], projects);
  await insert(pool, "characters", ["id", "project_id", "name"], ["uuid", "uuid", "text"], characters);
  await insert(pool, "animations", ["id", "character_id", "name", "fps"], ["uuid", "uuid", "text", "int"], animations);
  await insert(
    pool,
    "frames",
    ["id", "animation_id", "index", "image", "width", "height", "duration_ms"],
    ["uuid", "uuid", "int", "text", "int", "int", "int"],
    frames,
  );
  await pool.query("vacuum analyze");
  return fixture;
}

/** Bulk insert as one statement per chunk: one array parameter per column. */
export async function insert(pool: pg.Pool, table: string, columns: string[], types: string[], rows: unknown[][]) {
  const list = columns.map((c) => `"${c}"`).join(", ");
  const unnest = types.map((t, i) => `$${i + 1}::${t}[]`).join(", ");
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const values = columns.map((_, i) => chunk.map((row) => row[i]));
    await pool.query(`insert into "${table}" (${list}, updated_at) select *, now() from unnest(${unnest})`, values);
  }
}
