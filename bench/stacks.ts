// The same seven operations through each stack: this project's Prisma client, raw `pg` (the floor), Drizzle on `pg`.
// Each returns what its stack naturally returns for the operation; none does more work than the app would ask for.
import { createHash, randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { and, asc, desc, eq, isNull, max } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { PrismaClient } from "#db/client";
import * as schema from "./drizzle-schema";

export type NewFrame = { index: number; image: string; width: number; height: number };
export type NewProject = {
  slug: string;
  name: string;
  description: string;
  characters: { name: string; animations: { name: string; fps: number; frames: NewFrame[] }[] }[];
};
export type AppendedFrame = { image: string; width: number; height: number };

export type Operations = {
  pointRead: (id: string) => Promise<unknown>;
  list: (animationId: string) => Promise<unknown>;
  nestedRead: (id: string) => Promise<unknown>;
  nestedCreate: (project: NewProject) => Promise<unknown>;
  update: (id: string, description: string) => Promise<unknown>;
  remove: (id: string) => Promise<unknown>;
  transaction: (animationId: string, frame: AppendedFrame) => Promise<unknown>;
};

export type StackName = "pg" | "prisma" | "drizzle" | "prisma-prepared";
export type Stack = { name: StackName; operations: Operations; close: () => Promise<void> };

const LIST_LIMIT = 20;

export function prismaStack(prisma: PrismaClient, close: () => Promise<void>, name: StackName = "prisma"): Stack {
  const operations: Operations = {
    pointRead: (id) => prisma.project.findUnique({ where: { id } }),
    list: (animationId) =>
      prisma.frame.findMany({ where: { animationId, durationMs: null }, orderBy: { index: "desc" }, take: LIST_LIMIT }),
    nestedRead: (id) =>
      prisma.project.findUnique({
        where: { id },
        include: {
          characters: {
            orderBy: { name: "asc" },
            include: { animations: { orderBy: { name: "asc" }, include: { frames: { orderBy: { index: "asc" } } } } },
          },
        },
      }),
    nestedCreate: ({ characters, ...project }) =>
      prisma.project.create({
        data: {
          ...project,
          characters: {
            create: characters.map(({ animations, ...character }) => ({
              ...character,
              animations: { create: animations.map(({ frames, ...animation }) => ({ ...animation, frames: { create: frames } })) },
            })),
          },
        },
      }),
    update: (id, description) => prisma.project.update({ where: { id }, data: { description } }),
    remove: (id) => prisma.project.delete({ where: { id } }),
    // The app's own frame append (lib/api/frames.ts): lock the animation, read its last index, insert after it.
    transaction: (animationId, frame) =>
      prisma.$transaction(async (tx) => {
        await tx.$queryRaw`select id from animations where id = ${animationId}::uuid for update`;
        const { _max } = await tx.frame.aggregate({ where: { animationId }, _max: { index: true } });
        return tx.frame.create({ data: { ...frame, animationId, index: (_max.index ?? -1) + 1 } });
      }),
  };
  return { name, operations, close };
}

/**
 * The project's client with one change: named prepared statements, so PostgreSQL parses and plans each distinct
 * statement once per connection. Not the default, because PgBouncer in transaction mode before 1.21 (or without
 * max_prepared_statements) cannot carry them.
 */
export function preparedPrismaStack(pool: pg.Pool): Stack {
  const statementNameGenerator = ({ sql }: { sql: string }) => `p${createHash("sha1").update(sql).digest("hex").slice(0, 24)}`;
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator }), errorFormat: "minimal" });
  return prismaStack(prisma, async () => {
    await prisma.$disconnect();
    await pool.end();
  }, "prisma-prepared");
}

// One statement per level, as json: the fewest round trips a hand-written read can make.
const NESTED_READ_SQL = `
  select p.*, coalesce((
    select json_agg(json_build_object('id', c.id, 'projectId', c.project_id, 'name', c.name, 'createdAt', c.created_at,
      'updatedAt', c.updated_at, 'animations', coalesce((
        select json_agg(json_build_object('id', a.id, 'characterId', a.character_id, 'name', a.name, 'fps', a.fps,
          'loop', a.loop, 'createdAt', a.created_at, 'updatedAt', a.updated_at, 'frames', coalesce((
            select json_agg(f.* order by f.index) from frames f where f.animation_id = a.id), '[]'))
          order by a.name)
        from animations a where a.character_id = c.id), '[]'))
      order by c.name)
    from characters c where c.project_id = p.id), '[]') as characters
  from projects p where p.id = $1`;

export function pgStack(pool: pg.Pool): Stack {
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
    pointRead: async (id) => (await pool.query("select * from projects where id = $1", [id])).rows[0],
    list: async (animationId) =>
      (
        await pool.query(
          "select * from frames where animation_id = $1 and duration_ms is null order by index desc limit $2",
          [animationId, LIST_LIMIT],
        )
      ).rows,
    nestedRead: async (id) => (await pool.query(NESTED_READ_SQL, [id])).rows[0],
    nestedCreate: (project) =>
      inTransaction(async (client) => {
        const rows = plan(project);
        const { rows: created } = await client.query(
          "insert into projects (id, slug, name, description, updated_at) values ($1, $2, $3, $4, now()) returning *",
          [rows.project.id, project.slug, project.name, project.description],
        );
        await client.query(
          "insert into characters (id, project_id, name, updated_at) select *, now() from unnest($1::uuid[], $2::uuid[], $3::text[])",
          columns(rows.characters, 3),
        );
        await client.query(
          "insert into animations (id, character_id, name, fps, updated_at) select *, now() from unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[])",
          columns(rows.animations, 4),
        );
        await client.query(
          `insert into frames (id, animation_id, index, image, width, height, updated_at)
           select *, now() from unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::int[], $6::int[])`,
          columns(rows.frames, 6),
        );
        return created[0];
      }),
    update: async (id, description) =>
      (await pool.query("update projects set description = $2, updated_at = now() where id = $1 returning *", [id, description])).rows[0],
    remove: async (id) => (await pool.query("delete from projects where id = $1 returning *", [id])).rows[0],
    transaction: (animationId, frame) =>
      inTransaction(async (client) => {
        await client.query("select id from animations where id = $1 for update", [animationId]);
        const { rows } = await client.query("select max(index) as last from frames where animation_id = $1", [animationId]);
        const { rows: created } = await client.query(
          `insert into frames (id, animation_id, index, image, width, height, updated_at)
           values ($1, $2, $3, $4, $5, $6, now()) returning *`,
          [randomUUID(), animationId, (rows[0].last ?? -1) + 1, frame.image, frame.width, frame.height],
        );
        return created[0];
      }),
  };
  return { name: "pg", operations, close: () => pool.end() };
}

export function drizzleStack(pool: pg.Pool): Stack {
  const db = drizzle({ client: pool, schema });
  const { projects, characters, animations, frames } = schema;
  const operations: Operations = {
    pointRead: async (id) => (await db.select().from(projects).where(eq(projects.id, id)))[0],
    list: (animationId) =>
      db
        .select()
        .from(frames)
        .where(and(eq(frames.animationId, animationId), isNull(frames.durationMs)))
        .orderBy(desc(frames.index))
        .limit(LIST_LIMIT),
    nestedRead: (id) =>
      db.query.projects.findFirst({
        where: eq(projects.id, id),
        with: {
          characters: {
            orderBy: asc(characters.name),
            with: { animations: { orderBy: asc(animations.name), with: { frames: { orderBy: asc(frames.index) } } } },
          },
        },
      }),
    nestedCreate: (project) =>
      db.transaction(async (tx) => {
        const rows = plan(project);
        const now = new Date();
        const [created] = await tx
          .insert(projects)
          .values({ ...rows.project, slug: project.slug, name: project.name, description: project.description, updatedAt: now })
          .returning();
        await tx.insert(characters).values(rows.characters.map(([id, projectId, name]) => ({ id, projectId, name, updatedAt: now })));
        await tx
          .insert(animations)
          .values(rows.animations.map(([id, characterId, name, fps]) => ({ id, characterId, name, fps, updatedAt: now })));
        await tx.insert(frames).values(
          rows.frames.map(([id, animationId, index, image, width, height]) => ({ id, animationId, index, image, width, height, updatedAt: now })),
        );
        return created;
      }),
    update: async (id, description) =>
      (await db.update(projects).set({ description, updatedAt: new Date() }).where(eq(projects.id, id)).returning())[0],
    remove: async (id) => (await db.delete(projects).where(eq(projects.id, id)).returning())[0],
    transaction: (animationId, frame) =>
      db.transaction(async (tx) => {
        await tx.select({ id: animations.id }).from(animations).where(eq(animations.id, animationId)).for("update");
        const [{ last }] = (await tx.select({ last: max(frames.index) }).from(frames).where(eq(frames.animationId, animationId))) as [
          { last: number | null },
        ];
        const [created] = await tx
          .insert(frames)
          .values({ id: randomUUID(), animationId, index: (last ?? -1) + 1, ...frame, updatedAt: new Date() })
          .returning();
        return created;
      }),
  };
  return { name: "drizzle", operations, close: () => pool.end() };
}

/** Ids for every row of a nested create, parents first: what a hand-written insert (raw pg, Drizzle) has to do. */
function plan(project: NewProject) {
  const id = randomUUID();
  const characters: [string, string, string][] = [];
  const animations: [string, string, string, number][] = [];
  const frames: [string, string, number, string, number, number][] = [];
  for (const character of project.characters) {
    const characterId = randomUUID();
    characters.push([characterId, id, character.name]);
    for (const animation of character.animations) {
      const animationId = randomUUID();
      animations.push([animationId, characterId, animation.name, animation.fps]);
      for (const f of animation.frames) frames.push([randomUUID(), animationId, f.index, f.image, f.width, f.height]);
    }
  }
  return { project: { id }, characters, animations, frames };
}

const columns = (rows: readonly (readonly unknown[])[], count: number) =>
  Array.from({ length: count }, (_, i) => rows.map((row) => row[i]));
