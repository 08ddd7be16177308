// Projects over HTTP: request schemas, queries and response shapes, shared by the Node.js and edge routes.
import { HttpError, idOf, json, parse, readJson, route, type IdContext } from "@/lib/api/http";
import { listQuery, projectCreate, projectUpdate } from "@/lib/api/schemas";
import { prisma } from "@/lib/prisma";
import { listProjectSummaries } from "#db/sql";

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

export const listProjects = route(async (request: Request) => {
  const { limit, cursor } = parse(listQuery, Object.fromEntries(new URL(request.url).searchParams));
  const rows = await prisma.$queryRawTyped(listProjectSummaries(limit + 1, cursor ?? null));
  return json({ projects: rows.slice(0, limit), nextCursor: rows.length > limit ? rows[limit]!.id : null });
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
