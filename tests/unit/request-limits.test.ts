// What a request body may cost before it is refused: its nesting is measured before it is parsed, and a body that
// does not fit its schema costs at most MAX_ISSUES_FOUND issues, of which a 400 lists MAX_ISSUES_SHOWN.
import { describe, expect, it } from "vitest";
import { parse, readJson } from "@/lib/api/http";
import { check, MAX_ISSUES_FOUND, MAX_ISSUES_SHOWN } from "@/lib/api/issues";
import { frameAppend, projectCreate } from "@/lib/api/schemas";
import { HttpError } from "@/lib/http/error";
import { nestsDeeperThan } from "@/lib/http/json-depth";

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error("not refused");
};

/** A create with `animations` animations of `frames` frames each, every frame `frame`. */
const create = (animations: number, frames: number, frame: unknown = {}) => ({
  slug: "x",
  name: "X",
  characters: [{ name: "c", animations: Array.from({ length: animations }, (_, i) => ({ name: `a${i}`, frames: Array(frames).fill(frame) })) }],
});

describe("nestsDeeperThan", () => {
  it("counts arrays and objects inside one another, and nothing in strings", () => {
    expect(nestsDeeperThan(`${"[".repeat(16)}${"]".repeat(16)}`, 16)).toBe(false);
    expect(nestsDeeperThan(`${"[".repeat(17)}${"]".repeat(17)}`, 16)).toBe(true);
    expect(nestsDeeperThan(`[{"a":[{"b":[]}]}]`, 5)).toBe(false);
    expect(nestsDeeperThan(`[{"a":[{"b":[]}]}]`, 4)).toBe(true);
    expect(nestsDeeperThan(`["${"[".repeat(100)}", "\\"[[[[", {"k\\\\": [1]}]`, 3)).toBe(false);
    expect(nestsDeeperThan(`[[],[],[],[],[]]`, 2)).toBe(false);
    expect(nestsDeeperThan(`["\\"[[[[", "]]]"]`, 1)).toBe(false);
  });

  it("scans a 300 KB body, nested or not, without recursion", () => {
    const deep = `${"[".repeat(150_000)}${"]".repeat(150_000)}`;
    expect(nestsDeeperThan(deep, 16)).toBe(true);
    expect(nestsDeeperThan(`[${Array(100_000).fill("[]").join(",")}]`, 16)).toBe(false);
  });
});

describe("a request body", () => {
  const request = (text: string) => new Request("http://x/api/projects", { method: "POST", headers: { "content-type": "application/json" }, body: text });

  it("nested more than 16 deep is refused before it is parsed", async () => {
    for (const text of [`${"[".repeat(150_000)}"leaf"${"]".repeat(150_000)}`, `{"slug":"x","name":"X","description":${'{"a":'.repeat(60_000)}1${"}".repeat(60_000)}}`]) {
      const error = await readJson(request(text), projectCreate).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({ status: 400, code: "invalid_body", message: "The body nests arrays and objects more than 16 levels deep." });
    }
    // The deepest a create needs, and then some, still passes.
    const nested = create(1, 1, { index: 0, image: "/a.png", width: 1, height: 1 });
    await expect(readJson(request(JSON.stringify(nested)), projectCreate)).resolves.toMatchObject({ slug: "x" });
  });
});

describe("a body that does not fit its schema", () => {
  it("lists every issue when there are at most 20", () => {
    const error = refusal(() => parse(projectCreate, create(1, 5), "invalid_body"));
    expect(error.details).toHaveLength(20);
    expect(error.leftOut).toBe(0);
    expect(error.message).toBe("characters.0.animations.0.frames.0.index: Invalid input: expected number, received undefined");
  });

  it("lists the first 20 and says how many were left out", () => {
    const error = refusal(() => parse(projectCreate, create(1, 30), "invalid_body"));
    expect(error.details).toHaveLength(MAX_ISSUES_SHOWN);
    expect(error.leftOut).toBe(4 * 30 - MAX_ISSUES_SHOWN);
    expect(error.message).toMatch(/ \(and 100 more issues not listed\)$/);
  });

  it("stops checking at 1,000 issues: a 1 MiB body of empty frames costs what 250 frames do", () => {
    const huge = create(34, 10_000);
    expect(JSON.stringify(huge).length).toBeGreaterThan(1_000_000);
    const heapBefore = process.memoryUsage().heapUsed;
    const result = check(projectCreate, huge);
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(result).toMatchObject({ ok: false, leftOut: MAX_ISSUES_FOUND - MAX_ISSUES_SHOWN, stopped: true });
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    const error = refusal(() => parse(projectCreate, huge, "invalid_body"));
    expect(error.message).toMatch(/ \(and 980 more issues not listed; checking stopped after 1000\)$/);
    expect(JSON.stringify({ issues: error.details, message: error.message }).length).toBeLessThan(8 * 1024);
  });

  it("cuts long messages and paths, such as zod's list of every unknown key", () => {
    const body = { slug: "x", name: "X", ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`unknown-key-${i}`, 1])) };
    const error = refusal(() => parse(projectCreate, body, "invalid_body"));
    const [issue] = error.details as { path: string; message: string }[];
    expect(issue!.message.length).toBeLessThanOrEqual(201);
    expect(error.message.length).toBeLessThan(300);
  });

  it("parses a valid body as zod would, lists included", () => {
    const frame = { index: 0, image: " /a.png ", width: 1, height: 1 };
    expect(parse(projectCreate, create(2, 3, frame)).characters?.[0]?.animations?.[1]?.frames?.[2]).toEqual({ ...frame, image: "/a.png" });
    expect(parse(frameAppend, { image: "/a.png", width: 1, height: 1 })).toEqual({ image: "/a.png", width: 1, height: 1 });
    // The list's own limit still holds, before any element is parsed.
    expect(refusal(() => parse(projectCreate, create(1, 10_001))).message).toMatch(/^characters\.0\.animations\.0\.frames: Too big/);
  });
});
