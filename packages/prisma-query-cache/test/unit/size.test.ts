import { Decimal } from "@prisma/client/runtime/client";
import { describe, expect, it } from "vitest";
import { entryBytes, flat, stringBytes, valueBytes } from "../../src/size.ts";

describe("what L1 counts", () => {
  it("a string at one byte a character, two once one is past U+00FF, with its header", () => {
    expect(stringBytes("")).toBe(16);
    expect(stringBytes("a".repeat(10_000))).toBe(10_016);
    expect(stringBytes("é".repeat(10_000))).toBe(10_016);
    expect(stringBytes(`${"a".repeat(9_999)}走`)).toBe(20_016);
  });

  it("numbers in their slot unless they need a box of their own", () => {
    expect(valueBytes(12)).toBe(0);
    expect(valueBytes(2 ** 31 - 1)).toBe(0);
    expect(valueBytes(2 ** 31)).toBe(16);
    expect(valueBytes(0.5)).toBe(16);
    expect(valueBytes(null)).toBe(0);
    expect(valueBytes(true)).toBe(0);
  });

  it("objects, arrays and what they reach, Dates and bytes with their own size", () => {
    const row = { id: "0195f3b2-0000-7000-8000-000000000000", at: new Date(0), n: 1 };
    expect(valueBytes([row, row])).toBe(48 + 16 + 2 * valueBytes(row));
    expect(valueBytes({ a: 1, b: 2, c: 3, d: 4, e: 5 })).toBeGreaterThan(valueBytes({ a: 1, b: 2, c: 3, d: 4 }));
    expect(valueBytes({ bytes: new Uint8Array(4096) })).toBeGreaterThan(4096);
    expect(valueBytes(new Date())).toBeGreaterThan(valueBytes({}));
    expect(valueBytes(2n ** 200n)).toBeGreaterThan(valueBytes(1n));
  });

  it("a Decimal by its own fields, not its prototype's methods", () => {
    expect(valueBytes(new Decimal("12.50"))).toBeLessThan(256);
    expect(valueBytes(new Decimal("1".repeat(100)))).toBeGreaterThan(valueBytes(new Decimal("1")));
  });

  it("an entry for its key and bookkeeping too: never 0, as the LRU requires", () => {
    expect(entryBytes("k", null)).toBeGreaterThan(0);
    expect(Number.isInteger(entryBytes("k", { a: 0.5 }))).toBe(true);
    expect(entryBytes("k".repeat(100), null) - entryBytes("k", null)).toBeGreaterThanOrEqual(96);
  });

  it("flattens a key without changing it", () => {
    const key = ["Project", "findUnique", JSON.stringify({ where: { id: "走" } })].join(":") + "@m.0";
    expect(flat(key)).toBe(key);
  });
});
