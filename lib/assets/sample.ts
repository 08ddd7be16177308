// A sample asset tree of small generated sprites whose frames visibly differ, so an animation shows motion.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { encodePng } from "@/lib/assets/png";
import { SAMPLE_FRAME_SIZE } from "@/lib/projects/rules";

/** project -> character -> animation -> number of frames. */
export type SampleTree = Record<string, Record<string, Record<string, number>>>;

// prisma/seed.ts writes this tree's frames to the database, so seeded frames find their images.
export const sampleTree: SampleTree = { demo: { hero: { idle: 4, run: 6 }, slime: { bounce: 3 } } };

const SIZE = SAMPLE_FRAME_SIZE;

/** Frame `index` of `count`: a square crossing the tile and a bar filling up, on a colour of the animation's own. */
export function sampleFrame(animation: string, index: number, count: number): Buffer {
  const hue = [...animation].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) % 360, 0);
  const background = hsl(hue, 0.45, 0.85);
  const ink = hsl(hue, 0.6, 0.3);
  const progress = count > 1 ? index / (count - 1) : 0;
  const squareX = Math.round(2 + progress * (SIZE - 12));
  const squareY = Math.round(SIZE / 2 - 8 + Math.sin(progress * Math.PI) * -6);
  const barEnd = Math.round(((index + 1) / count) * SIZE);

  const rgb = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const inSquare = x >= squareX && x < squareX + 8 && y >= squareY && y < squareY + 8;
      const inBar = y >= SIZE - 4 && x < barEnd;
      rgb.set(inSquare || inBar ? ink : background, (y * SIZE + x) * 3);
    }
  }
  return encodePng(SIZE, SIZE, rgb);
}

/** Writes the tree's PNGs below root. A file that is already there is kept as it is, never overwritten. */
export async function writeSampleTree(root: string, tree: SampleTree = sampleTree) {
  let written = 0;
  let kept = 0;
  for (const [project, characters] of Object.entries(tree)) {
    for (const [character, animations] of Object.entries(characters)) {
      for (const [animation, count] of Object.entries(animations)) {
        const folder = path.join(root, project, character, animation);
        await mkdir(folder, { recursive: true });
        for (let index = 0; index < count; index++) {
          try {
            await writeFile(path.join(folder, `${index}.png`), sampleFrame(animation, index, count), { flag: "wx" });
            written++;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
            kept++;
          }
        }
      }
    }
  }
  return { written, kept };
}

function hsl(hue: number, saturation: number, lightness: number): [number, number, number] {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [channel(0), channel(8), channel(4)];
}
