// Every Prisma operation's duration by model and action, into the metrics registry. A query extension sees each
// operation once, whatever adapter or runtime runs it, and whether or not tracing is on.
import { Prisma } from "@prisma/client/extension";
import { observeQuery } from "#telemetry/metrics";

export const queryMetrics = Prisma.defineExtension({
  name: "query-metrics",
  query: {
    async $allOperations({ model, operation, args, query }) {
      const started = performance.now();
      let outcome: "ok" | "error" = "error";
      try {
        const result = await query(args);
        outcome = "ok";
        return result;
      } finally {
        observeQuery(model ?? "$raw", operation, (performance.now() - started) / 1000, outcome);
      }
    },
  },
});
