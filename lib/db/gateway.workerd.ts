// workerd through a prisma-gateway: as elsewhere (gateway.edge.ts), but a fetch() belongs to the request that made
// it, and is cancelled when that request ends. Prisma Client sends the queries made in one tick as one batch, from
// whichever request came first: another request's query would then ride on a fetch that dies with the first one.
export { gatewayUrl } from "@/lib/db/gateway.edge";

export const batchesAcrossRequests = false;
