// Drizzle on a bare `pg` pool: the app's operations through its relational queries and query builder. Each function
// mirrors the one of the same name in lib/projects or lib/frames, answer for answer.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, getTableColumns, gt, lt, max, type SQL, sql } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import type { FrameAppend, ProjectInput, ProjectPatch } from "@/lib/api/schemas";
import { PAGE_SIZE } from "@/lib/projects/rules";
import type { AnimationAddress } from "./database";
import * as schema from "./drizzle-schema";
import { framePage, paged, plan, shapeTree } from "./pg-stack";

export type Drizzle = NodePgDatabase<typeof schema>;
const { projects, characters, animations, frames } = schema;
const characterCount = sql<number>`(select count(*)::int from characters c where c.project_id = ${projects}.id)`;

// A page of characters (one more than shown), each with the first page of its animations, as lib/projects reads it.
async function findTree(db: Pick<Drizzle, "query">, where: SQL, cursor: string | undefined) {
  return shapeTree(await db.query.projects.findFirst({
    where,
    extras: (p) => ({ characterCount: sql<number>`(select count(*)::int from characters c where c.project_id = ${p.id})`.as("character_count") }),
    with: {
      characters: {
        columns: { projectId: false }, orderBy: (c) => asc(c.name), limit: PAGE_SIZE.characters + 1,
        where: (c) => (cursor === undefined ? undefined : gt(c.name, cursor)),
        extras: (c) => ({ animationCount: sql<number>`(select count(*)::int from animations a where a.character_id = ${c.id})`.as("animation_count") }),
        with: {
          animations: {
            columns: { characterId: false }, orderBy: (a) => asc(a.name), limit: PAGE_SIZE.animations + 1,
            extras: (a) => ({ thumbnail: sql<string | null>`(select f.image from frames f where f.animation_id = ${a.id} order by f.index limit 1)`.as("thumbnail") }),
          },
        },
      },
    },
  }));
}

export const findProject = (db: Pick<Drizzle, "query">, id: string, { cursor }: { cursor?: string } = {}) => findTree(db, eq(projects.id, id), cursor);
export const findProjectPage = (db: Drizzle, slug: string, { cursor }: { cursor?: string } = {}) => findTree(db, eq(projects.slug, slug), cursor);

export async function listProjects(db: Drizzle, { limit, cursor }: { limit: number; cursor?: string }) {
  const rows = await db.select({ ...getTableColumns(projects), characterCount }).from(projects).where(cursor ? lt(projects.id, cursor) : undefined).orderBy(desc(projects.id)).limit(limit + 1);
  const { items, nextCursor } = paged(rows, limit, (row) => row.id);
  return { projects: items, nextCursor };
}

export async function listProjectsByName(db: Drizzle) {
  const columns = { id: projects.id, slug: projects.slug, name: projects.name, characterCount };
  const rows = await db.select(columns).from(projects).orderBy(asc(projects.name), asc(projects.id)).limit(PAGE_SIZE.projects + 1);
  return paged(rows, PAGE_SIZE.projects, (row) => `${row.id}.${row.name}`);
}

export async function findAnimationPage(db: Drizzle, { slug, character, name }: AnimationAddress) {
  const inCharacter = sql`(select c.id from characters c join projects p on p.id = c.project_id where p.slug = ${slug} and c.name = ${character})`;
  const animation = await db.query.animations.findFirst({
    where: (a) => and(eq(a.name, name), sql`${a.characterId} in ${inCharacter}`),
    with: {
      frames: { columns: { index: true, image: true, width: true, height: true, durationMs: true }, orderBy: (f) => asc(f.index), limit: PAGE_SIZE.frames + 1 },
      character: { columns: { name: true }, with: { project: { columns: { slug: true, name: true } } } },
    },
  });
  return animation ? { ...animation, ...framePage(animation.frames) } : null;
}

export const createProject = (db: Drizzle, project: ProjectInput) =>
  db.transaction(async (tx) => {
    const rows = plan(project);
    const updatedAt = new Date();
    await tx.insert(projects).values({ id: rows.id, slug: project.slug, name: project.name, description: project.description ?? "", updatedAt });
    if (rows.characters.length) await tx.insert(characters).values(rows.characters.map((row) => ({ ...row, updatedAt })));
    if (rows.animations.length) await tx.insert(animations).values(rows.animations.map((row) => ({ ...row, updatedAt })));
    if (rows.frames.length) await tx.insert(frames).values(rows.frames.map((row) => ({ ...row, updatedAt })));
    return findProject(tx, rows.id);
  });

export const updateProject = async (db: Drizzle, id: string, patch: ProjectPatch) =>
  (await db.update(projects).set({ ...patch, updatedAt: new Date() }).where(eq(projects.id, id)).returning())[0];
export const deleteProject = async (db: Drizzle, id: string) => void (await db.delete(projects).where(eq(projects.id, id)));

export const appendFrame = (db: Drizzle, animationId: string, frame: FrameAppend) =>
  db.transaction(async (tx) => {
    if ((await tx.select({ id: animations.id }).from(animations).where(eq(animations.id, animationId)).for("update")).length === 0) return null;
    const [{ last }] = (await tx.select({ last: max(frames.index) }).from(frames).where(eq(frames.animationId, animationId))) as [{ last: number | null }];
    const values = { id: randomUUID(), animationId, index: (last ?? -1) + 1, ...frame, durationMs: frame.durationMs ?? null, updatedAt: new Date() };
    return (await tx.insert(frames).values(values).returning())[0];
  });
