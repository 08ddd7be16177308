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
