import pg from "pg";
import { databaseSettings } from "@/lib/db/pool-config";

/** A bare `pg` pool with the app's pool settings, for the stacks that are not Prisma. */
export function appPool(url: string) {
  const pool = new pg.Pool({ ...databaseSettings().pool, connectionString: url });
  // An idle connection the server closes must not end the run: the pool opens another for the next query.
  pool.on("error", (error) => console.error(`bench: idle connection closed: ${error.message}`));
  return pool;
}
