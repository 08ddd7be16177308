// What a 400 says about a body that does not fit its schema, bounded whatever the body holds. zod gathers every
// issue before it answers: a 1 MiB body of empty frames holds 1.4 million of them, which took 780 MB of heap and
// overflowed the stack (a 500). So the lists of a schema are parsed element by element, and once a parse has found
// MAX_ISSUES_FOUND issues, the elements after that are left unparsed; the answer lists the first MAX_ISSUES_SHOWN.
import { z } from "zod";

export const MAX_ISSUES_SHOWN = 20;
export const MAX_ISSUES_FOUND = 1_000;
/** Longer messages (zod's for unknown keys quotes every key) and paths are cut here. */
const MAX_TEXT = 200;

// zod parses synchronously, and no schema here awaits: one parse runs from start to end before another can begin,
// so one budget for the process is the budget of the parse under way.
const budget = { found: 0, limit: Number.POSITIVE_INFINITY, stopped: false };

/** An issue a list passed on from its elements, which the list inside them counted already. */
const passedOn = (issue: z.core.$ZodIssue) => issue.code === "custom" && (issue.params as { passedOn?: true } | undefined)?.passedOn === true;

/** An array of at most `max` elements, each parsed by `element` while the parse under way has issues to spare. */
export function listOf<T extends z.ZodType>(element: T, max: number) {
  return z
    .array(z.unknown())
    .max(max)
    .transform((items, ctx) => {
      const parsed: z.output<T>[] = [];
      for (const [index, item] of items.entries()) {
        if (budget.found >= budget.limit) {
          budget.stopped = true;
          break;
        }
        const result = element.safeParse(item);
        if (result.success) {
          parsed.push(result.data);
          continue;
        }
        for (const issue of result.error.issues) {
          if (!passedOn(issue)) budget.found++;
          ctx.addIssue({ code: "custom", message: issue.message, path: [index, ...issue.path], input: item, params: { passedOn: true } });
        }
      }
      return parsed;
    });
}

export type Issue = { path: string; message: string };
export type Refusal = {
  /** The first issues found, at most MAX_ISSUES_SHOWN. */
  issues: Issue[];
  /** Issues found but not listed. */
  leftOut: number;
  /** Whether checking stopped at MAX_ISSUES_FOUND, so that more issues may be left out than `leftOut` says. */
  stopped: boolean;
};

const cut = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

/** `schema` applied to `input`: its output, or the first issues and how many more there were. */
export function check<T extends z.ZodType>(schema: T, input: unknown): { ok: true; data: z.output<T> } | ({ ok: false } & Refusal) {
  Object.assign(budget, { found: 0, limit: MAX_ISSUES_FOUND, stopped: false });
  let result: z.ZodSafeParseResult<z.output<T>>;
  try {
    result = schema.safeParse(input);
  } finally {
    budget.limit = Number.POSITIVE_INFINITY;
  }
  if (result.success) return { ok: true, data: result.data };
  const all = result.error.issues;
  const issues = all
    .slice(0, MAX_ISSUES_SHOWN)
    .map((issue) => ({ path: cut(issue.path.join(".") || "(root)"), message: cut(issue.message) }));
  return { ok: false, issues, leftOut: all.length - issues.length, stopped: budget.stopped };
}
