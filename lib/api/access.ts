// Who may do what. Reads are public. Writes (every method but GET, HEAD and OPTIONS) need a bearer token from
// API_WRITE_TOKENS when it is set. The server's internals (/api/metrics, /api/health's details) are for loopback
// callers, or, when METRICS_TOKEN is set, for its bearer only: behind a proxy on the same machine every caller is
// loopback.
import { env } from "@/lib/env";
import { HttpError } from "@/lib/http/error";
import { bearerMatches } from "@/lib/telemetry/bearer";
import { fromLoopback } from "@/lib/telemetry/peer-address";

const reads = new Set(["GET", "HEAD", "OPTIONS"]);

/** A 401 unless the request is a read, writes are open, or it carries one of the write tokens. */
export async function assertMayWrite(request: Request): Promise<void> {
  const tokens = env.API_WRITE_TOKENS;
  if (!tokens || reads.has(request.method)) return;
  if (await bearerMatches(request.headers.get("authorization"), tokens)) return;
  throw new HttpError(401, "unauthorized", "Writes need a valid bearer token: Authorization: Bearer <token>.");
}

export async function mayReadInternals(request: Request): Promise<boolean> {
  return env.METRICS_TOKEN ? bearerMatches(request.headers.get("authorization"), env.METRICS_TOKEN) : fromLoopback(request);
}
