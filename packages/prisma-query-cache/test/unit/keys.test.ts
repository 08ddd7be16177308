import { describe, expect, it } from "vitest";
import { queryKey, stableStringify } from "../../src/keys.ts";

describe("query keys", () => {
  it("do not depend on the order arguments were written in", () => {
    const a = { where: { id: "1", name: "x" }, include: { characters: true, _count: true } };
    const b = { include: { _count: true, characters: true }, where: { name: "x", id: "1" } };
    expect(queryKey("Project", "findMany", a)).toBe(queryKey("Project", "findMany", b));
  });

  it("differ by model, operation and every argument", () => {
    const args = { where: { id: "1" }, take: 10 };
    const keys = new Set([
      queryKey("Project", "findMany", args),
      queryKey("Character", "findMany", args),
      queryKey("Project", "findFirst", args),
      queryKey("Project", "findMany", { ...args, take: 11 }),
      queryKey("Project", "findMany", { ...args, skip: 1 }),
      queryKey("Project", "findMany", { where: { id: "2" }, take: 10 }),
      queryKey("Project", "findMany", { ...args, orderBy: [{ name: "asc" }, { id: "desc" }] }),
      queryKey("Project", "findMany", { ...args, orderBy: [{ id: "desc" }, { name: "asc" }] }),
    ]);
    expect(keys.size).toBe(8);
  });

  it("are written the same whether the arguments' keys come sorted or not", () => {
    const sorted = { include: { _count: true, characters: { take: 2 } }, orderBy: [{ name: "asc" }], skip: -0, where: { id: { in: ["a", "é", ""] }, n: 1.5, no: null, z: undefined } };
    const reversed = { where: { z: undefined, no: null, n: 1.5, id: { in: ["a", "é", ""] } }, skip: -0, orderBy: [{ name: "asc" }], include: { characters: { take: 2 }, _count: true } };
    expect(stableStringify(reversed)).toBe(stableStringify(sorted));
    expect(stableStringify([{ b: 1, a: 2 }, undefined])).toBe('[{"a":2,"b":1},null]');
    expect(stableStringify({ "10": 1, "9": 2 })).toBe('{"10":1,"9":2}');
  });

  it("tell typed values apart from strings that look like them", () => {
    const date = new Date("2026-01-01T00:00:00Z");
    expect(stableStringify({ at: date })).not.toBe(stableStringify({ at: date.toISOString() }));
    expect(stableStringify({ n: 1n })).not.toBe(stableStringify({ n: "1" }));
    expect(stableStringify({ b: new Uint8Array([1, 2]) })).not.toBe(stableStringify({ b: [1, 2] }));
    const numbers = [NaN, Infinity, -Infinity, null, 0, 1.5, 1e21].map((x) => stableStringify({ where: { score: x } }));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it("ignore undefined fields, as Prisma does", () => {
    expect(stableStringify({ where: { id: "1", name: undefined } })).toBe(stableStringify({ where: { id: "1" } }));
  });

  it("stay short whatever the arguments", () => {
    const huge = { where: { id: { in: Array.from({ length: 10_000 }, (_, i) => `id-${i}`) } } };
    expect(queryKey("Project", "findMany", huge).length).toBeLessThan(80);
  });

  it("keep short arguments readable, and never confuse them with a digest", () => {
    expect(queryKey("Project", "findUnique", { where: { id: "1" } })).toBe('Project.findUnique:{"where":{"id":"1"}}');
    const long = queryKey("Project", "findMany", { where: { name: "x".repeat(300) } });
    expect(long).toMatch(/^Project\.findMany:#[\w-]{43}$/);
  });
});
