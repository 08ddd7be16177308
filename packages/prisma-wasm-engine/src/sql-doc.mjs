// @ts-check
// The `-- @description` and `-- @param` comments of a TypedSQL file, read as the native engine reads them.

const SCALAR_TYPES = {
  Int: "int",
  BigInt: "bigint",
  Float: "float",
  Boolean: "bool",
  String: "string",
  DateTime: "datetime",
  Json: "json",
  Bytes: "bytes",
  Decimal: "decimal",
};
const ACCEPTED = Object.keys(SCALAR_TYPES)
  .map((name) => `'${name}'`)
  .join(", ");

/**
 * @typedef {{ position?: number, alias?: string, typ?: string, nullable?: boolean, documentation?: string }} ParamDoc
 * @typedef {{ description?: string, params: ParamDoc[] }} SqlDoc
 */

export class SqlDocError extends Error {}

/** @param {string} at @param {string} message */
const fail = (at, message) => new SqlDocError(`SQL documentation parsing: ${message} at '${at}'.`);

/**
 * @param {string} source the file's text
 * @param {string[]} enumNames the database's enum types, which `{Type}` may also name
 * @returns {SqlDoc}
 */
export function parseSqlDoc(source, enumNames) {
  /** @type {SqlDoc} */
  const doc = { params: [] };
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith("--")) continue;
    const comment = line.slice(2).trimStart();
    if (comment.startsWith("@description")) {
      doc.description = rest(comment.slice("@description".length));
    } else if (comment.startsWith("@param")) {
      const param = parseParam(comment, enumNames);
      if (doc.params.some((p) => (param.position !== undefined && p.position === param.position) || (param.alias !== undefined && p.alias === param.alias))) {
        throw fail(comment, "duplicate parameter (position or alias is already used)");
      }
      doc.params.push(param);
    }
  }
  return doc;
}

/** @param {string} text */
function rest(text) {
  const trimmed = text.trim();
  return trimmed === "" ? undefined : trimmed;
}

/**
 * `@param {Type} $1:alias? documentation`: every part optional, but a position or an alias is required.
 * @param {string} comment
 * @param {string[]} enumNames
 * @returns {ParamDoc}
 */
function parseParam(comment, enumNames) {
  let input = comment.slice("@param".length).trimStart();
  /** @type {ParamDoc} */
  const param = {};

  const open = input.indexOf("{");
  if (open !== -1) {
    const close = input.indexOf("}");
    if (close === -1) throw fail(input, "missing closing bracket");
    const name = input.slice(open + 1, close);
    const enums = enumNames.map((e) => `, '${e}'`).join("");
    if (name === "") throw fail(input, `missing type (accepted types are: ${ACCEPTED})`);
    if (name in SCALAR_TYPES) param.typ = SCALAR_TYPES[/** @type {keyof typeof SCALAR_TYPES} */ (name)];
    else if (enumNames.includes(name)) param.typ = name;
    else throw fail(input, `invalid type: '${name}' (accepted types are: ${ACCEPTED}${enums})`);
    input = input.slice(close + 1);
  }

  const afterSpace = input.trimStart();
  if (afterSpace.startsWith("$")) {
    const [tail, token] = takeUntil(afterSpace.slice(1), [":", " "]);
    if (!/^\d+$/.test(token)) throw fail(input, `invalid position. Expected a number found: ${token}`);
    param.position = Number(token);
    input = tail;
  }

  const aliasStart = input.trimStart();
  if (aliasStart.startsWith(":")) {
    const [tail, token] = takeUntil(aliasStart.slice(1), [" "]);
    if (token.endsWith("?")) {
      param.alias = token.slice(0, -1);
      param.nullable = true;
    } else {
      param.alias = token;
    }
    input = tail;
  }

  param.documentation = rest(input);
  if (Object.values(param).every((value) => value === undefined)) {
    throw fail(comment, "invalid parameter: could not parse any information");
  }
  if (param.position === undefined && param.alias === undefined) {
    throw fail(comment, "missing position or alias (eg: $1:alias)");
  }
  return param;
}

/**
 * @param {string} input
 * @param {string[]} stops
 * @returns {[string, string]} what is left from the first stop on, and what came before it
 */
function takeUntil(input, stops) {
  const indexes = stops.map((stop) => input.indexOf(stop)).filter((index) => index !== -1);
  const end = indexes.length > 0 ? Math.min(...indexes) : input.length;
  return [input.slice(end), input.slice(0, end)];
}

/**
 * The statement as the native engine sends it: every line trimmed and comment lines dropped (so `:alias` in a
 * comment never reads as a parameter). `lines[i]` is the 1-based line of the file that line `i` came from.
 * @param {string} source
 */
export function sanitizeSql(source) {
  // Lines as Rust's `str::lines` gives them: a final newline ends the last line, it does not start another.
  const kept = source
    .replace(/\r?\n$/, "")
    .split(/\r?\n/)
    .map((line, index) => ({ text: line.trim(), line: index + 1 }))
    .filter(({ text }) => !text.startsWith("--"));
  return { sql: kept.map(({ text }) => text).join("\n"), lines: kept.map(({ line }) => line) };
}
