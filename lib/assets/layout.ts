// The asset tree's layout: <project>/<character>/<animation>/<frame-index>.<ext>, one file per frame.
import { MAX_FRAME_INDEX, MAX_NAME_LENGTH, MAX_SLUG_LENGTH, SLUG, SLUG_RULE } from "@/lib/projects/rules";

export const LAYOUT = "<project>/<character>/<animation>/<frame-index>.<png|jpg|webp|gif>";

/** Each accepted extension and the format its content must have. */
const formats: Record<string, ImageFormat> = { png: "png", jpg: "jpg", jpeg: "jpg", webp: "webp", gif: "gif" };
export type ImageFormat = "png" | "jpg" | "webp" | "gif";

export type FrameFile = {
  project: string;
  character: string;
  animation: string;
  index: number;
  format: ImageFormat;
};

export type Placement = { ok: true; frame: FrameFile } | { ok: false; reason: string };

/** Where a file belongs, from its path relative to the tree's root ("/"-separated), or why it fits nowhere. */
export function placeFile(relativePath: string): Placement {
  const parts = relativePath.split("/");
  if (parts.length !== 4) return { ok: false, reason: `not in the layout ${LAYOUT}` };
  const [project, character, animation, file] = parts as [string, string, string, string];

  if (!SLUG.test(project) || project.length > MAX_SLUG_LENGTH) {
    return { ok: false, reason: `project folder "${project}" is not a slug (${SLUG_RULE}, at most ${MAX_SLUG_LENGTH} characters)` };
  }
  for (const [level, name] of [["character", character], ["animation", animation]] as const) {
    if (name.length > MAX_NAME_LENGTH) return { ok: false, reason: `${level} folder name is longer than ${MAX_NAME_LENGTH} characters` };
  }

  const match = /^(\d+)\.([a-z]+)$/i.exec(file);
  const format = match && formats[match[2]!.toLowerCase()];
  if (!match || !format) return { ok: false, reason: `file name is not <frame-index>.<png|jpg|webp|gif>` };
  const index = Number(match[1]);
  if (index > MAX_FRAME_INDEX) return { ok: false, reason: `frame index is larger than ${MAX_FRAME_INDEX}` };

  return { ok: true, frame: { project, character, animation, index, format } };
}
