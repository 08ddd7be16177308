// The floor: the app's operations in hand-written SQL on a bare `pg` pool, one round trip wherever SQL allows (nested
// reads as json_agg). Each function mirrors the one of the same name in lib/projects or lib/frames, answer for answer.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { FrameAppend, ProjectInput, ProjectPatch } from "@/lib/api/schemas";
import type { AnimationAddress } from "./database";

const PROJECT = `p.id, p.slug, p.name, p.description, p.created_at as "createdAt", p.updated_at as "updatedAt"`;
const FRAME = `'id', f.id, 'animationId', f.animation_id, 'index', f.index, 'image', f.image, 'width', f.width, 'height', f.height,
  'durationMs', f.duration_ms, 'createdAt', f.created_at, 'updatedAt', f.updated_at`;
const FRAME_COUNT = "(select count(*) from frames f where f.animation_id = a.id)";

// A project's characters and animations by name, with what each level adds.
const tree = (character: string, animation: string) => `coalesce((
    select json_agg(json_build_object('id', c.id, ${character} 'name', c.name, 'createdAt', c.created_at, 'updatedAt', c.updated_at,
      'animations', coalesce((
        select json_agg(json_build_object('id', a.id, 'name', a.name, 'fps', a.fps, 'loop', a.loop,
          'createdAt', a.created_at, 'updatedAt', a.updated_at, ${animation}) order by a.name)
        from animations a where a.character_id = c.id), '[]')) order by c.name)
    from characters c where c.project_id = p.id), '[]') as characters`;
// findProject's: each animation's frame count.
const TREE = tree("", `'frameCount', ${FRAME_COUNT}`);
// findProjectPage's: the rows as Prisma returns them, each animation's first frame and frame count.
const PAGE_TREE = tree("'projectId', c.project_id,", `'characterId', a.character_id, '_count', json_build_object('frames', ${FRAME_COUNT}),
  'frames', coalesce((select json_agg(json_build_object(${FRAME})) from (select * from frames where animation_id = a.id order by index limit 1) f), '[]')`);
const FIND_PROJECT = `select ${PROJECT}, ${TREE} from projects p where p.id = $1`;

export const findProject = async (pool: pg.Pool | pg.PoolClient, id: string) => (await pool.query(FIND_PROJECT, [id])).rows[0] ?? null;

export async function listProjects(pool: pg.Pool, { limit, cursor }: { limit: number; cursor?: string }) {
  const { rows } = await pool.query(
    `select ${PROJECT}, (select count(*)::int from characters c where c.project_id = p.id) as "characterCount"
     from projects p where $2::uuid is null or p.id <= $2::uuid order by p.id desc limit $1`,
    [limit + 1, cursor ?? null],
  );
  return { projects: rows.slice(0, limit), nextCursor: rows.length > limit ? rows[limit].id : null };
}

export const listProjectsByName = async (pool: pg.Pool) =>
  (await pool.query(`select p.id, p.slug, p.name, (select count(*) from characters c where c.project_id = p.id)::int as "characterCount"
     from projects p order by p.name`)).rows;

export const findProjectPage = async (pool: pg.Pool, slug: string) =>
  (await pool.query(`select ${PROJECT}, ${PAGE_TREE} from projects p where p.slug = $1`, [slug])).rows[0] ?? null;

export async function findAnimationPage(pool: pg.Pool, { slug, character, name }: AnimationAddress) {
  const { rows } = await pool.query(
    `select a.id, a.character_id as "characterId", a.name, a.fps, a.loop, a.created_at as "createdAt", a.updated_at as "updatedAt",
       coalesce((select json_agg(json_build_object('index', f.index, 'image', f.image, 'width', f.width, 'height', f.height,
         'durationMs', f.duration_ms) order by f.index) from frames f where f.animation_id = a.id), '[]') as frames,
       json_build_object('name', c.name, 'project', json_build_object('slug', p.slug, 'name', p.name)) as character
     from animations a join characters c on c.id = a.character_id join projects p on p.id = c.project_id
     where p.slug = $1 and c.name = $2 and a.name = $3 limit 1`,
    [slug, character, name],
  );
  return rows[0] ?? null;
}

export const createProject = (pool: pg.Pool, project: ProjectInput) =>
  inTransaction(pool, async (client) => {
    const rows = plan(project);
    await insert(client, "projects", "id uuid, slug text, name text, description text", [[rows.id, project.slug, project.name, project.description ?? ""]]);
    await insert(client, "characters", "id uuid, project_id uuid, name text", rows.characters.map((c) => [c.id, c.projectId, c.name]));
    await insert(client, "animations", "id uuid, character_id uuid, name text, fps int, loop bool", rows.animations.map((a) => [a.id, a.characterId, a.name, a.fps, a.loop]));
    const frameColumns = "id uuid, animation_id uuid, index int, image text, width int, height int, duration_ms int";
    await insert(client, "frames", frameColumns, rows.frames.map((f) => [f.id, f.animationId, f.index, f.image, f.width, f.height, f.durationMs]));
    return findProject(client, rows.id);
  });

export async function updateProject(pool: pg.Pool, id: string, { slug, name, description }: ProjectPatch) {
  const update = "update projects set slug = coalesce($2, slug), name = coalesce($3, name), description = coalesce($4, description), updated_at = now()";
  return (await pool.query(`with p as (${update} where id = $1 returning *) select ${PROJECT}, ${TREE} from p`, [id, slug ?? null, name ?? null, description ?? null])).rows[0];
}

export const deleteProject = async (pool: pg.Pool, id: string) => void (await pool.query("delete from projects where id = $1", [id]));

export const appendFrame = (pool: pg.Pool, animationId: string, frame: FrameAppend) =>
  inTransaction(pool, async (client) => {
    if ((await client.query("select id from animations where id = $1 for update", [animationId])).rowCount === 0) return null;
    const { rows } = await client.query("select max(index) as last from frames where animation_id = $1", [animationId]);
    const { rows: created } = await client.query(
      `insert into frames (id, animation_id, index, image, width, height, duration_ms, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, now())
       returning id, animation_id as "animationId", index, image, width, height, duration_ms as "durationMs", created_at as "createdAt", updated_at as "updatedAt"`,
      [randomUUID(), animationId, (rows[0].last ?? -1) + 1, frame.image, frame.width, frame.height, frame.durationMs ?? null],
    );
    return created[0];
  });

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>) {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const result = await work(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
}

/** Ids and defaults for every row of a nested create, parents first: what a hand-written insert has to do. */
export function plan({ characters = [] }: ProjectInput) {
  const id = randomUUID();
  const tree = characters.map(({ name, animations = [] }) => ({ id: randomUUID(), projectId: id, name, animations }));
  const animations = tree.flatMap((c) => c.animations.map(({ name, fps = 12, loop = true, frames = [] }) => ({ id: randomUUID(), characterId: c.id, name, fps, loop, frames })));
  const frames = animations.flatMap((a) => a.frames.map(({ durationMs = null, ...frame }) => ({ id: randomUUID(), animationId: a.id, ...frame, durationMs })));
  return { id, characters: tree.map(({ animations: _, ...c }) => c), animations: animations.map(({ frames: _, ...a }) => a), frames };
}

/** Bulk insert as one statement per 5,000 rows, one array parameter per column: `columns` is "name type, …". */
export async function insert(db: pg.Pool | pg.PoolClient, table: string, columns: string, rows: unknown[][]) {
  const [names, types] = [0, 1].map((part) => columns.split(", ").map((column) => column.split(" ")[part]!));
  for (let start = 0; start < rows.length; start += 5_000) {
    const chunk = rows.slice(start, start + 5_000);
    const unnest = types!.map((type, i) => `$${i + 1}::${type}[]`);
    await db.query(`insert into ${table} (${names}, updated_at) select *, now() from unnest(${unnest})`, names!.map((_, i) => chunk.map((row) => row[i])));
  }
}
