// L1 keeps results as objects, not JSON: parsing a list of rows back from text (with its Dates) cost a cached read
// several times more than copying it. Every caller gets its own copy, so a caller that changes its result cannot
// change what the next one is served.

/**
 * A deep copy of a query result: plain objects and arrays are copied, Dates and Uint8Arrays too; Decimals and other
 * value classes are immutable and shared.
 */
export function copyResult<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    // A spread copies a row in one step (V8 clones its layout); only the fields holding objects need more.
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const key in copy) {
      const field = copy[key];
      if (typeof field === "object" && field !== null) copy[key] = copyResult(field);
    }
    return copy as T;
  }
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = copyResult(value[i]);
    return copy as T;
  }
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value instanceof Uint8Array) return value.slice() as T;
  return value;
}

// V8's sizes, rounded up: an object header and a slot per field; a string's characters (two bytes each at worst).
const OBJECT = 32;
const FIELD = 16;

/** About how many bytes a result takes in memory, for L1's bound; within a small factor of the truth, never 0. */
export function estimateBytes(value: unknown): number {
  switch (typeof value) {
    case "string":
      return 16 + 2 * value.length;
    case "object":
      break;
    default:
      return 8;
  }
  if (value === null) return 8;
  if (Array.isArray(value)) {
    let bytes = OBJECT;
    for (const item of value) bytes += 8 + estimateBytes(item);
    return bytes;
  }
  if (value instanceof Date) return OBJECT;
  if (value instanceof Uint8Array) return OBJECT + value.byteLength;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return OBJECT + 2 * String(value).length;
  let bytes = OBJECT;
  for (const key in value) bytes += FIELD + estimateBytes((value as Record<string, unknown>)[key]);
  return bytes;
}
