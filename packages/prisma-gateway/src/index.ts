// prisma-gateway: Prisma Client's `accelerateUrl` served on your own infrastructure.
export { startGateway, type Gateway, type GatewayLog, type GatewayOptions } from "./server";
export { gatewaySettings, GatewayEnvError, type GatewaySettings } from "./settings";
export { parseApiKeys, type ApiKey } from "./keys";
export type { CacheableRead, GatewayCache } from "./cache";
export type { CachedAnswer, GatewayCacheStats } from "./cache";
export { startSharedCache, type SharedCacheSettings } from "./shared-cache";
