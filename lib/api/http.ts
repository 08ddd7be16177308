// Request parsing and error responses, the same for every route on every runtime.
import { z } from "zod";
import { assertMayWrite } from "@/lib/api/access";
import { check, MAX_ISSUES_FOUND } from "@/lib/api/issues";
import { uuid } from "@/lib/api/schemas";
import { countError } from "#telemetry/metrics";
import { toHttpError } from "@/lib/db/errors";
import { assertJsonMediaType, readBytes } from "@/lib/http/body";
import { HttpError } from "@/lib/http/error";
import { nestsDeeperThan } from "@/lib/http/json-depth";
import { log } from "@/lib/log";
import { currentRequest } from "@/lib/telemetry/request-context";
import { inRequestContext } from "@/lib/telemetry/request";

export { HttpError };

/** The deepest a request body nests arrays and objects; the deepest schema (a create's frames) needs 7 levels. */
export const MAX_JSON_DEPTH = 16;

export async function readJson<T extends z.ZodType>(request: Request, schema: T): Promise<z.output<T>> {
  assertJsonMediaType(request);
  const text = new TextDecoder().decode(await readBytes(request));
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new HttpError(400, "invalid_body", `The body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "The body is not valid JSON.");
  }
  return parse(schema, body, "invalid_body");
}

export function parse<T extends z.ZodType>(schema: T, input: unknown, code = "invalid_request"): z.output<T> {
  const result = check(schema, input);
  if (result.ok) return result.data;
  const { issues, leftOut, stopped } = result;
  const first = issues[0]!;
  const more =
    stopped ? ` (and ${leftOut} more issues not listed; checking stopped after ${MAX_ISSUES_FOUND})`
    : leftOut > 0 ? ` (and ${leftOut} more issues not listed)`
    : "";
  throw new HttpError(400, code, `${first.path}: ${first.message}${more}`, issues, leftOut);
}

/**
 * The query parameters of a request to a route with an `[id]` segment. Next.js's edge runtime puts the segment among
 * them too (`?id=…`), so it is left out on every runtime alike.
 */
export function queryOf(request: Request): Record<string, string> {
  const params = new URL(request.url).searchParams;
  params.delete("id");
  return Object.fromEntries(params);
}

export type IdContext = { params: Promise<{ id: string }> };

/** The `[id]` segment of a route, which must be a UUID. */
export const idOf = async ({ params }: IdContext) => parse(uuid, (await params).id, "invalid_id");

export function json(data: unknown, init?: ResponseInit) {
  return Response.json(data, init);
}

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/** Turns every thrown error into a JSON response; an unexpected one keeps its details in the server log. */
export function route<C>(handler: Handler<C>): Handler<C> {
  return (request, context) => inRequestContext(request, context, async () => {
    try {
      await assertMayWrite(request);
      return await handler(request, context);
    } catch (error) {
      const failure = error instanceof HttpError ? error : toHttpError(error);
      countError(failure.code, failure.status);
      const requestId = failure.status >= 500 ? currentRequest()?.requestId : undefined;
      if (requestId) {
        const detail =
          error instanceof Error ? (error.stack ?? error.message)
          : error instanceof Event ? `${error.type} event: ${(error as ErrorEvent).message ?? ""}`
          : String(error);
        log.error(`${request.method} ${new URL(request.url).pathname} -> ${failure.status}`, { code: failure.code, detail });
      }
      const body = {
        error: {
          code: failure.code,
          message: failure.message,
          ...(failure instanceof HttpError && failure.details ? { issues: failure.details } : {}),
          ...(failure instanceof HttpError && failure.leftOut ? { issuesLeftOut: failure.leftOut } : {}),
          ...(requestId && { requestId }),
        },
      };
      const headers = new Headers();
      if (failure.status === 503) headers.set("retry-after", "1");
      if (failure.status === 401) headers.set("www-authenticate", "Bearer");
      // A body left unread (over the limit, too slow, or a write refused before it was read) leaves the connection
      // unable to carry another request: say it closes, which on Node.js also makes the close a lingering one
      // (lib/http/lingering-close.ts).
      if (failure.status === 413 || failure.status === 408 || (failure.status === 401 && request.body)) headers.set("connection", "close");
      return json(body, { status: failure.status, headers });
    }
  });
}
