// The raw-pg floor for `bun run bench`: GET /api/projects's query and response shape on a bare `pg` pool with the
// app's pool settings. It answers 404 unless the server runs with BENCH_ROUTES=1, so a deployment never exposes it.
import pg from "pg";
import { HttpError, json, parse, route } from "@/lib/api/http";
import { listQuery } from "@/lib/api/schemas";
import { poolConfig } from "@/lib/db/pool-config";

export const dynamic = "force-dynamic";

// Not part of lib/env.ts's contract: a benchmark switch, off unless set to exactly "1".
const enabled = () => process.env.BENCH_ROUTES === "1";

const cache = globalThis as unknown as { benchPool?: pg.Pool };
const pool = () => (cache.benchPool ??= new pg.Pool(poolConfig));

const LIST_SQL = `
  select p.id, p.slug, p.name, p.description, p.created_at as "createdAt", p.updated_at as "updatedAt",
         (select count(*)::int from characters c where c.project_id = p.id) as "characterCount"
  from projects p
  where $2::uuid is null or p.id <= $2::uuid
  order by p.id desc
  limit $1`;

export const GET = route(async (request: Request) => {
  if (!enabled()) throw new HttpError(404, "not_found", "Not found.");
  const { limit, cursor } = parse(listQuery, Object.fromEntries(new URL(request.url).searchParams));
  const { rows } = await pool().query(LIST_SQL, [limit + 1, cursor ?? null]);
  return json({ projects: rows.slice(0, limit), nextCursor: rows.length > limit ? rows[limit].id : null });
});
