// One source for each rule: the API, the asset import, the seed's sample and the schema's columns all agree with
// lib/projects/rules.ts.
import { readFileSync } from "node:fs";
import { imageSize } from "image-size";
import { describe, expect, it } from "vitest";
import { frameInput, projectCreate } from "@/lib/api/schemas";
import { placeFile } from "@/lib/assets/layout";
import { sampleFrame, sampleTree } from "@/lib/assets/sample";
import { MAX_FRAME_INDEX, MAX_FRAME_SIZE, MAX_NAME_LENGTH, MAX_SLUG_LENGTH, SAMPLE_FRAME_SIZE } from "@/lib/projects/rules";

const schema = readFileSync("prisma/schema.prisma", "utf8");
/** `field String @db.VarChar(n)` of a model, as field -> n. */
function varchars(model: string) {
  const body = new RegExp(`model ${model} \\{([^}]*)\\}`).exec(schema)?.[1] ?? "";
  return Object.fromEntries([...body.matchAll(/^\s*(\w+)\s+String\b.*@db\.VarChar\((\d+)\)/gm)].map(([, field, n]) => [field, Number(n)]));
}

describe("prisma/schema.prisma", () => {
  it("sizes the slug and every name column as the rules do", () => {
    expect(varchars("Project")).toEqual({ slug: MAX_SLUG_LENGTH, name: MAX_NAME_LENGTH });
    expect(varchars("Character")).toEqual({ name: MAX_NAME_LENGTH });
    expect(varchars("Animation")).toEqual({ name: MAX_NAME_LENGTH });
  });
});

describe("the API and the asset import", () => {
  const frame = { image: "/a.png", width: 1, height: 1 };
  const slug = (length: number) => "a".repeat(length);
  const file = (project: string, character = "hero", index = 0) => `${project}/${character}/idle/${index}.png`;

  it("accept the same slugs", () => {
    for (const s of ["demo", "a-b-2", slug(MAX_SLUG_LENGTH)]) {
      expect(projectCreate.safeParse({ slug: s, name: "n" }).success).toBe(true);
      expect(placeFile(file(s)).ok).toBe(true);
    }
    for (const s of ["Demo", "a--b", "-a", "a_b", slug(MAX_SLUG_LENGTH + 1)]) {
      expect(projectCreate.safeParse({ slug: s, name: "n" }).success).toBe(false);
      expect(placeFile(file(s)).ok).toBe(false);
    }
  });

  it("accept names up to the same length", () => {
    const name = (length: number) => "n".repeat(length);
    expect(projectCreate.safeParse({ slug: "a", name: "n", characters: [{ name: name(MAX_NAME_LENGTH) }] }).success).toBe(true);
    expect(placeFile(file("a", name(MAX_NAME_LENGTH))).ok).toBe(true);
    expect(projectCreate.safeParse({ slug: "a", name: "n", characters: [{ name: name(MAX_NAME_LENGTH + 1) }] }).success).toBe(false);
    expect(placeFile(file("a", name(MAX_NAME_LENGTH + 1))).ok).toBe(false);
  });

  it("accept frame indexes from 0 to the same maximum", () => {
    for (const index of [0, MAX_FRAME_INDEX]) {
      expect(frameInput.safeParse({ ...frame, index }).success).toBe(true);
      expect(placeFile(file("a", "hero", index)).ok).toBe(true);
    }
    expect(frameInput.safeParse({ ...frame, index: MAX_FRAME_INDEX + 1 }).success).toBe(false);
    expect(placeFile(file("a", "hero", MAX_FRAME_INDEX + 1))).toEqual({ ok: false, reason: `frame index is larger than ${MAX_FRAME_INDEX}` });
  });
});

describe("the API", () => {
  it("takes frame sizes up to MAX_FRAME_SIZE, the limit the asset import applies too (tests/import.test.ts)", () => {
    const frame = { index: 0, image: "/a.png" };
    expect(frameInput.safeParse({ ...frame, width: MAX_FRAME_SIZE, height: MAX_FRAME_SIZE }).success).toBe(true);
    expect(frameInput.safeParse({ ...frame, width: MAX_FRAME_SIZE + 1, height: 1 }).success).toBe(false);
    expect(frameInput.safeParse({ ...frame, width: 1, height: MAX_FRAME_SIZE + 1 }).success).toBe(false);
  });
});

describe("the sample tree", () => {
  it("draws every frame at the size the seed records", () => {
    for (const characters of Object.values(sampleTree)) {
      for (const animations of Object.values(characters)) {
        for (const [animation, count] of Object.entries(animations)) {
          for (let index = 0; index < count; index++) {
            expect(imageSize(sampleFrame(animation, index, count))).toMatchObject({ type: "png", width: SAMPLE_FRAME_SIZE, height: SAMPLE_FRAME_SIZE });
          }
        }
      }
    }
    expect(readFileSync("prisma/seed.ts", "utf8")).toMatch(/sampleTree\[slug\]/);
  });
});
