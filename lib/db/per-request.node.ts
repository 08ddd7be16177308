import type { Database } from "@/lib/db/client";

// Node.js, Bun, Deno and Next's edge sandboxes reuse a connection from one request in the next: lib/prisma.ts keeps
// one database for the life of the process.
export const perRequestDatabase: Database | undefined = undefined;
