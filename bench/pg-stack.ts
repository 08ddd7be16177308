// The floor: the app's operations in hand-written SQL on a bare `pg` pool, one round trip wherever SQL allows (nested
// reads as json_agg). Each function mirrors the one of the same name in lib/projects or lib/frames, answer for answer:
// the same pages (PAGE_SIZE), the same stored frame counts, the same first frame as a thumbnail.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { FrameAppend, ProjectInput, ProjectPatch } from "@/lib/api/schemas";
import { PAGE_SIZE } from "@/lib/projects/rules";
import type { AnimationAddress } from "./database";

const PROJECT = `p.id, p.slug, p.name, p.description, p.created_at as "createdAt", p.updated_at as "updatedAt"`;
const CHARACTER_COUNT = `(select count(*)::int from characters c where c.project_id = p.id) as "characterCount"`;
// A page of a project's characters (one more than shown), each with the first page of its animations.
const TREE = `${CHARACTER_COUNT}, coalesce((
    select json_agg(json_build_object('id', c.id, 'name', c.name, 'createdAt', c.created_at, 'updatedAt', c.updated_at,
      'animationCount', (select count(*)::int from animations a where a.character_id = c.id),
      'animations', coalesce((
        select json_agg(json_build_object('id', a.id, 'name', a.name, 'fps', a.fps, 'loop', a.loop, 'frameCount', a.frame_count,
          'createdAt', a.created_at, 'updatedAt', a.updated_at,
          'thumbnail', (select f.image from frames f where f.animation_id = a.id order by f.index limit 1)) order by a.name)
        from (select * from animations a where a.character_id = c.id order by a.name limit ${PAGE_SIZE.animations + 1}) a), '[]')) order by c.name)
    from (select * from characters c where c.project_id = p.id and ($2::text is null or c.name > $2) order by c.name limit ${PAGE_SIZE.characters + 1}) c), '[]') as characters`;

/** A page of frames, from one more than it shows: the next page starts at that one's index. */
export const framePage = <F extends { index: number }>(frames: F[]) =>
  frames.length > PAGE_SIZE.frames ? { frames: frames.slice(0, PAGE_SIZE.frames), nextFrom: frames[PAGE_SIZE.frames]!.index } : { frames, nextFrom: null };
/** What lib/projects' page() does: one more row than the page shows tells whether another follows. */
export function paged<T>(rows: T[], size: number, cursorOf: (row: T) => string) {
  return rows.length > size ? { items: rows.slice(0, size), nextCursor: cursorOf(rows[size - 1]!) } : { items: rows, nextCursor: null };
}

type Tree = { characters: { name: string; animations: { name: string }[] }[] };
/** A tree read with one extra character and animation per level, as the app answers it. */
export function shapeTree<P extends Tree>(project: P | null | undefined) {
  if (!project) return null;
  const { items, nextCursor } = paged(project.characters, PAGE_SIZE.characters, (c) => c.name);
  const characters = items.map((c) => {
    const animations = paged(c.animations, PAGE_SIZE.animations, (a) => a.name);
    return { ...c, animations: animations.items, nextCursor: animations.nextCursor };
  });
  return { ...project, characters, nextCursor };
}

type Db = pg.Pool | pg.PoolClient;
type Cursor = { cursor?: string };
const findTree = async (db: Db, where: "id" | "slug", value: string, cursor?: string) =>
  shapeTree((await db.query(`select ${PROJECT}, ${TREE} from projects p where p.${where} = $1`, [value, cursor ?? null])).rows[0]);
export const findProject = (db: Db, id: string, { cursor }: Cursor = {}) => findTree(db, "id", id, cursor);
export const findProjectPage = (db: Db, slug: string, { cursor }: Cursor = {}) => findTree(db, "slug", slug, cursor);

export async function listProjects(db: Db, { limit, cursor }: { limit: number; cursor?: string }) {
  const query = `select ${PROJECT}, ${CHARACTER_COUNT} from projects p where $2::uuid is null or p.id < $2::uuid order by p.id desc limit $1`;
  const { items, nextCursor } = paged((await db.query(query, [limit + 1, cursor ?? null])).rows, limit, (row) => row.id);
  return { projects: items, nextCursor };
}

export async function listProjectsByName(db: Db) {
  const query = `select p.id, p.slug, p.name, ${CHARACTER_COUNT} from projects p order by p.name, p.id limit $1`;
  return paged((await db.query(query, [PAGE_SIZE.projects + 1])).rows, PAGE_SIZE.projects, (row) => `${row.id}.${row.name}`);
}

export async function findAnimationPage(db: Db, { slug, character, name }: AnimationAddress) {
  const { rows } = await db.query(
    `select a.id, a.character_id as "characterId", a.name, a.fps, a.loop, a.frame_count as "frameCount", a.created_at as "createdAt", a.updated_at as "updatedAt",
       coalesce((select json_agg(json_build_object('index', f.index, 'image', f.image, 'width', f.width, 'height', f.height,
         'durationMs', f.duration_ms) order by f.index) from (select * from frames f where f.animation_id = a.id order by f.index limit $4) f), '[]') as frames,
       json_build_object('name', c.name, 'project', json_build_object('slug', p.slug, 'name', p.name)) as character
     from animations a join characters c on c.id = a.character_id join projects p on p.id = c.project_id
     where p.slug = $1 and c.name = $2 and a.name = $3 limit 1`,
    [slug, character, name, PAGE_SIZE.frames + 1],
  );
  return rows[0] ? { ...rows[0], ...framePage(rows[0].frames) } : null;
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

export async function updateProject(db: Db, id: string, { slug, name, description }: ProjectPatch) {
  const { rows } = await db.query(
    `update projects p set slug = coalesce($2, slug), name = coalesce($3, name), description = coalesce($4, description), updated_at = now()
     where id = $1 returning ${PROJECT}`,
    [id, slug ?? null, name ?? null, description ?? null],
  );
  return rows[0];
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

/** Bulk insert as one statement, one array parameter per column: `columns` is "name type, …". */
export async function insert(db: Db, table: string, columns: string, rows: unknown[][]) {
  const [names, types] = [0, 1].map((part) => columns.split(", ").map((column) => column.split(" ")[part]!));
  const unnest = types!.map((type, i) => `$${i + 1}::${type}[]`);
  await db.query(`insert into ${table} (${names}, updated_at) select *, now() from unnest(${unnest})`, names!.map((_, i) => rows.map((row) => row[i])));
}
