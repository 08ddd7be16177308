// What an L1 entry costs the heap, for L1's bound: its key, its result and the bookkeeping around them, as V8 lays
// them out on 64-bit Node.js, whose builds keep full 8-byte pointers. A bound that counted less would let the cache
// hold several times its setting (test/unit/l1-heap.test.ts measures the heap against it).

const SLOT = 8;
// map, properties and elements, and the four fields V8 gives an object built up from `{}` as Prisma builds its rows;
// past those, a property array (header and fields), grown three fields at a time.
const OBJECT = 24 + 4 * SLOT;
const PROPERTY_ARRAY = 16;
const objectBytes = (fields: number) => OBJECT + (fields > 4 ? PROPERTY_ARRAY + 3 * SLOT * Math.ceil((fields - 4) / 3) : 0);
// JSArray (map, properties, elements, length) and the header of the store behind it
const ARRAY = 48;
// map, hash and length
const STRING = 16;
// A number that is not a small integer lives in a box of its own.
const HEAP_NUMBER = 16;
// JSDate: its time value (boxed) and the fields it caches (year, month, day, weekday, hour, minute, second, stamp)
const DATE = 112;
// JSTypedArray and its JSArrayBuffer; the bytes come on top, on the heap or off it (process.memoryUsage().arrayBuffers)
const TYPED_ARRAY = 176;
// The entry object L1 keeps (result, creation and expiry times, both boxed), and the LRU's per-key bookkeeping: its
// map's slot and the parallel arrays of keys, values, links, sizes, TTLs and start times.
const ENTRY = 192;
// Small integers (Smis) are stored in the slot itself: 31 bits and a sign on 64-bit builds.
const SMI_MAX = 2 ** 31 - 1;
const SMI_MIN = -(2 ** 31);

// A character past U+00FF makes V8 store the whole string at two bytes a character. The test costs nothing on
// one-byte strings: V8's regular expressions know such a string cannot match.
const twoByte = /[^\0-\xff]/;

/** A string's size on the heap, header included. */
export function stringBytes(text: string): number {
  const characters = twoByte.test(text) ? 2 * text.length : text.length;
  return Math.ceil((STRING + characters) / 8) * 8;
}

/** A value's size on the heap beyond the slot that holds it; what its objects and strings reach is counted in full. */
export function valueBytes(value: unknown): number {
  switch (typeof value) {
    case "string":
      return stringBytes(value);
    case "number":
      return Number.isInteger(value) && value >= SMI_MIN && value <= SMI_MAX ? 0 : HEAP_NUMBER;
    case "bigint":
      // A header and 64 bits a digit.
      return STRING + 8 * Math.max(1, Math.ceil((value < 0n ? -value : value).toString(16).length / 16));
    case "object":
      break;
    default:
      return 0;
  }
  if (value === null) return 0;
  if (Array.isArray(value)) {
    let bytes = ARRAY + SLOT * value.length;
    for (let i = 0; i < value.length; i++) bytes += valueBytes(value[i]);
    return bytes;
  }
  if (value instanceof Date) return DATE;
  if (value instanceof Uint8Array) return TYPED_ARRAY + value.byteLength;
  let bytes = 0;
  let fields = 0;
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    for (const key in value) {
      bytes += valueBytes((value as Record<string, unknown>)[key]);
      fields++;
    }
  } else {
    // A value class (a Decimal): its own fields, not the methods its prototype lends it.
    for (const key of Object.keys(value)) {
      bytes += valueBytes((value as Record<string, unknown>)[key]);
      fields++;
    }
  }
  return objectBytes(fields) + bytes;
}

/** What L1 counts for keeping `value` under `key`. */
export const entryBytes = (key: string, value: unknown) => ENTRY + stringBytes(key) + valueBytes(value);

/**
 * The same text as one flat string. V8 keeps a string built by concatenation as a tree of its pieces, 32 bytes a
 * join, which held several times a key's characters per L1 entry. Reading a character flattens the tree in place,
 * and the garbage collector then drops the pieces and the tree's root.
 */
export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
