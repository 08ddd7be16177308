// A cached read is found again by what it asked for: the model, the operation and every argument.
import { createHash } from "node:crypto";

/** JSON with object keys sorted, so two spellings of one query share an entry; typed values keep their type. */
export function stableStringify(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "bigint":
      return `{"$bigint":"${value}"}`;
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new TypeError(`a cached query's arguments cannot hold a ${typeof value}`);
  }
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value instanceof Date) return `{"$date":${JSON.stringify(value.toISOString())}}`;
  if (value instanceof Uint8Array) return `{"$bytes":"${Buffer.from(value).toString("base64")}"}`;
  // Decimal and other value classes: their own string form (a plain object has no custom toString).
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    return `{"$${value.constructor.name}":${JSON.stringify(String(value))}}`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, field]) => field !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${stableStringify(field)}`).join(",")}}`;
}

/** At most ~300 characters whatever the arguments: long ones are hashed, so a key never grows with a request. */
export function queryKey(model: string, operation: string, args: unknown): string {
  const text = stableStringify(args ?? {});
  // Hashing costs more than the lookup it serves; most keys are short enough to use as they are.
  const digest = text.length <= 256 ? text : `#${createHash("sha256").update(text).digest("base64url")}`;
  return `${model}.${operation}:${digest}`;
}
