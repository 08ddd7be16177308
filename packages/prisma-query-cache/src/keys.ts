// A cached read is found again by what it asked for: the model, the operation and every argument.
import { hash } from "node:crypto";

/** JSON with object keys sorted, so two spellings of one query share an entry; typed values keep their type. */
export function stableStringify(value: unknown): string {
  // Arguments as code usually writes them need nothing JSON.stringify does not do, and it does it several times faster.
  return writesAsJson(value) ? JSON.stringify(value) : stableText(value);
}

/** Whether JSON.stringify writes `value` as stableText would: plain data only, every object's keys in sorted order. */
function writesAsJson(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (value[i] !== undefined && !writesAsJson(value[i])) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  let previous = "";
  for (const key in value) {
    if (key <= previous && previous !== "") return false;
    previous = key;
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined && !writesAsJson(field)) return false;
  }
  return true;
}

function stableText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "bigint":
      return `{"$bigint":"${value}"}`;
    case "number":
      // JSON would write NaN and the infinities as null, which a query can also ask for.
      return Number.isFinite(value) ? String(value) : `{"$number":"${value}"}`;
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new TypeError(`a cached query's arguments cannot hold a ${typeof value}`);
  }
  // Built by concatenation, without the arrays that map/filter/join would allocate: a key is made on every read.
  if (Array.isArray(value)) {
    let text = "[";
    for (let i = 0; i < value.length; i++) text += (i ? "," : "") + stableText(value[i]);
    return `${text}]`;
  }
  if (value instanceof Date) return `{"$date":${JSON.stringify(value.toISOString())}}`;
  if (value instanceof Uint8Array) return `{"$bytes":"${Buffer.from(value).toString("base64")}"}`;
  // Decimal and other value classes: their own string form (a plain object has no custom toString).
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    return `{"$${value.constructor.name}":${JSON.stringify(String(value))}}`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort();
  let text = "{";
  for (const key of keys) {
    if (record[key] === undefined) continue;
    text += `${text.length > 1 ? "," : ""}${JSON.stringify(key)}:${stableText(record[key])}`;
  }
  return `${text}}`;
}

// Long argument lists would make long keys, and L1 keeps every key it stores: past this length a key holds the
// arguments' digest. Below it the text itself is cheaper: between two queries OpenSSL's code and tables have gone
// cold, and one SHA-256 call costs a miss about 9 us, against 1 us in a tight loop.
const LONGEST_TEXT_KEY = 256;

/**
 * The key of a read: the model, the operation and the arguments, written out in full or, when long, as their
 * SHA-256 digest (`#` marks one; no argument text starts with it). SHA-256, so that no two queries share a key
 * even when a client chooses the arguments.
 */
export function queryKey(model: string, operation: string, args: unknown): string {
  const text = stableStringify(args ?? {});
  return `${model}.${operation}:${text.length <= LONGEST_TEXT_KEY ? text : `#${hash("sha256", text, "base64url")}`}`;
}
