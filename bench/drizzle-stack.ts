// Drizzle on a bare `pg` pool: the app's operations through its relational queries and query builder. Each function
// mirrors the one of the same name in lib/projects or lib/frames, answer for answer.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, getTableColumns, lte, max, sql } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import type { FrameAppend, ProjectInput, ProjectPatch } from "@/lib/api/schemas";
import type { AnimationAddress } from "./database";
import * as schema from "./drizzle-schema";
import { plan } from "./pg-stack";

export type Drizzle = NodePgDatabase<typeof schema>;
const { projects, characters, animations, frames } = schema;
const frameCount = (animationId: unknown) => sql`(select count(*)::int from frames f where f.animation_id = ${animationId})`;
const characterCount = sql<number>`(select count(*)::int from characters c where c.project_id = ${projects}.id)`;

export const findProject = async (db: Pick<Drizzle, "query">, id: string) =>
  (await db.query.projects.findFirst({
    where: eq(projects.id, id),
    with: {
      characters: {
        columns: { projectId: false }, orderBy: (c) => asc(c.name),
        with: { animations: { columns: { characterId: false }, orderBy: (a) => asc(a.name), extras: (a) => ({ frameCount: frameCount(a.id).as("frame_count") }) } },
      },
    },
  })) ?? null;

export async function listProjects(db: Drizzle, { limit, cursor }: { limit: number; cursor?: string }) {
  const rows = await db.select({ ...getTableColumns(projects), characterCount }).from(projects).where(cursor ? lte(projects.id, cursor) : undefined).orderBy(desc(projects.id)).limit(limit + 1);
  return { projects: rows.slice(0, limit), nextCursor: rows.length > limit ? rows[limit]!.id : null };
}

export const listProjectsByName = (db: Drizzle) =>
  db.select({ id: projects.id, slug: projects.slug, name: projects.name, characterCount }).from(projects).orderBy(asc(projects.name));

export const findProjectPage = async (db: Drizzle, slug: string) =>
  (await db.query.projects.findFirst({
    where: eq(projects.slug, slug),
    with: {
      characters: {
        orderBy: (c) => asc(c.name),
        with: {
          animations: {
            orderBy: (a) => asc(a.name), with: { frames: { orderBy: (f) => asc(f.index), limit: 1 } },
            extras: (a) => ({ _count: sql`json_build_object('frames', ${frameCount(a.id)})`.as("_count") }),
          },
        },
      },
    },
  })) ?? null;

export const findAnimationPage = async (db: Drizzle, { slug, character, name }: AnimationAddress) =>
  (await db.query.animations.findFirst({
    where: (a) =>
      and(eq(a.name, name), sql`${a.characterId} in (select c.id from characters c join projects p on p.id = c.project_id where p.slug = ${slug} and c.name = ${character})`),
    with: {
      frames: { columns: { index: true, image: true, width: true, height: true, durationMs: true }, orderBy: (f) => asc(f.index) },
      character: { columns: { name: true }, with: { project: { columns: { slug: true, name: true } } } },
    },
  })) ?? null;

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

export async function updateProject(db: Drizzle, id: string, patch: ProjectPatch) {
  await db.update(projects).set({ ...patch, updatedAt: new Date() }).where(eq(projects.id, id));
  return findProject(db, id);
}

export const deleteProject = async (db: Drizzle, id: string) => void (await db.delete(projects).where(eq(projects.id, id)));

export const appendFrame = (db: Drizzle, animationId: string, frame: FrameAppend) =>
  db.transaction(async (tx) => {
    if ((await tx.select({ id: animations.id }).from(animations).where(eq(animations.id, animationId)).for("update")).length === 0) return null;
    const [{ last }] = (await tx.select({ last: max(frames.index) }).from(frames).where(eq(frames.animationId, animationId))) as [{ last: number | null }];
    const values = { id: randomUUID(), animationId, index: (last ?? -1) + 1, ...frame, durationMs: frame.durationMs ?? null, updatedAt: new Date() };
    return (await tx.insert(frames).values(values).returning())[0];
  });
