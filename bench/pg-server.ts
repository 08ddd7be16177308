// The route level's floor, outside the app's build: GET /api/projects on node:http and the raw-pg stack, with the
// app's pool settings, query parsing and response body. Prints its URL once it listens.
//   tsx bench/pg-server.ts <databaseUrl>
import http from "node:http";
import { HttpError, parse } from "@/lib/api/http";
import { listQuery } from "@/lib/api/schemas";
import { pgStack } from "./pg-stack";

const { operations, close } = pgStack(process.argv[2]!);

const server = http.createServer(async (request, response) => {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  let status = 200;
  let body: unknown;
  try {
    if (request.method !== "GET" || url.pathname !== "/api/projects") throw new HttpError(404, "not_found", "Not found.");
    body = await operations.listProjects(parse(listQuery, Object.fromEntries(url.searchParams)));
  } catch (error) {
    const failure = error instanceof HttpError ? error : new HttpError(500, "internal_error", String(error));
    status = failure.status;
    body = { error: { code: failure.code, message: failure.message } };
  }
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
});

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`http://127.0.0.1:${port}\n`);
});
process.once("SIGTERM", () => server.close(() => void close().then(() => process.exit(0))));
