// Next's edge routes, workerd and Deno reach PostgreSQL through a prisma-gateway when DB_GATEWAY_URL names one:
// Prisma Client compiles each query and sends its plan over HTTP (`accelerateUrl`), the gateway holds the pool. No
// connection setup, no SCRAM, no socket in the isolate: one client at module scope serves every request.
import { env } from "@/lib/env";

export const gatewayUrl = (): string | undefined => env.DB_GATEWAY_URL;

/** Whether queries of concurrent requests may share one HTTP call (Prisma Client batches them within a tick). */
export const batchesAcrossRequests = true;
