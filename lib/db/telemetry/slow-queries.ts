// Statements slower than DB_SLOW_QUERY_MS, logged with the request they ran for (lib/log.ts adds its id and trace
// id): the duration, the statement cut at MAX_STATEMENT_LENGTH characters and the number of parameters. Parameter
// values are user data: they are logged only with TRACE_QUERY_PARAMETERS=true, the first MAX_PARAMETERS_SHOWN of
// them, each cut at 64 characters. A multi-row insert's statement and parameters once made an 823 KB line.
export type QueryEvent = { query: string; params: string; duration: number };

export const MAX_STATEMENT_LENGTH = 2_000;
export const MAX_PARAMETERS_SHOWN = 20;
const longest = 64;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

/** Parameters as Prisma reports them (a JSON array), or undefined when they cannot be read. */
function parameters(params: string): unknown[] | undefined {
  try {
    const values: unknown = JSON.parse(params);
    return Array.isArray(values) ? values : [values];
  } catch {
    return undefined;
  }
}

/** The first MAX_PARAMETERS_SHOWN values, each cut at 64 characters (the logger redacts what looks like a secret). */
export function shortenParams(values: unknown[]): unknown[] {
  const shown = values.slice(0, MAX_PARAMETERS_SHOWN).map((value) => {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text !== undefined && text.length > longest ? `${text.slice(0, longest)}… (${text.length} characters)` : value;
  });
  return values.length > shown.length ? [...shown, `… (${values.length - shown.length} more)`] : shown;
}

export type SlowQueryLog = { thresholdMs: number; withParameters: boolean };

export const logSlowQueries =
  ({ thresholdMs, withParameters }: SlowQueryLog, warn: (message: string, fields: Record<string, unknown>) => void) =>
  (event: QueryEvent) => {
    if (event.duration < thresholdMs) return;
    const values = parameters(event.params);
    warn("slow query", {
      durationMs: event.duration,
      statement: cut(event.query, MAX_STATEMENT_LENGTH),
      parameterCount: values?.length ?? null,
      ...(withParameters && { params: values ? shortenParams(values) : "(unreadable)" }),
    });
  };
