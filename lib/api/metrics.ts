// GET /api/metrics: the Prometheus text exposition, on the Node.js runtime only, to those who may read the server's
// internals (lib/api/access.ts): loopback callers, or, when METRICS_TOKEN is set, its bearer (and no one else).
import { scrape } from "#telemetry/metrics";
import { mayReadInternals } from "@/lib/api/access";
import { HttpError, route } from "@/lib/api/http";
import { env } from "@/lib/env";

export const metrics = route(async (request: Request) => {
  if (!(await mayReadInternals(request))) {
    throw env.METRICS_TOKEN
      ? new HttpError(401, "unauthorized", "A valid bearer token is required.")
      : new HttpError(403, "forbidden", "Metrics are served to loopback only unless METRICS_TOKEN is set.");
  }
  const { contentType, body } = await scrape();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
});
