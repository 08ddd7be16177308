import { mayReadInternals } from "@/lib/api/access";
import { json, route } from "@/lib/api/http";
import { poolStats, prisma } from "@/lib/prisma";

/**
 * A database round trip, answered `{ status }` to anyone; to those who may read the server's internals
 * (lib/api/access.ts), also the server's version, the pool's and the cache's state, as seen from `runtime`.
 */
export const health = (runtime: "nodejs" | "edge" | "workerd" | "deno" | "bun") =>
  route(async (request: Request) => {
    const started = performance.now();
    const [row] = await prisma.$queryRaw<{ version: string }[]>`select current_setting('server_version') as version`;
    const roundTripMs = Math.round((performance.now() - started) * 100) / 100;
    const headers = { "cache-control": "no-store" };
    if (!(await mayReadInternals(request))) return json({ status: "ok" }, { headers });
    return json(
      { status: "ok", runtime, database: { version: row?.version, roundTripMs }, pool: poolStats(), cache: prisma.$cache.stats() },
      { headers },
    );
  });
