// Drizzle on a bare `pg` pool: the app's operations through its relational queries and query builder.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, getTableColumns, lte, max, sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import * as schema from "./drizzle-schema";
import { plan } from "./pg-stack";
import { appPool } from "./pool";
import type { Operations, Stack } from "./stacks";

const { projects, characters, animations, frames } = schema;
type Db = Pick<NodePgDatabase<typeof schema>, "query">;

// findProject's answer: the project, its characters and animations by name, each animation's frame count.
const findProject = (db: Db, id: string) =>
  db.query.projects
    .findFirst({
      where: eq(projects.id, id),
      with: {
        characters: {
          columns: { projectId: false },
          orderBy: (c) => asc(c.name),
          with: {
            animations: {
              columns: { characterId: false },
              orderBy: (a) => asc(a.name),
              extras: (a) => ({ frameCount: sql<number>`(select count(*)::int from frames f where f.animation_id = ${a.id})`.as("frame_count") }),
            },
          },
        },
      },
    })
    .then((project) => project ?? null);

export function drizzleStack(url: string): Stack {
  const pool = appPool(url);
  const db = drizzle({ client: pool, schema });
  const operations: Operations = {
    findProject: (id) => findProject(db, id),
    listProjects: async ({ limit, cursor }) => {
      const rows = await db
        .select({ ...getTableColumns(projects), characterCount: sql<number>`(select count(*)::int from characters c where c.project_id = ${projects}.id)` })
        .from(projects)
        .where(cursor ? lte(projects.id, cursor) : undefined)
        .orderBy(desc(projects.id))
        .limit(limit + 1);
      return { projects: rows.slice(0, limit), nextCursor: rows.length > limit ? rows[limit]!.id : null };
    },
    findAnimationPage: async ({ slug, character, name }) =>
      (await db.query.animations.findFirst({
        where: (a) =>
          and(
            eq(a.name, name),
            sql`${a.characterId} in (select c.id from characters c join projects p on p.id = c.project_id where p.slug = ${slug} and c.name = ${character})`,
          ),
        with: {
          frames: { columns: { index: true, image: true, width: true, height: true, durationMs: true }, orderBy: (f) => asc(f.index) },
          character: { columns: { name: true }, with: { project: { columns: { slug: true, name: true } } } },
        },
      })) ?? null,
    createProject: (project) =>
      db.transaction(async (tx) => {
        const rows = plan(project);
        const updatedAt = new Date();
        await tx.insert(projects).values({ id: rows.id, slug: project.slug, name: project.name, description: project.description ?? "", updatedAt });
        const stamped = <T>(list: T[]) => list.map((row) => ({ ...row, updatedAt }));
        if (rows.characters.length) await tx.insert(characters).values(stamped(rows.characters));
        if (rows.animations.length) await tx.insert(animations).values(stamped(rows.animations));
        if (rows.frames.length) await tx.insert(frames).values(stamped(rows.frames));
        return findProject(tx, rows.id);
      }),
    updateProject: async (id, patch) => {
      await db.update(projects).set({ ...patch, updatedAt: new Date() }).where(eq(projects.id, id));
      return findProject(db, id);
    },
    deleteProject: async (id) => {
      await db.delete(projects).where(eq(projects.id, id));
    },
    appendFrame: (animationId, frame) =>
      db.transaction(async (tx) => {
        const locked = await tx.select({ id: animations.id }).from(animations).where(eq(animations.id, animationId)).for("update");
        if (locked.length === 0) return null;
        const [{ last }] = (await tx.select({ last: max(frames.index) }).from(frames).where(eq(frames.animationId, animationId))) as [{ last: number | null }];
        const [created] = await tx
          .insert(frames)
          .values({ id: randomUUID(), animationId, index: (last ?? -1) + 1, ...frame, durationMs: frame.durationMs ?? null, updatedAt: new Date() })
          .returning();
        return created;
      }),
  };
  return { name: "drizzle", operations, close: () => pool.end() };
}
