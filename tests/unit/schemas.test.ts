// Request schemas: what a request may hold, and the one-line reason when it may not.
import { describe, expect, it } from "vitest";
import { frameAppend, listQuery, projectCreate, projectUpdate, uuid } from "@/lib/api/schemas";

const messages = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? [];

describe("projectCreate", () => {
  const frame = { index: 0, image: "/a.png", width: 32, height: 32 };

  it("accepts a whole tree and trims names", () => {
    const parsed = projectCreate.parse({
      slug: "knight",
      name: "  Knight ",
      characters: [{ name: "hero", animations: [{ name: "idle", fps: 8, loop: false, frames: [frame, { ...frame, index: 1, durationMs: 100 }] }] }],
    });
    expect(parsed.name).toBe("Knight");
    expect(parsed.characters?.[0]?.animations?.[0]?.frames).toHaveLength(2);
  });

  it.each([
    [{ slug: "a", name: "n", extra: 1 }, /Unrecognized key/],
    [{ slug: "a", name: "   " }, /^name: /],
    [{ slug: "A", name: "n" }, /^slug: must be lowercase letters, digits and single dashes$/],
    [{ slug: "a", name: "n\u0000" }, /^name: must be valid Unicode text without NUL characters$/],
    [{ slug: "a", name: "\uD800" }, /^name: must be valid Unicode text/],
    [{ slug: "a", name: "n", characters: [{ name: "c", animations: [{ name: "i", fps: 0 }] }] }, /^characters\.0\.animations\.0\.fps: /],
    [{ slug: "a", name: "n", characters: [{ name: "c", animations: [{ name: "i", frames: [{ ...frame, width: 0 }] }] }] }, /frames\.0\.width: /],
    [{ slug: "a", name: "n", characters: [{ name: "c", animations: [{ name: "i", frames: [{ ...frame, index: 1.5 }] }] }] }, /frames\.0\.index: /],
  ])("refuses %j", (input, message) => {
    const result = projectCreate.safeParse(input);
    expect(result.success).toBe(false);
    expect(messages(result)[0]).toMatch(message);
  });
});

describe("projectUpdate", () => {
  it("takes any of slug, name, description but not none", () => {
    expect(projectUpdate.parse({ description: "" })).toEqual({ description: "" });
    expect(messages(projectUpdate.safeParse({}))).toEqual([": give at least one of slug, name, description"]);
    expect(projectUpdate.safeParse({ id: "x" }).success).toBe(false);
  });
});

describe("frameAppend", () => {
  it("has no index: the server picks the next one", () => {
    expect(frameAppend.parse({ image: "/a.png", width: 1, height: 1 })).toEqual({ image: "/a.png", width: 1, height: 1 });
    expect(frameAppend.safeParse({ image: "/a.png", width: 1, height: 1, index: 3 }).success).toBe(false);
  });
});

describe("listQuery", () => {
  it("reads query-string numbers, defaults the limit and checks the cursor", () => {
    expect(listQuery.parse({})).toEqual({ limit: 50 });
    expect(listQuery.parse({ limit: "20" })).toEqual({ limit: 20 });
    expect(listQuery.safeParse({ limit: "0" }).success).toBe(false);
    expect(listQuery.safeParse({ limit: "101" }).success).toBe(false);
    expect(messages(listQuery.safeParse({ cursor: "nope" }))).toEqual(["cursor: must be a UUID"]);
    expect(uuid.safeParse("0190b2c4-7e1a-7b3c-8d4e-5f6a7b8c9d0e").success).toBe(true);
  });
});
