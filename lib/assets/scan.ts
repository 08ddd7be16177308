// Reads an asset tree into a plan: the frames of each animation with their sizes, and every file left out, with why.
// Reads only; nothing here writes, moves or deletes a file.
import { opendir } from "node:fs/promises";
import path from "node:path";
import { imageSizeFromFile } from "image-size/fromFile";
import { placeFile, type FrameFile } from "@/lib/assets/layout";
import { MAX_FRAME_SIZE } from "@/lib/projects/rules";

export type PlannedFrame = { index: number; image: string; width: number; height: number };
export type PlannedAnimation = { project: string; character: string; animation: string; frames: PlannedFrame[] };
export type SkippedFile = { file: string; reason: string };
export type ImportPlan = { animations: PlannedAnimation[]; skipped: SkippedFile[]; fileCount: number };

// Enough to keep the disk busy without holding thousands of open files.
const HEADER_READS_AT_ONCE = 32;

/**
 * The URL a file in the tree is served at. A tree inside public/ is served where it lies; any other tree is
 * read as the contents of public/assets/.
 */
export function imageUrlBase(root: string, publicDir = path.resolve("public")): string {
  const relative = path.relative(publicDir, path.resolve(root));
  const insidePublic = relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
  return insidePublic ? `/${relative.split(path.sep).filter(Boolean).map(encodeURIComponent).join("/")}` : "/assets";
}

export async function scanTree(root: string): Promise<ImportPlan> {
  const base = imageUrlBase(root).replace(/\/$/, "");
  const skipped: SkippedFile[] = [];
  const files = await listFiles(root, skipped);
  const fileCount = files.length + skipped.length;

  const byAnimation = new Map<string, Placed[]>();
  for (const file of files) {
    const placement = placeFile(file);
    if (!placement.ok) {
      skipped.push({ file, reason: placement.reason });
      continue;
    }
    const { project, character, animation } = placement.frame;
    const key = JSON.stringify([project, character, animation]);
    if (!byAnimation.has(key)) byAnimation.set(key, []);
    byAnimation.get(key)!.push({ file, frame: placement.frame });
  }

  const placed = [...byAnimation.values()].flatMap((entries) => withoutSharedIndexes(entries, skipped));
  const measured = await mapLimited(placed, HEADER_READS_AT_ONCE, async ({ file, frame }) => {
    const size = await measure(path.join(root, file), frame.format);
    if (typeof size === "string") return void skipped.push({ file, reason: size });
    return { frame, image: `${base}/${file.split("/").map(encodeURIComponent).join("/")}`, ...size };
  });

  const animations = new Map<string, PlannedAnimation>();
  for (const entry of measured) {
    if (!entry) continue;
    const { frame: { project, character, animation, index }, image, width, height } = entry;
    const key = JSON.stringify([project, character, animation]);
    if (!animations.has(key)) animations.set(key, { project, character, animation, frames: [] });
    animations.get(key)!.frames.push({ index, image, width, height });
  }
  for (const animation of animations.values()) animation.frames.sort((a, b) => a.index - b.index);

  skipped.sort((a, b) => compareNames(a.file, b.file));
  return { animations: [...animations.values()], skipped, fileCount };
}

type Placed = { file: string; frame: FrameFile };

const compareNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every file below root as a "/"-separated relative path, in name order. Links are not followed. */
async function listFiles(root: string, skipped: SkippedFile[], prefix = ""): Promise<string[]> {
  const files: string[] = [];
  const entries = [];
  for await (const entry of await opendir(path.join(root, prefix))) entries.push(entry);
  entries.sort((a, b) => compareNames(a.name, b.name));
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      try {
        files.push(...(await listFiles(root, skipped, relative)));
      } catch (error) {
        skipped.push({ file: `${relative}/`, reason: `folder cannot be read: ${(error as Error).message}` });
      }
    } else if (entry.isFile()) files.push(relative);
    else skipped.push({ file: relative, reason: entry.isSymbolicLink() ? "a symbolic link, not followed" : "not a regular file" });
  }
  return files;
}

/** Two files for one frame (1.png and 01.png, 1.png and 1.webp) would be a guess: both are left out. */
function withoutSharedIndexes(entries: Placed[], skipped: SkippedFile[]): Placed[] {
  return entries.filter((entry) => {
    const others = entries.filter((other) => other !== entry && other.frame.index === entry.frame.index);
    if (others.length === 0) return true;
    const names = others.map((other) => path.posix.basename(other.file)).join(", ");
    skipped.push({ file: entry.file, reason: `frame ${entry.frame.index} is also ${names}` });
    return false;
  });
}

/** The size from the image's header, or why there is none or it is not one a frame may have. */
async function measure(file: string, format: FrameFile["format"]): Promise<{ width: number; height: number } | string> {
  try {
    const { width, height, type } = await imageSizeFromFile(file);
    if (type !== format) return `content is ${type ?? "unknown"}, not ${format}`;
    if (!(width > 0 && height > 0)) return `${format} header gives no size`;
    if (width > MAX_FRAME_SIZE || height > MAX_FRAME_SIZE) return `${width}×${height} is larger than ${MAX_FRAME_SIZE} pixels a side`;
    return { width, height };
  } catch (error) {
    return `not a readable ${format} image (${(error as Error).message})`;
  }
}

async function mapLimited<T, R>(items: T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await map(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
