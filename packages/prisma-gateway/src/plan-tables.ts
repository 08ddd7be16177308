// The tables a query plan reads and writes, from the SQL its `query` and `execute` nodes carry: what a cache
// needs to know which answers a write makes stale. Prisma writes every table as "schema"."table"; raw SQL may name
// them bare. A raw statement that is not a plain read is taken to write anything ("*").

export type PlanTables = {
  read: Set<string>;
  written: Set<string>;
  /** Raw SQL, whose reads the names after FROM and JOIN may not cover (a view, a function). */
  raw: boolean;
};

const name = String.raw`((?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?)`;
const writes = new RegExp(String.raw`\b(?:INSERT\s+INTO|UPDATE(?:\s+ONLY)?|DELETE\s+FROM(?:\s+ONLY)?|TRUNCATE(?:\s+TABLE)?(?:\s+ONLY)?|MERGE\s+INTO)\s+${name}`, "gi");
const reads = new RegExp(String.raw`\b(?:FROM|JOIN)(?:\s+ONLY)?\s+${name}`, "gi");

export const everyTable = "*";

export function planTables(plan: unknown): PlanTables {
  const tables: PlanTables = { read: new Set(), written: new Set(), raw: false };
  visit(plan, tables);
  return tables;
}

function visit(node: unknown, tables: PlanTables) {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, tables);
    return;
  }
  if (!node || typeof node !== "object") return;
  const { type, args } = node as { type?: unknown; args?: { type?: unknown; fragments?: unknown; sql?: unknown } };
  if ((type === "query" || type === "execute") && args && typeof args === "object") {
    if (args.type === "templateSql" && Array.isArray(args.fragments)) {
      const sql = args.fragments.map((fragment: { type?: string; chunk?: string }) => (fragment.type === "stringChunk" ? fragment.chunk : " $ ")).join("");
      collect(sql, tables, false);
      return;
    }
    if (args.type === "rawSql" && typeof args.sql === "string") {
      tables.raw = true;
      collect(args.sql, tables, true);
      return;
    }
  }
  for (const value of Object.values(node)) visit(value, tables);
}

function collect(sql: string, tables: PlanTables, raw: boolean) {
  const before = tables.written.size;
  for (const [, table] of sql.matchAll(writes)) tables.written.add(normalize(table!));
  for (const [, table] of sql.matchAll(reads)) tables.read.add(normalize(table!));
  // A raw statement may call a function or a procedure that writes: only a SELECT or a VALUES that names no write
  // is a plain read.
  if (raw && tables.written.size === before && !/^\s*(?:\(\s*)*(?:SELECT|VALUES|WITH|TABLE|SHOW|EXPLAIN)\b/i.test(sql)) tables.written.add(everyTable);
}

/** `"public"."projects"` → `public.projects`; a bare name is lower-cased as PostgreSQL folds it. */
function normalize(table: string): string {
  return table
    .split(/\s*\.\s*/)
    .map((part) => (part.startsWith('"') ? part.slice(1, -1).replaceAll('""', '"') : part.toLowerCase()))
    .join(".");
}
