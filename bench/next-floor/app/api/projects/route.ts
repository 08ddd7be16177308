// The raw-pg route: GET /api/projects as the app's route answers it (the same route wrapper, query parsing and
// response), the query in hand-written SQL on a bare pg pool with the app's pool settings instead of the data layer.
import pg from "pg";
import { json, parse, route } from "@/lib/api/http";
import { listQuery } from "@/lib/api/schemas";
import { databaseSettings } from "@/lib/db/pool-config";
import { listProjects } from "../../../../pg-stack";

const pool = new pg.Pool({ ...databaseSettings().pool, connectionString: process.env.DATABASE_URL! });
pool.on("error", () => {}); // a closed idle connection: the pool opens another for the next query

export const dynamic = "force-dynamic";
export const GET = route(async (request: Request) => json(await listProjects(pool, parse(listQuery, Object.fromEntries(new URL(request.url).searchParams)))));
