// Which models a query reads or writes, from its arguments and the schema's relations: the automatic tags.
import type { RuntimeDataModel } from "./types.ts";

/** Each model's relation fields and the model each leads to; each table's model. */
export type ModelGraph = {
  relations: Record<string, Record<string, string>>;
  tables: Record<string, string>;
};

export function modelGraph(dataModel: RuntimeDataModel): ModelGraph {
  const relations: ModelGraph["relations"] = {};
  const tables: ModelGraph["tables"] = {};
  for (const [model, { dbName, fields }] of Object.entries(dataModel.models)) {
    relations[model] = Object.fromEntries(fields.filter((field) => field.kind === "object").map((field) => [field.name, field.type]));
    tables[dbName ?? model] = model;
  }
  return { relations, tables };
}

export const readOperations = new Set([
  "findUnique",
  "findUniqueOrThrow",
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "count",
  "aggregate",
  "groupBy",
]);

const writeOperations = new Set([
  "create",
  "createMany",
  "createManyAndReturn",
  "update",
  "updateMany",
  "updateManyAndReturn",
  "upsert",
  "delete",
  "deleteMany",
]);

// A delete cascades (or sets null) along relations the arguments never name.
const deletes = new Set(["delete", "deleteMany", "upsert"]);

/** The models a read's result depends on: its own and every one its include, select, filters and counts reach. */
export function modelsRead(graph: ModelGraph, model: string, args: unknown): Set<string> {
  const models = new Set([model]);
  walk(graph, model, args, models);
  return models;
}

/**
 * The models a write may change; null when that cannot be told from the arguments and every model must count as
 * changed (an operation this module does not know, raw SQL that writes).
 */
export function modelsWritten(graph: ModelGraph, model: string | undefined, operation: string, args: unknown): Set<string> | null {
  if (!model) return rawWrites(operation, args) ? null : new Set();
  if (readOperations.has(operation)) return new Set();
  if (!writeOperations.has(operation)) return null;
  const models = new Set([model]);
  const { where: _where, select: _select, include: _include, omit: _omit, ...changes } = (args ?? {}) as Record<string, unknown>;
  walk(graph, model, changes, models);
  if (deletes.has(operation)) for (const reached of connected(graph, model)) models.add(reached);
  return models;
}

function walk(graph: ModelGraph, model: string, value: unknown, into: Set<string>) {
  if (Array.isArray(value)) {
    for (const item of value) walk(graph, model, item, into);
    return;
  }
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return;
  const relations = graph.relations[model] ?? {};
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    const related = relations[key];
    if (related) {
      into.add(related);
      walk(graph, related, field, into);
    } else if (key === "_count" && field === true) {
      for (const counted of Object.values(relations)) into.add(counted);
    } else if (typeof field === "object" && field !== null) {
      walk(graph, model, field, into);
    }
  }
}

function connected(graph: ModelGraph, model: string): Set<string> {
  const reached = new Set([model]);
  const queue = [model];
  for (let next = queue.pop(); next; next = queue.pop()) {
    for (const related of Object.values(graph.relations[next] ?? {})) {
      if (reached.has(related)) continue;
      reached.add(related);
      queue.push(related);
    }
  }
  return reached;
}

/** Whether a raw operation may write. Reads are recognised only when the statement plainly is one. */
function rawWrites(operation: string, args: unknown): boolean {
  if (operation !== "$queryRaw" && operation !== "$queryRawUnsafe" && operation !== "$queryRawTyped") return true;
  const sql = sqlOf(args);
  return sql === undefined || statementWrites(sql);
}

function sqlOf(args: unknown): string | undefined {
  if (typeof args === "string") return args;
  if (Array.isArray(args)) return sqlOf(args[0]);
  if (args && typeof args === "object") {
    const { sql, strings } = args as { sql?: unknown; strings?: unknown };
    if (typeof sql === "string") return sql;
    if (Array.isArray(strings)) return strings.join("?");
  }
  return undefined;
}

const readStatement = /^(select|with|values|show|explain|table)\b/;
// A function called from a SELECT can still write; those go through $executeRaw or rely on the NOTIFY triggers.
const writeWord =
  /\b(insert|update|delete|truncate|merge|copy|alter|drop|create|grant|revoke|call|do|refresh|reindex|vacuum|cluster|lock|comment|into|import|security|set_config|pg_notify|nextval|setval)\b/;

/** True unless the statement is a plain read; `for update`/`for share` locks count as reads. */
export function statementWrites(sql: string): boolean {
  const text = sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .toLowerCase()
    .replace(/\bfor\s+(no\s+key\s+update|update|key\s+share|share)\b/g, " ")
    .trim();
  return !readStatement.test(text) || writeWord.test(text);
}

/** The models behind the tables a NOTIFY names; an unknown table counts as every model. */
export function modelsForTables(graph: ModelGraph, tables: string[]): Set<string> | null {
  const models = new Set<string>();
  for (const table of tables) {
    const model = graph.tables[table];
    if (!model) return null;
    models.add(model);
  }
  return models;
}
