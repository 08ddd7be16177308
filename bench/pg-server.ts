// The route level's floor, outside the app's build: GET /api/projects on node:http and the raw-pg stack, with the
// app's pool settings, query parsing and response body.
//   tsx bench/pg-server.ts <databaseUrl> <port>
import http from "node:http";
import type pg from "pg";
import { HttpError, parse } from "@/lib/api/http";
import { listQuery } from "@/lib/api/schemas";
import { listProjects } from "./pg-stack";
import { openStack } from "./stacks";

const { client, close } = await openStack("pg", process.argv[2]!);
const server = http.createServer(async (request, response) => {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const answer = (status: number, body: unknown) => response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  try {
    if (request.method !== "GET" || url.pathname !== "/api/projects") throw new HttpError(404, "not_found", "Not found.");
    answer(200, await listProjects(client as pg.Pool, parse(listQuery, Object.fromEntries(url.searchParams))));
  } catch (error) {
    const failure = error instanceof HttpError ? error : new HttpError(500, "internal_error", String(error));
    answer(failure.status, { error: { code: failure.code, message: failure.message } });
  }
});

server.listen(Number(process.argv[3]), "127.0.0.1");
process.once("SIGTERM", () => server.close(() => void close().then(() => process.exit(0))));
