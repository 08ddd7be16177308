// @ts-check
// A failed migration as the native engine words it (P3018): the server's error, where in the script it happened,
// and the error's fields the way the Rust driver prints them.

/**
 * @typedef {{ code: string, severity: string, message: string, detail?: string, hint?: string, position?: string,
 *   internalPosition?: string, internalQuery?: string, where?: string, schema?: string, table?: string,
 *   column?: string, dataType?: string, constraint?: string, file?: string, line?: string, routine?: string,
 *   script?: string }} ServerError
 */

/** @param {string} migrationName @param {ServerError} error */
export function migrationFailed(migrationName, error) {
  const { code, severity, message, detail, hint } = error;
  const quoted = [`${severity}: ${message}`, detail && `DETAIL: ${detail}`, hint && `HINT: ${hint}`].filter(Boolean);
  return [
    "A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve",
    `Migration name: ${migrationName}`,
    `Database error code: ${code}`,
    `Database error:\n${quoted.join("\n")}${errorPosition(error)}\n\n${debugDbError(error)}`,
  ].join("\n\n");
}

const bold = (/** @type {string} */ text) => `\x1b[1m${text}\x1b[0m`;
const pad = (/** @type {number} */ n) => String(n).padStart(3);

/**
 * The failing line and up to five before it, numbered. The server counts the position in characters from 1; the
 * lines are walked in bytes, each with its newline, as the native engine walks them. Its numbering of the lines
 * before the failing one is kept as it is, starting at 0 when the failure is near the top.
 * @param {ServerError} error
 */
export function errorPosition({ position, script }) {
  const at = Number(position);
  if (!script || !Number.isInteger(at) || at < 1) return "";
  const lines = script.replace(/\n$/, "").split("\n").map((line) => line.replace(/\r$/, ""));
  let previous = ["", "", "", "", ""];
  let byteIndex = 0;
  for (const [index, line] of lines.entries()) {
    const lineNumber = index + 1;
    byteIndex += Buffer.byteLength(line) + 1;
    if (at <= byteIndex) {
      const numbered = previous
        .map((text, slot) => ({ text, number: lineNumber - (previous.length - slot) }))
        .filter(({ number }) => number >= 0)
        .map(({ text, number }) => `${bold(pad(number))}${text === "" ? "" : " "}${text}`)
        .join("\n");
      return `\n\nPosition:\n${numbered}\n\x1b[1m${pad(lineNumber)}\x1b[1;31m ${line}\x1b[0m`;
    }
    previous = [...previous.slice(1), line];
  }
  return "";
}

const SEVERITIES = { ERROR: "Error", FATAL: "Fatal", PANIC: "Panic", WARNING: "Warning", NOTICE: "Notice", DEBUG: "Debug", INFO: "Info", LOG: "Log" };

/** A string as Rust's Debug prints it. @param {string} text */
const rustString = (text) =>
  `"${text.replace(/[\\"\n\r\t]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c] ?? c)}"`;

/** @param {string | undefined} value @param {(v: string) => string} [show] */
const option = (value, show = rustString) => (value === undefined || value === null ? "None" : `Some(${show(value)})`);

/**
 * The driver's Debug rendering of the error, which the native message ends with.
 * @param {ServerError} error
 */
export function debugDbError(error) {
  const severity = /** @type {keyof typeof SEVERITIES} */ (error.severity);
  const fields = [
    ["severity", rustString(error.severity)],
    ["parsed_severity", option(SEVERITIES[severity], (s) => s)],
    ["code", `SqlState(E${error.code})`],
    ["message", rustString(error.message)],
    ["detail", option(error.detail)],
    ["hint", option(error.hint)],
    [
      "position",
      error.position
        ? `Some(Original(${error.position}))`
        : error.internalPosition
          ? `Some(Internal { position: ${error.internalPosition}, query: ${rustString(error.internalQuery ?? "")} })`
          : "None",
    ],
    ["where_", option(error.where)],
    ["schema", option(error.schema)],
    ["table", option(error.table)],
    ["column", option(error.column)],
    ["datatype", option(error.dataType)],
    ["constraint", option(error.constraint)],
    ["file", option(error.file)],
    ["line", option(error.line, (n) => n)],
    ["routine", option(error.routine)],
  ];
  return `DbError { ${fields.map(([name, value]) => `${name}: ${value}`).join(", ")} }`;
}
