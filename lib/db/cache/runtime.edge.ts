// Edge routes run in sandboxes of their own, each with its own memory and no way to hear an invalidation, so
// they read from the database; `cacheStrategy` is accepted and ignored.
import type { modelGraph } from "@/lib/db/cache/invalidation";
import type { RunningQueryCache } from "@/lib/db/cache/query-cache";
import type { CacheSettings } from "@/lib/db/cache/settings";

export function createCache(_settings: CacheSettings, _dataModel: Parameters<typeof modelGraph>[0]): RunningQueryCache | null {
  return null;
}
