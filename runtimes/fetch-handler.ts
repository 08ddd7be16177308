// The app's API as one fetch handler, for the runtimes that serve a plain `(Request) => Response`: the same
// handlers from lib/api/ that the Next.js routes re-export, so every runtime answers alike.
import { appendFrame } from "@/lib/api/frames";
import { health } from "@/lib/api/health";
import { HttpError, route } from "@/lib/api/http";
import { createProject, deleteProject, getCharacter, getProject, listProjects, updateProject } from "@/lib/api/projects";

export type Runtime = "workerd" | "deno" | "bun";
type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;

export function createFetchHandler(runtime: Runtime) {
  const routes: [RegExp, Partial<Record<string, Handler>>][] = [
    [/^\/api\/health$/, { GET: health(runtime) }],
    [/^\/api\/projects$/, { GET: listProjects, POST: createProject }],
    [/^\/api\/projects\/([^/]+)$/, { GET: getProject, PATCH: updateProject, DELETE: deleteProject }],
    [/^\/api\/characters\/([^/]+)$/, { GET: getCharacter }],
    [/^\/api\/animations\/([^/]+)\/frames$/, { POST: appendFrame }],
  ];
  const notFound = route(async () => {
    throw new HttpError(404, "not_found", "No such route.");
  });
  const notAllowed = route(async () => {
    throw new HttpError(405, "method_not_allowed", "This route does not take that method.");
  });

  return (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    for (const [pattern, methods] of routes) {
      const match = pattern.exec(pathname);
      if (!match) continue;
      const handler = methods[request.method] ?? notAllowed;
      return handler(request, { params: Promise.resolve({ id: decodeURIComponent(match[1] ?? "") }) });
    }
    return notFound(request, undefined);
  };
}
