// The cache's machinery without the Prisma Client extension, for a server that caches answers itself (the
// prisma-gateway package): where results live, the generation counters, the NOTIFY listener and their settings.
export { everyTag, memoryGenerations, type Generations } from "./generations.ts";
export { notifyChannel, startNotifyListener, type NotifyListener } from "./listener.ts";
export { redact, reporter, type Report } from "./logger.ts";
export { validStrategy } from "./query-cache.ts";
export { connectRedis, defaults } from "./start.ts";
export { createStore, StoreFailure, type Store } from "./store.ts";
