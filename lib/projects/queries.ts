// The app's project operations: what the API routes, the pages and the benchmark all call. Each one reads and
// writes only the rows it returns or changes, whatever the size of the tables (tests/query-plans.test.ts checks
// every plan on a million frames): relations load as one joined statement (`relationJoins`), frame counts are a
// column the database keeps, and every list is a page with a cursor to the next.
import type { Prisma } from "#db/client";
import { createProjectTree, projectsByName } from "#db/sql";
import type { ProjectInput, ProjectPatch } from "@/lib/api/schemas";
import { defaultCacheStrategy } from "@/lib/db/cache/settings";
import type { Db } from "@/lib/db/client";
import { PAGE_SIZE } from "@/lib/projects/rules";

/** A page of a list, and where the next one starts (null on the last page). */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** One more row than the page shows is read, to tell whether another page follows. */
function page<T>(rows: T[], size: number, cursorOf: (row: T) => string): Page<T> {
  return rows.length > size ? { items: rows.slice(0, size), nextCursor: cursorOf(rows[size - 1]!) } : { items: rows, nextCursor: null };
}

const byName = { name: "asc" } as const;
const after = (cursor: string | undefined) => (cursor === undefined ? {} : { where: { name: { gt: cursor } } });

const projectFields = { id: true, slug: true, name: true, description: true, createdAt: true, updatedAt: true } as const;
// Each animation comes with its first frame's image, for a thumbnail: one index probe per animation shown.
const animationFields = {
  id: true,
  name: true,
  fps: true,
  loop: true,
  frameCount: true,
  createdAt: true,
  updatedAt: true,
  frames: { orderBy: { index: "asc" }, take: 1, select: { image: true } },
} as const;

const animations = (cursor?: string) => ({ ...after(cursor), orderBy: byName, take: PAGE_SIZE.animations + 1, select: animationFields }) as const;

const characters = (cursor?: string) =>
  ({
    ...after(cursor),
    orderBy: byName,
    take: PAGE_SIZE.characters + 1,
    select: {
      id: true,
      name: true,
      createdAt: true,
      updatedAt: true,
      _count: { select: { animations: true } },
      animations: animations(),
    },
  }) as const;

type AnimationRow = Prisma.AnimationGetPayload<{ select: typeof animationFields }>;
type CharacterRow = { name: string; _count: { animations: number }; animations: AnimationRow[] };

function shapeAnimation({ frames, ...animation }: AnimationRow) {
  return Object.assign(animation, { thumbnail: frames[0]?.image ?? null });
}

// Object.assign on the rest rather than a spread into a new literal: the spread costs several times more, which
// shows once the rows come from the cache.
function shapeCharacter<C extends CharacterRow>({ _count, animations: rows, ...character }: C) {
  const { items, nextCursor } = page(rows, PAGE_SIZE.animations, (row) => row.name);
  return Object.assign(character, { animationCount: _count.animations, animations: items.map(shapeAnimation), nextCursor });
}

function shapeProject<P extends { _count: { characters: number }; characters: CharacterRow[] }>({ _count, characters: rows, ...project }: P) {
  const { items, nextCursor } = page(rows, PAGE_SIZE.characters, (row) => row.name);
  const shaped = items.map((row: P["characters"][number]) => shapeCharacter(row));
  return Object.assign(project, { characterCount: _count.characters, characters: shaped, nextCursor });
}

const projectTree = (cursor?: string) => ({ ...projectFields, _count: { select: { characters: true } }, characters: characters(cursor) }) as const;

/** Newest first, `limit` per page, with each project's character count. */
export async function listProjects(db: Db, { limit, cursor }: { limit: number; cursor?: string }) {
  const rows = await db.project.findMany({
    take: limit + 1,
    ...(cursor && { where: { id: { lt: cursor } } }),
    orderBy: { id: "desc" },
    select: { ...projectFields, _count: { select: { characters: true } } },
    cacheStrategy: { ...defaultCacheStrategy(), tags: ["projects"] },
  });
  const { items, nextCursor } = page(rows, limit, (row) => row.id);
  return { projects: items.map(({ _count, ...project }) => Object.assign(project, { characterCount: _count.characters })), nextCursor };
}

// The index page's cursor: the last id and name shown (names repeat; the id breaks the tie). An id is 36 characters.
const nameCursor = (row: { id: string; name: string }) => `${row.id}.${row.name}`;
const firstPage = { id: "00000000-0000-0000-0000-000000000000", name: "" };
function parseNameCursor(cursor: string | undefined): { id: string; name: string } {
  if (cursor === undefined || cursor[36] !== "." || !/^[0-9a-f-]{36}$/i.test(cursor.slice(0, 36))) return firstPage;
  return { id: cursor.slice(0, 36), name: cursor.slice(37) };
}

/** Projects by name with their character counts, a page at a time: the index page. */
export async function listProjectsByName(db: Db, { cursor }: { cursor?: string } = {}) {
  const { id, name } = parseNameCursor(cursor);
  const rows = await db.$queryRawTyped(projectsByName(name, id, PAGE_SIZE.projects + 1));
  return page(rows, PAGE_SIZE.projects, nameCursor);
}

/**
 * A project with a page of its characters (after `cursor`, by name), each with its first page of animations, their
 * frame counts and first frames; null when there is none.
 */
export async function findProject(db: Db, id: string, { cursor }: { cursor?: string } = {}) {
  const project = await db.project.findUnique({
    where: { id },
    select: projectTree(cursor),
    cacheStrategy: { ...defaultCacheStrategy(), tags: [`project:${id}`] },
  });
  return project && shapeProject(project);
}

/** The same, found by slug: a project's page. */
export async function findProjectPage(db: Db, slug: string, { cursor }: { cursor?: string } = {}) {
  const project = await db.project.findUnique({
    where: { slug },
    select: projectTree(cursor),
    cacheStrategy: { ...defaultCacheStrategy(), tags: ["project-pages"] },
  });
  return project && shapeProject(project);
}

/** A character with a page of its animations (after `cursor`, by name); null when there is none. */
export async function findCharacter(db: Db, id: string, { cursor }: { cursor?: string } = {}) {
  const character = await db.character.findUnique({
    where: { id },
    select: { ...characters().select, projectId: true, animations: animations(cursor) },
    cacheStrategy: { ...defaultCacheStrategy(), tags: [`character:${id}`] },
  });
  return character && shapeCharacter(character);
}

/** The same, found by its project's slug and its name, with the project: a character's page. */
export async function findCharacterPage(db: Db, { slug, name }: { slug: string; name: string }, { cursor }: { cursor?: string } = {}) {
  const character = await db.character.findFirst({
    where: { name, project: { slug } },
    select: { ...characters().select, project: { select: { slug: true, name: true } }, animations: animations(cursor) },
    cacheStrategy: { ...defaultCacheStrategy(), tags: ["character-pages"] },
  });
  return character && shapeCharacter(character);
}

/**
 * Creates a project with its characters, animations and frames, and answers as findProject does. The tree goes to
 * the database as one JSON document and one statement inserts it, a multi-row INSERT per level: Prisma's own nested
 * create and createMany cost the server about 0.25 ms of CPU per row (2.5 s for the 10,000 a create may carry),
 * this costs what encoding the document does.
 */
export async function createProject(db: Db, input: ProjectInput) {
  return db.$transaction(async (tx) => {
    const [created] = await tx.$queryRawTyped(createProjectTree(input));
    const project = await tx.project.findUniqueOrThrow({ where: { id: created!.id }, select: projectTree() });
    return shapeProject(project);
  });
}

/** Changes a project's own fields and answers with them: one UPDATE ... RETURNING. */
export function updateProject(db: Db, id: string, patch: ProjectPatch) {
  return db.project.update({ where: { id }, data: patch, select: projectFields });
}

/** Deletes a project and everything below it. */
export async function deleteProject(db: Db, id: string) {
  await db.project.delete({ where: { id }, select: { id: true } });
}
