import { json, route } from "@/lib/api/http";
import { poolStats, prisma } from "@/lib/prisma";

/** A database round trip, the server's version and the pool's state, as seen from `runtime`. */
export const health = (runtime: "nodejs" | "edge" | "workerd" | "deno" | "bun") =>
  route(async () => {
    const started = performance.now();
    const [row] = await prisma.$queryRaw<{ version: string }[]>`select current_setting('server_version') as version`;
    const roundTripMs = Math.round((performance.now() - started) * 100) / 100;
    return json(
      { status: "ok", runtime, database: { version: row?.version, roundTripMs }, pool: poolStats(), cache: prisma.$cache.stats() },
      { headers: { "cache-control": "no-store" } },
    );
  });
