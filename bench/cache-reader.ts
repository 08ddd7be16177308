// The other process of the invalidation-latency measure: reads one project through the cache as fast as it can
// and reports each new name, with the moment it first read it.
import { performance } from "node:perf_hooks";
import { createDatabase } from "@/lib/db/client";

const [projectId] = process.argv.slice(2);
const { prisma } = createDatabase();
while (!prisma.$cache.stats().trusted) await new Promise((resolve) => setTimeout(resolve, 10));
process.send!({ name: "", at: 0 });
let last: string | undefined;
for (;;) {
  const row = await prisma.project.findUnique({ where: { id: projectId! }, cacheStrategy: { ttl: 300 } });
  if (row && row.name !== last) {
    last = row.name;
    process.send!({ name: row.name, at: performance.timeOrigin + performance.now() });
  }
  // A hit answers without I/O: let the Redis subscription's messages in between reads.
  await new Promise((resolve) => setImmediate(resolve));
}
