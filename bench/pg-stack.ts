// The floor: the app's operations in hand-written SQL on a bare `pg` pool, one round trip wherever SQL allows.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { ProjectInput } from "@/lib/api/schemas";
import { appPool } from "./pool";
import type { Operations, Stack } from "./stacks";

const PROJECT = `p.id, p.slug, p.name, p.description, p.created_at as "createdAt", p.updated_at as "updatedAt"`;
const FRAME = `id, animation_id as "animationId", index, image, width, height, duration_ms as "durationMs",
  created_at as "createdAt", updated_at as "updatedAt"`;

// findProject's answer: the project, its characters and animations by name, each animation's frame count.
const TREE = `coalesce((
    select json_agg(json_build_object('id', c.id, 'name', c.name, 'createdAt', c.created_at, 'updatedAt', c.updated_at,
      'animations', coalesce((
        select json_agg(json_build_object('id', a.id, 'name', a.name, 'fps', a.fps, 'loop', a.loop,
          'createdAt', a.created_at, 'updatedAt', a.updated_at,
          'frameCount', (select count(*) from frames f where f.animation_id = a.id)) order by a.name)
        from animations a where a.character_id = c.id), '[]')) order by c.name)
    from characters c where c.project_id = p.id), '[]') as characters`;

const FIND_PROJECT = `select ${PROJECT}, ${TREE} from projects p where p.id = $1`;

const UPDATE_PROJECT = `
  with p as (
    update projects set slug = coalesce($2, slug), name = coalesce($3, name), description = coalesce($4, description),
      updated_at = now()
    where id = $1 returning *)
  select ${PROJECT}, ${TREE} from p`;

const LIST_PROJECTS = `
  select ${PROJECT}, (select count(*)::int from characters c where c.project_id = p.id) as "characterCount"
  from projects p
  where $2::uuid is null or p.id <= $2::uuid
  order by p.id desc
  limit $1`;

const ANIMATION_PAGE = `
  select a.id, a.character_id as "characterId", a.name, a.fps, a.loop, a.created_at as "createdAt", a.updated_at as "updatedAt",
    coalesce((
      select json_agg(json_build_object('index', f.index, 'image', f.image, 'width', f.width, 'height', f.height,
        'durationMs', f.duration_ms) order by f.index)
      from frames f where f.animation_id = a.id), '[]') as frames,
    json_build_object('name', c.name, 'project', json_build_object('slug', p.slug, 'name', p.name)) as character
  from animations a join characters c on c.id = a.character_id join projects p on p.id = c.project_id
  where p.slug = $1 and c.name = $2 and a.name = $3
  limit 1`;

export function pgStack(url: string): Stack {
  const pool = appPool(url);
  const inTransaction = async <T>(work: (client: pg.PoolClient) => Promise<T>) => {
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
  };
  const operations: Operations = {
    findProject: async (id) => (await pool.query(FIND_PROJECT, [id])).rows[0] ?? null,
    listProjects: async ({ limit, cursor }) => {
      const { rows } = await pool.query(LIST_PROJECTS, [limit + 1, cursor ?? null]);
      return { projects: rows.slice(0, limit), nextCursor: rows.length > limit ? rows[limit].id : null };
    },
    findAnimationPage: async ({ slug, character, name }) => (await pool.query(ANIMATION_PAGE, [slug, character, name])).rows[0] ?? null,
    createProject: (project) =>
      inTransaction(async (client) => {
        const rows = plan(project);
        await client.query("insert into projects (id, slug, name, description, updated_at) values ($1, $2, $3, $4, now())", [
          rows.id,
          project.slug,
          project.name,
          project.description ?? "",
        ]);
        await client.query(
          "insert into characters (id, project_id, name, updated_at) select *, now() from unnest($1::uuid[], $2::uuid[], $3::text[])",
          columns(rows.characters, ["id", "projectId", "name"]),
        );
        await client.query(
          `insert into animations (id, character_id, name, fps, loop, updated_at)
           select *, now() from unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::bool[])`,
          columns(rows.animations, ["id", "characterId", "name", "fps", "loop"]),
        );
        await client.query(
          `insert into frames (id, animation_id, index, image, width, height, duration_ms, updated_at)
           select *, now() from unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::int[], $6::int[], $7::int[])`,
          columns(rows.frames, ["id", "animationId", "index", "image", "width", "height", "durationMs"]),
        );
        return (await client.query(FIND_PROJECT, [rows.id])).rows[0];
      }),
    updateProject: async (id, { slug, name, description }) =>
      (await pool.query(UPDATE_PROJECT, [id, slug ?? null, name ?? null, description ?? null])).rows[0],
    deleteProject: async (id) => {
      await pool.query("delete from projects where id = $1", [id]);
    },
    appendFrame: (animationId, frame) =>
      inTransaction(async (client) => {
        const locked = await client.query("select id from animations where id = $1 for update", [animationId]);
        if (locked.rowCount === 0) return null;
        const { rows } = await client.query("select max(index) as last from frames where animation_id = $1", [animationId]);
        const { rows: created } = await client.query(
          `insert into frames (id, animation_id, index, image, width, height, duration_ms, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, now()) returning ${FRAME}`,
          [randomUUID(), animationId, (rows[0].last ?? -1) + 1, frame.image, frame.width, frame.height, frame.durationMs ?? null],
        );
        return created[0];
      }),
  };
  return { name: "pg", operations, close: () => pool.end() };
}

/** Ids and defaults for every row of a nested create, parents first: what a hand-written insert has to do. */
export function plan({ characters = [] }: ProjectInput) {
  const id = randomUUID();
  const rows = {
    id,
    characters: [] as { id: string; projectId: string; name: string }[],
    animations: [] as { id: string; characterId: string; name: string; fps: number; loop: boolean }[],
    frames: [] as { id: string; animationId: string; index: number; image: string; width: number; height: number; durationMs: number | null }[],
  };
  for (const { name, animations = [] } of characters) {
    const characterId = randomUUID();
    rows.characters.push({ id: characterId, projectId: id, name });
    for (const { name, fps = 12, loop = true, frames = [] } of animations) {
      const animationId = randomUUID();
      rows.animations.push({ id: animationId, characterId, name, fps, loop });
      for (const { durationMs = null, ...frame } of frames) rows.frames.push({ id: randomUUID(), animationId, ...frame, durationMs });
    }
  }
  return rows;
}

/** One array per column, for an insert from unnest(). */
const columns = <T extends object>(rows: T[], keys: (keyof T)[]) => keys.map((key) => rows.map((row) => row[key]));
