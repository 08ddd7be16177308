import { describe, expect, it } from "vitest";
import { queryKey, stableStringify } from "@/lib/db/cache/keys";

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
});
