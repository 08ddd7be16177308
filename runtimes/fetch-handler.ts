// The app's API as one fetch handler, for the runtimes that serve a plain `(Request) => Response`: the same
// handlers from lib/api/ that the Next.js routes re-export, so every runtime answers alike.
import { appendFrame } from "@/lib/api/frames";
import { health } from "@/lib/api/health";
import { HttpError, route } from "@/lib/api/http";
import { createProject, deleteProject, getCharacter, getProject, listProjects, updateProject } from "@/lib/api/projects";
import { peerAddressHeader } from "@/lib/telemetry/peer-address";

export type Runtime = "workerd" | "deno" | "bun";
type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;

export function createFetchHandler(runtime: Runtime) {
  const routes: [RegExp, Partial<Record<string, Handler>>][] = [
    [/^\/api\/health$/, { GET: health(runtime) }],
    [/^\/api\/projects$/, { GET: listProjects, POST: createProject }],
    [/^\/api\/projects\/(?<id>[^/]+)$/, { GET: getProject, PATCH: updateProject, DELETE: deleteProject }],
    [/^\/api\/characters\/(?<id>[^/]+)$/, { GET: getCharacter }],
    [/^\/api\/animations\/(?<id>[^/]+)\/frames$/, { POST: appendFrame }],
  ];
  const notFound = route(async () => {
    throw new HttpError(404, "not_found", "No such route.");
  });
  const notAllowed = route(async () => {
    throw new HttpError(405, "method_not_allowed", "This route does not take that method.");
  });

  /**
   * `peerAddress`: the address the request's connection came from, as the runtime reports it (Deno, Bun); none on
   * workerd, which does not say. It replaces whatever a client sent in the peer-address header.
   */
  return (incoming: Request, peerAddress = ""): Promise<Response> => {
    const headers = new Headers(incoming.headers);
    headers.set(peerAddressHeader, peerAddress);
    const request = new Request(incoming, { headers });
    const { pathname } = new URL(request.url);
    for (const [pattern, methods] of routes) {
      const match = pattern.exec(pathname);
      if (!match) continue;
      const handler = methods[request.method] ?? notAllowed;
      // Only the routes with an id take parameters, and their patterns capture one.
      return handler(request, { params: Promise.resolve(decoded(match.groups ?? {}) as { id: string }) });
    }
    return notFound(request, undefined);
  };
}

/** Each parameter percent-decoded, as Next.js's router does; a malformed one as it came (an id that is then refused). */
function decoded(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => {
      try {
        return [name, decodeURIComponent(value)];
      } catch {
        return [name, value];
      }
    }),
  );
}
