// A cached read is found again by what it asked for: the model, the operation and every argument.
import { hash } from "node:crypto";

/** JSON with object keys sorted, so two spellings of one query share an entry; typed values keep their type. */
export function stableStringify(value: unknown): string {
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
    for (let i = 0; i < value.length; i++) text += (i ? "," : "") + stableStringify(value[i]);
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
    text += `${text.length > 1 ? "," : ""}${JSON.stringify(key)}:${stableStringify(record[key])}`;
  }
  return `${text}}`;
}

/**
 * The arguments as a digest: L1 keeps every key it stores alive, and a short key made a miss a quarter cheaper than
 * the text it stands for. SHA-256, so that no two queries share a key even when a client chooses the arguments.
 */
export function queryKey(model: string, operation: string, args: unknown): string {
  return `${model}.${operation}:${hash("sha256", stableStringify(args ?? {}), "base64url")}`;
}
