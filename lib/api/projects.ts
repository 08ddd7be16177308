// Projects over HTTP: request schemas, queries and response shapes, shared by the Node.js and edge routes.
import { z } from "zod";
import { HttpError, json, parse, readJson, route } from "@/lib/api/http";
import { prisma } from "@/lib/prisma";

const name = z.string().trim().min(1).max(200);
const slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be lowercase letters, digits and single dashes");

const frameInput = z.strictObject({
  index: z.int().min(0).max(100_000),
  image: z.string().trim().min(1).max(2048),
  width: z.int().min(1).max(16_384),
  height: z.int().min(1).max(16_384),
  durationMs: z.int().min(1).max(60_000).nullish(),
});

const animationInput = z.strictObject({
  name,
  fps: z.int().min(1).max(240).optional(),
  loop: z.boolean().optional(),
  frames: z.array(frameInput).max(10_000).optional(),
});

const characterInput = z.strictObject({
  name,
  animations: z.array(animationInput).max(1_000).optional(),
});

export const projectCreate = z.strictObject({
  slug,
  name,
  description: z.string().max(10_000).optional(),
  characters: z.array(characterInput).max(1_000).optional(),
});

export const projectUpdate = z
  .strictObject({ slug: slug.optional(), name: name.optional(), description: z.string().max(10_000).optional() })
  .refine((patch) => Object.keys(patch).length > 0, "give at least one of slug, name, description");

const projectId = z.uuid("must be a UUID");
const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: projectId.optional(),
});

const withTree = {
  characters: {
    orderBy: { name: "asc" },
    include: { animations: { orderBy: { name: "asc" }, include: { _count: { select: { frames: true } } } } },
  },
} as const;

type ProjectTree = NonNullable<Awaited<ReturnType<typeof findProject>>>;

function findProject(id: string) {
  return prisma.project.findUnique({ where: { id }, include: withTree });
}

function serializeProject({ characters, ...project }: ProjectTree) {
  return {
    ...project,
    characters: characters.map(({ animations, projectId: _, ...character }) => ({
      ...character,
      animations: animations.map(({ _count, characterId: __, ...animation }) => ({
        ...animation,
        frameCount: _count.frames,
      })),
    })),
  };
}

type IdContext = { params: Promise<{ id: string }> };
const idOf = async ({ params }: IdContext) => parse(projectId, (await params).id, "invalid_id");

export const listProjects = route(async (request: Request) => {
  const { limit, cursor } = parse(listQuery, Object.fromEntries(new URL(request.url).searchParams));
  const rows = await prisma.project.findMany({
    take: limit + 1,
    ...(cursor && { cursor: { id: cursor } }),
    orderBy: { id: "desc" },
    include: { _count: { select: { characters: true } } },
  });
  const page = rows.slice(0, limit);
  return json({
    projects: page.map(({ _count, ...project }) => ({ ...project, characterCount: _count.characters })),
    nextCursor: rows.length > limit ? rows[limit]!.id : null,
  });
});

export const createProject = route(async (request: Request) => {
  const { characters = [], ...project } = await readJson(request, projectCreate);
  const created = await prisma.project.create({
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
    include: withTree,
  });
  return json(serializeProject(created), { status: 201, headers: { location: `/api/projects/${created.id}` } });
});

export const getProject = route(async (_request: Request, context: IdContext) => {
  const project = await findProject(await idOf(context));
  if (!project) throw new HttpError(404, "not_found", "No project with this id.");
  return json(serializeProject(project));
});

export const updateProject = route(async (request: Request, context: IdContext) => {
  const id = await idOf(context);
  const patch = await readJson(request, projectUpdate);
  const project = await prisma.project.update({ where: { id }, data: patch, include: withTree });
  return json(serializeProject(project));
});

export const deleteProject = route(async (_request: Request, context: IdContext) => {
  await prisma.project.delete({ where: { id: await idOf(context) } });
  return new Response(null, { status: 204 });
});
