// The app's project operations: what the API routes, the pages and the benchmark all call.
import type { Prisma } from "#db/client";
import { projectsByName } from "#db/sql";
import { defaultCacheStrategy } from "@/lib/db/cache/settings";
import type { Db } from "@/lib/db/client";
import type { ProjectInput, ProjectPatch } from "@/lib/api/schemas";

const tree = {
  characters: {
    orderBy: { name: "asc" },
    include: { animations: { orderBy: { name: "asc" }, include: { _count: { select: { frames: true } } } } },
  },
} as const satisfies Prisma.ProjectInclude;

/** Newest first, `limit` per page, with each project's character count. */
export async function listProjects(db: Db, { limit, cursor }: { limit: number; cursor?: string }) {
  const rows = await db.project.findMany({
    take: limit + 1,
    ...(cursor && { cursor: { id: cursor } }),
    orderBy: { id: "desc" },
    include: { _count: { select: { characters: true } } },
    cacheStrategy: { ...defaultCacheStrategy(), tags: ["projects"] },
  });
  return {
    // Object.assign on the rest rather than a spread into a new literal: the spread costs several times more, which
    // shows once the rows come from the cache.
    projects: rows.slice(0, limit).map(({ _count, ...project }) => Object.assign(project, { characterCount: _count.characters })),
    nextCursor: rows.length > limit ? rows[limit]!.id : null,
  };
}

/** Every project by name with its character count, for the index page. */
export function listProjectsByName(db: Db) {
  return db.$queryRawTyped(projectsByName());
}

/** A project with its characters and animations, and each animation's frame count; null when there is none. */
export async function findProject(db: Db, id: string) {
  const project = await db.project.findUnique({
    where: { id },
    include: tree,
    cacheStrategy: { ...defaultCacheStrategy(), tags: [`project:${id}`] },
  });
  return project && serialize(project);
}

/** A project's page: characters, animations, each animation's first frame and frame count. */
export function findProjectPage(db: Db, slug: string) {
  return db.project.findUnique({
    where: { slug },
    include: {
      characters: {
        orderBy: { name: "asc" },
        include: {
          animations: {
            orderBy: { name: "asc" },
            include: { frames: { orderBy: { index: "asc" }, take: 1 }, _count: { select: { frames: true } } },
          },
        },
      },
    },
    cacheStrategy: { ...defaultCacheStrategy(), tags: ["project-pages"] },
  });
}

/** Creates a project with its characters, animations and frames in one statement batch. */
export async function createProject(db: Db, { characters = [], ...project }: ProjectInput) {
  const created = await db.project.create({
    data: {
      ...project,
      characters: {
        create: characters.map(({ animations = [], ...character }) => ({
          ...character,
          animations: {
            create: animations.map(({ frames = [], ...animation }) => ({ ...animation, frames: { create: frames } })),
          },
        })),
      },
    },
    include: tree,
  });
  return serialize(created);
}

export async function updateProject(db: Db, id: string, patch: ProjectPatch) {
  return serialize(await db.project.update({ where: { id }, data: patch, include: tree }));
}

/** Deletes a project and everything below it. */
export async function deleteProject(db: Db, id: string) {
  await db.project.delete({ where: { id } });
}

// Shaped as listProjects shapes its rows, and for the same reason.
function serialize({ characters, ...project }: Prisma.ProjectGetPayload<{ include: typeof tree }>) {
  return Object.assign(project, {
    characters: characters.map(({ animations, projectId: _, ...character }) =>
      Object.assign(character, {
        animations: animations.map(({ _count, characterId: __, ...animation }) => Object.assign(animation, { frameCount: _count.frames })),
      }),
    ),
  });
}
