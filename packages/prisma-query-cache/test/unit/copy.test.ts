import { describe, expect, it } from "vitest";
import { Decimal } from "@prisma/client/runtime/client";
import { copyResult } from "../../src/copy.ts";

describe("copyResult", () => {
  it("copies every object and array of a result, and keeps each value's type", () => {
    const result = {
      id: "1",
      count: 2n,
      at: new Date(0),
      price: new Decimal("1.50"),
      bytes: new Uint8Array([1, 2]),
      rows: [{ name: "a", nested: { deep: [1, null] } }],
      none: null,
    };
    const copy = copyResult(result);
    expect(copy).toEqual(result);
    expect(copy).not.toBe(result);
    expect(copy.rows).not.toBe(result.rows);
    expect(copy.rows[0]!.nested.deep).not.toBe(result.rows[0]!.nested.deep);
    expect(copy.at).not.toBe(result.at);
    expect(copy.at).toBeInstanceOf(Date);
    expect(copy.bytes).not.toBe(result.bytes);
    expect(copy.bytes).toBeInstanceOf(Uint8Array);
    // Decimals are immutable: shared, still Decimals.
    expect(copy.price).toBe(result.price);
  });

  it("returns primitives and top-level arrays as they are asked for", () => {
    expect(copyResult(3)).toBe(3);
    expect(copyResult(null)).toBeNull();
    const list = [{ a: 1 }];
    expect(copyResult(list)).toEqual(list);
    expect(copyResult(list)[0]).not.toBe(list[0]);
  });
});
