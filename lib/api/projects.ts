// Projects over HTTP, shared by the Node.js and edge routes: parse, call the operation, answer.
import { HttpError, idOf, json, parse, queryOf, readJson, route, type IdContext } from "@/lib/api/http";
import { listQuery, projectCreate, projectUpdate, treeQuery } from "@/lib/api/schemas";
import { prisma } from "@/lib/prisma";
import * as projects from "@/lib/projects/queries";

export const listProjects = route(async (request: Request) => {
  const query = parse(listQuery, Object.fromEntries(new URL(request.url).searchParams));
  return json(await projects.listProjects(prisma, query));
});

export const createProject = route(async (request: Request) => {
  const created = await projects.createProject(prisma, await readJson(request, projectCreate));
  return json(created, { status: 201, headers: { location: `/api/projects/${created.id}` } });
});

export const getProject = route(async (request: Request, context: IdContext) => {
  const query = parse(treeQuery, queryOf(request));
  const project = await projects.findProject(prisma, await idOf(context), query);
  if (!project) throw new HttpError(404, "not_found", "No project with this id.");
  return json(project);
});

export const updateProject = route(async (request: Request, context: IdContext) => {
  const id = await idOf(context);
  return json(await projects.updateProject(prisma, id, await readJson(request, projectUpdate)));
});

export const getCharacter = route(async (request: Request, context: IdContext) => {
  const query = parse(treeQuery, queryOf(request));
  const character = await projects.findCharacter(prisma, await idOf(context), query);
  if (!character) throw new HttpError(404, "not_found", "No character with this id.");
  return json(character);
});

export const deleteProject = route(async (_request: Request, context: IdContext) => {
  await projects.deleteProject(prisma, await idOf(context));
  return new Response(null, { status: 204 });
});
