// GET /api/metrics: the Prometheus text exposition, on the Node.js runtime only. Answered to loopback callers, or,
// when METRICS_TOKEN is set, to callers that present it as a bearer token (and to no one else).
import { scrape } from "#telemetry/metrics";
import { HttpError, route } from "@/lib/api/http";
import { env } from "@/lib/env";
import { bearerMatches } from "@/lib/telemetry/bearer";
import { isLoopback, peerAddressHeader } from "@/lib/telemetry/peer-address";

export const metrics = route(async (request: Request) => {
  const allowed = env.METRICS_TOKEN
    ? bearerMatches(request.headers.get("authorization"), env.METRICS_TOKEN)
    : isLoopback(request.headers.get(peerAddressHeader));
  if (!allowed) {
    throw env.METRICS_TOKEN
      ? new HttpError(401, "unauthorized", "A valid bearer token is required.")
      : new HttpError(403, "forbidden", "Metrics are served to loopback only unless METRICS_TOKEN is set.");
  }
  const { contentType, body } = await scrape();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
});
