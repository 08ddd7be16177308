// The raw-pg route: GET /api/projects as the app's route answers it (the same route wrapper, query parsing and
// response), with the query in hand-written SQL on a bare pg pool instead of the app's data layer.
import { json, parse, route } from "@/lib/api/http";
import { listQuery } from "@/lib/api/schemas";
import { pgStack } from "../../../../pg-stack";

const { operations } = pgStack(process.env.DATABASE_URL!);

export const dynamic = "force-dynamic";

export const GET = route(async (request: Request) =>
  json(await operations.listProjects(parse(listQuery, Object.fromEntries(new URL(request.url).searchParams)))),
);
