// Statements slower than DB_SLOW_QUERY_MS, logged with their parameters redacted and cut short, and the request
// they ran for (lib/log.ts adds its id and trace id).
export type QueryEvent = { query: string; params: string; duration: number };

const longest = 64;

/** Parameters as Prisma reports them (a JSON array), each value redacted by the logger and cut at 64 characters. */
export function shortenParams(params: string): unknown[] {
  let values: unknown;
  try {
    values = JSON.parse(params);
  } catch {
    return ["(unreadable)"];
  }
  return (Array.isArray(values) ? values : [values]).map((value) => {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text !== undefined && text.length > longest ? `${text.slice(0, longest)}… (${text.length} characters)` : value;
  });
}

export const logSlowQueries = (thresholdMs: number, warn: (message: string, fields: Record<string, unknown>) => void) => (event: QueryEvent) => {
  if (event.duration < thresholdMs) return;
  warn("slow query", { durationMs: event.duration, statement: event.query, params: shortenParams(event.params) });
};
