// @ts-check
// TypedSQL's `introspectSql`, answered here: the wasm engine cannot describe a statement. PostgreSQL can, without
// running it (Parse + Describe); the answer is mapped to the JSON the native engine returns, nullability included.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { parseUrl } from "./postgres.mjs";
import { parseSqlDoc, sanitizeSql, SqlDocError } from "./sql-doc.mjs";

/**
 * The native engine's names for PostgreSQL's built-in types (quaint's column types). Every other type reads as
 * `string`, every other array as `string-array`, an enum by its name.
 * @type {Record<number, string>}
 */
const TYPE_BY_OID = {
  16: "bool",
  21: "int",
  23: "int",
  20: "bigint",
  26: "bigint",
  700: "float",
  701: "double",
  17: "bytes",
  1700: "decimal",
  790: "decimal",
  1114: "datetime",
  1184: "datetime",
  1082: "date",
  1083: "time",
  1266: "time",
  2950: "uuid",
  114: "json",
  3802: "json",
  142: "xml",
  18: "char",
  1000: "bool-array",
  1005: "int-array",
  1007: "int-array",
  1016: "bigint-array",
  1028: "bigint-array",
  1021: "float-array",
  1022: "double-array",
  1001: "bytes-array",
  1231: "decimal-array",
  791: "decimal-array",
  1115: "datetime-array",
  1185: "datetime-array",
  1182: "date-array",
  1183: "time-array",
  1270: "time-array",
  2951: "uuid-array",
  199: "json-array",
  3807: "json-array",
};

/**
 * @typedef {{ name: string, tableID: number, columnID: number, dataTypeID: number }} Field
 * @typedef {{ paramOids: number[], fields: Field[] }} Description
 * @typedef {{ name: string, source: string, fileName?: string }} QueryInput
 */

/**
 * A named statement parsed and described without being run, through pg's extension point for custom messages (a
 * "submittable", as pg-cursor uses). The statement stays prepared on the connection until deallocated.
 */
class DescribeStatement {
  /** @param {string} name @param {string} text */
  constructor(name, text) {
    this.name = name;
    this.text = text;
    /** @type {Description} */
    this.description = { paramOids: [], fields: [] };
    /** @type {Promise<Description>} */
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** @param {any} connection pg's Connection */
  submit(connection) {
    /** @param {{ dataTypeIDs: number[] }} message */
    const onParameters = (message) => void (this.description.paramOids = message.dataTypeIDs);
    connection.on("parameterDescription", onParameters);
    this.stopListening = () => connection.removeListener("parameterDescription", onParameters);
    connection.parse({ name: this.name, text: this.text, types: [] });
    connection.describe({ type: "S", name: this.name });
    connection.sync();
  }

  /** @param {{ fields: Field[] }} message */
  handleRowDescription(message) {
    this.description.fields = message.fields;
  }

  // pg lets go of the query on an error: the ReadyForQuery that follows never reaches it.
  /** @param {Error} error */
  handleError(error) {
    this.stopListening?.();
    this.reject?.(error);
  }

  handleReadyForQuery() {
    this.stopListening?.();
    this.resolve?.(this.description);
  }

  // Messages a Describe does not produce; pg calls these on any active query.
  handleDataRow() {}
  handleCommandComplete() {}
  handleEmptyQuery() {}
  handlePortalSuspended() {}
}

/** @param {pg.Client} client @param {string} name @param {string} text */
async function describe(client, name, text) {
  const statement = new DescribeStatement(name, text);
  client.query(/** @type {any} */ (statement));
  return statement.done;
}

/**
 * Columns that come straight from a table column are nullable unless NOT NULL; computed ones are nullable (the
 * native engine cannot tell, and says so by assuming the worst).
 * @param {pg.Client} client
 * @param {Field[]} fields
 * @returns {Promise<(boolean | undefined)[]>}
 */
async function attributeNullability(client, fields) {
  if (fields.length === 0) return [];
  const { rows } = await client.query(
    `select not a.attnotnull as nullable
       from unnest($1::int8[], $2::int4[]) with ordinality as col(table_id, col_idx, idx)
       left join pg_catalog.pg_attribute a on col.table_id <> 0 and a.attrelid = col.table_id and a.attnum = col.col_idx
      order by col.idx`,
    [fields.map((f) => f.tableID), fields.map((f) => f.columnID)],
  );
  return rows.map((row) => row.nullable ?? undefined);
}

/**
 * The outputs of the inner side of an outer join (both sides of a full join) can be null whatever their column
 * says; EXPLAIN names them. Run with NULL for every parameter, which plans but never executes.
 * @param {pg.Client} client
 * @param {string} name
 * @param {number} paramCount
 * @param {number} columnCount
 */
async function explainNullability(client, name, paramCount, columnCount) {
  const args = paramCount > 0 ? `(${Array(paramCount).fill("NULL").join(", ")})` : "";
  /** @type {(boolean | undefined)[]} */
  const nullables = Array(columnCount).fill(undefined);
  let plan;
  try {
    const { rows } = await client.query(`EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE ${name}${args}`);
    plan = rows[0]?.["QUERY PLAN"]?.[0]?.Plan;
  } catch {
    // Statements EXPLAIN cannot take (DDL, utility commands) keep what pg_attribute said.
    return nullables;
  }
  const outputs = plan?.Output;
  if (!Array.isArray(outputs)) return nullables;
  visitPlan(plan, outputs, nullables);
  return nullables;
}

/** @param {any} plan @param {string[]} outputs @param {(boolean | undefined)[]} nullables */
function visitPlan(plan, outputs, nullables) {
  if (Array.isArray(plan.Output) && (plan["Join Type"] === "Full" || plan["Parent Relationship"] === "Inner")) {
    for (const output of plan.Output) {
      const index = outputs.indexOf(output);
      if (index !== -1) nullables[index] = true;
    }
  }
  if (Array.isArray(plan.Plans) && ["Left", "Right", "Full"].includes(plan["Join Type"])) {
    for (const child of plan.Plans) visitPlan(child, outputs, nullables);
  }
}

/**
 * @param {pg.Client} client
 * @param {number[]} oids
 * @returns {Promise<Map<number, { typname: string, typtype: string, typcategory: string }>>}
 */
async function typesByOid(client, oids) {
  if (oids.length === 0) return new Map();
  const { rows } = await client.query(
    "select oid::int8 as oid, typname, typtype, typcategory from pg_catalog.pg_type where oid = any($1::oid[])",
    [oids],
  );
  return new Map(rows.map((row) => [Number(row.oid), row]));
}

/** @param {{ typname: string, typtype: string, typcategory: string } | undefined} type @param {number} oid */
function columnType(type, oid) {
  if (TYPE_BY_OID[oid]) return TYPE_BY_OID[oid];
  return type?.typcategory === "A" ? "string-array" : "string";
}

/**
 * One query, described the way the native engine describes it.
 * @param {pg.Client} client
 * @param {QueryInput} query
 * @param {string[]} enumNames
 */
async function introspectQuery(client, query, enumNames) {
  const { sql, lines } = sanitizeSql(query.source);
  const doc = parseSqlDoc(query.source, enumNames);
  const name = `prisma_introspect_${randomBytes(6).toString("hex")}`;
  let description;
  try {
    description = await describe(client, name, sql);
  } catch (error) {
    throw new IntrospectionError(withLine(/** @type {any} */ (error), sql, lines));
  }
  try {
    const { paramOids, fields } = description;
    const types = await typesByOid(client, [...new Set([...paramOids, ...fields.map((f) => f.dataTypeID)])]);
    const fromTable = await attributeNullability(client, fields);
    const fromPlan = await explainNullability(client, name, paramOids.length, fields.length);

    const resultColumns = fields.map((field, index) => {
      if (field.name === "?column?") {
        throw new IntrospectionError(
          `Invalid column name '?column?' for index ${index}. Your SQL query must explicitly alias that column name.`,
        );
      }
      const type = types.get(field.dataTypeID);
      return {
        name: field.name,
        typ: type?.typtype === "e" ? type.typname : columnType(type, field.dataTypeID),
        nullable: fromPlan[index] ?? fromTable[index] ?? true,
      };
    });

    const parameters = paramOids.map((oid, index) => {
      const type = types.get(oid);
      const defaultName = type?.typname ?? String(oid);
      const annotated = doc.params.find((p) => p.position === index + 1) ?? doc.params.find((p) => p.alias === defaultName);
      return {
        name: annotated?.alias ?? defaultName,
        typ: annotated?.typ ?? columnType(type, oid),
        documentation: annotated?.documentation ?? null,
        // Parameters are required unless the file says `:alias?`.
        nullable: annotated?.nullable ?? false,
      };
    });

    return { name: query.name, source: sql, documentation: doc.description ?? null, parameters, resultColumns };
  } finally {
    await client.query(`DEALLOCATE ${name}`).catch(() => {});
  }
}

export class IntrospectionError extends Error {}

/**
 * The server's error, with the line and column of the file it points at (the server counts characters of the
 * statement sent, whose comment lines were dropped).
 * @param {{ message: string, position?: string }} error
 * @param {string} sql
 * @param {number[]} lines
 */
function withLine(error, sql, lines) {
  const position = Number(error.position);
  if (!Number.isInteger(position) || position < 1) return error.message;
  const before = [...sql].slice(0, position - 1).join("");
  const statementLine = before.split("\n").length - 1;
  const column = before.length - before.lastIndexOf("\n");
  return `${error.message} (line ${lines[statementLine] ?? statementLine + 1}, column ${column})`;
}

/**
 * `introspectSql` for `{ url, queries }`; one connection for them all.
 * @param {{ url: string, queries: QueryInput[] }} params
 */
export async function introspectSql({ url, queries }) {
  const client = new pg.Client(parseUrl(url).pgConfig);
  await client.connect();
  try {
    const { rows } = await client.query("select typname from pg_catalog.pg_type where typtype = 'e'");
    const enumNames = rows.map((row) => row.typname);
    const results = [];
    for (const query of queries) {
      try {
        results.push(await introspectQuery(client, query, enumNames));
      } catch (error) {
        if (error instanceof SqlDocError || error instanceof IntrospectionError) throw error;
        throw new IntrospectionError(/** @type {Error} */ (error).message);
      }
    }
    return { queries: results };
  } finally {
    await client.end().catch(() => {});
  }
}
