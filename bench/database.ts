// The benchmark's own database on the chosen server: created and migrated for the run, seeded to a fixed shape from
// a fixed seed, dropped at the end. The user's own data is never touched.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { seededRandom } from "./random";

export type Shape = { projects: number; charactersPerProject: number; animationsPerCharacter: number; framesPerAnimation: number };

/** What the queries pick their arguments from. */
export type Fixture = {
  projectIds: string[];
  animationIds: string[];
  /** Animations of a project no read touches: the transaction appends frames to them. */
  writeAnimationIds: string[];
  frames: number;
};

export type BenchDatabase = { name: string; url: string; drop: () => Promise<void> };

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(4).toString("hex")}`;
  const url = withDatabase(serverUrl, name);
  await admin(serverUrl, (client) => client.query(`create database "${name}"`));
  const drop = () => admin(serverUrl, (client) => client.query(`drop database if exists "${name}" with (force)`)).then(() => {});
  try {
    execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: url }, stdio: "pipe" });
  } catch (error) {
    await drop();
    throw new Error(`prisma migrate deploy failed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? error}`);
  }
  return { name, url, drop };
}

export function withDatabase(url: string, database: string) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(url: string, run: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
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
  const fixture: Fixture = { projectIds: [], animationIds: [], writeAnimationIds: [], frames: 0 };

  const addProject = (slug: string, charactersPerProject: number, animationsPerCharacter: number, framesPerAnimation: number) => {
    const projectId = random.uuid();
    projects.push([projectId, slug, `Project ${slug}`, `Seeded project ${slug}`]);
    const animationIds: string[] = [];
    for (let c = 0; c < charactersPerProject; c++) {
      const characterId = random.uuid();
      characters.push([characterId, projectId, `character-${c}`]);
      for (let a = 0; a < animationsPerCharacter; a++) {
        const animationId = random.uuid();
        animationIds.push(animationId);
        animations.push([animationId, characterId, `animation-${a}`, 8 + random.int(17)]);
        for (let i = 0; i < framesPerAnimation; i++) {
          const size = 16 * (1 + random.int(4));
          const durationMs = random.next() < 0.3 ? 50 + random.int(200) : null;
          frames.push([random.uuid(), animationId, i, `/assets/${slug}/c${c}/a${a}/${i}.png`, size, size, durationMs]);
        }
      }
    }
    return { projectId, animationIds };
  };

  for (let p = 0; p < shape.projects; p++) {
    const { projectId, animationIds } = addProject(
      `p-${p}`,
      shape.charactersPerProject,
      shape.animationsPerCharacter,
      shape.framesPerAnimation,
    );
    fixture.projectIds.push(projectId);
    fixture.animationIds.push(...animationIds);
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
