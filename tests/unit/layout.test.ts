// The asset tree's layout, and a scan of a tree on disk: where each file belongs, or why it is left out.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LAYOUT, placeFile } from "@/lib/assets/layout";
import { writeSampleTree } from "@/lib/assets/sample";
import { imageUrlBase, scanTree } from "@/lib/assets/scan";
import { SAMPLE_FRAME_SIZE } from "@/lib/projects/rules";

describe("placeFile", () => {
  it("places <project>/<character>/<animation>/<index>.<ext>", () => {
    expect(placeFile("demo/hero/idle/007.JPEG")).toEqual({
      ok: true,
      frame: { project: "demo", character: "hero", animation: "idle", index: 7, format: "jpg" },
    });
  });

  it.each([
    ["demo/hero/0.png", `not in the layout ${LAYOUT}`],
    ["demo/hero/idle/extra/0.png", `not in the layout ${LAYOUT}`],
    ["demo/hero/idle/first.png", "file name is not <frame-index>.<png|jpg|webp|gif>"],
    ["demo/hero/idle/0.bmp", "file name is not <frame-index>.<png|jpg|webp|gif>"],
    ["demo/hero/idle/-1.png", "file name is not <frame-index>.<png|jpg|webp|gif>"],
  ])("leaves %j out: %s", (file, reason) => {
    expect(placeFile(file)).toEqual({ ok: false, reason });
  });
});

describe("scanTree", () => {
  const root = mkdtempSync(path.join(tmpdir(), "layout-unit-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("plans the sample tree's frames with their sizes and lists every other file with its reason", async () => {
    await writeSampleTree(root, { demo: { hero: { idle: 2 } } });
    mkdirSync(path.join(root, "demo/hero/walk"), { recursive: true });
    writeFileSync(path.join(root, "demo/hero/walk/0.png"), "not a png");
    writeFileSync(path.join(root, "demo/hero/idle/01.png"), "");
    writeFileSync(path.join(root, "README.txt"), "");

    const plan = await scanTree(root);
    const image = (index: number) => ({ index, image: `/assets/demo/hero/idle/${index}.png`, width: SAMPLE_FRAME_SIZE, height: SAMPLE_FRAME_SIZE });
    expect(plan.animations).toEqual([{ project: "demo", character: "hero", animation: "idle", frames: [image(0)] }]);
    expect(plan.fileCount).toBe(5);
    expect(plan.skipped.map(({ file, reason }) => `${file}: ${reason}`)).toEqual([
      `README.txt: not in the layout ${LAYOUT}`,
      "demo/hero/idle/01.png: frame 1 is also 1.png",
      "demo/hero/idle/1.png: frame 1 is also 01.png",
      expect.stringMatching(/^demo\/hero\/walk\/0\.png: not a readable png image/),
    ]);
  });

  it("serves a tree inside public/ where it lies, any other tree as public/assets/", () => {
    expect(imageUrlBase("/srv/app/public/sprites", "/srv/app/public")).toBe("/sprites");
    expect(imageUrlBase("/srv/app/public", "/srv/app/public")).toBe("/");
    expect(imageUrlBase("/tmp/tree", "/srv/app/public")).toBe("/assets");
  });
});
