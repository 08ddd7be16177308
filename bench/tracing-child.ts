// The query level of bench/tracing.ts, one fresh process per measurement: with OTEL_EXPORTER_OTLP_ENDPOINT set it
// starts tracing as instrumentation.ts does (before `pg` loads), then times the app's reads on a plain client
// (cache off: every read reaches PostgreSQL) and prints ops/s as JSON.
//   tsx bench/tracing-child.ts <databaseUrl> <projectId> <operations>
import { startTracing } from "@/lib/telemetry/tracing";
import { runLoad } from "./measure";

const [url, projectId, count] = process.argv.slice(2) as [string, string, string];
const operations = Number(count);
const tracing = await startTracing();
const { prismaStack } = await import("./stacks");
const stack = prismaStack(url);
tracing?.pgLoaded();
const reads = {
  findProject: () => stack.operations.findProject(projectId),
  listProjects: () => stack.operations.listProjects({ limit: 20 }),
};
const result: Record<string, number> = {};
try {
  for (const [name, read] of Object.entries(reads)) {
    for (const concurrency of [1, 10]) {
      await runLoad(concurrency, operations / 4, read);
      const { wallMs } = await runLoad(concurrency, operations, read);
      result[`${name} c=${concurrency}`] = Math.round((operations / wallMs) * 1000);
    }
  }
} finally {
  await stack.close();
  await tracing?.sdk.shutdown();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
