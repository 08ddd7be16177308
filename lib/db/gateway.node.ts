// Node.js and Bun keep their own pool (lib/db/adapter.node.ts): a pooled connection in the process answers a point
// read faster than any hop to a gateway, so they never use one, DB_GATEWAY_URL or not.
export const gatewayUrl = (): string | undefined => undefined;

export const batchesAcrossRequests = true;
