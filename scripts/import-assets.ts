// Brings an asset tree (<project>/<character>/<animation>/<frame-index>.<ext>) into the database.
//   tsx scripts/import-assets.ts [dir]      (dir defaults to public/assets)
// Files are only read. Each animation is committed on its own, so an interrupted run is finished by running again.
import { stat } from "node:fs/promises";
import { ImportRefused, importAnimation, type FrameCounts } from "@/lib/assets/import";
import { LAYOUT } from "@/lib/assets/layout";
import { scanTree } from "@/lib/assets/scan";
import { disconnect, prisma } from "@/lib/prisma";
import { progressBar } from "./support/progress-bar";

const root = process.argv[2] ?? "public/assets";

if (!(await stat(root).catch(() => undefined))?.isDirectory()) {
  console.error(`${root} is not a folder. Give the folder that holds ${LAYOUT}, or run bun run assets:sample first.`);
  process.exit(2);
}

const plan = await scanTree(root);
const totals: FrameCounts = { created: 0, updated: 0, unchanged: 0 };
const refused: string[] = [];
const progress = progressBar(plan.animations.length, "animations");
try {
  for (const animation of plan.animations) {
    try {
      const counts = await importAnimation(prisma, animation);
      for (const key of Object.keys(totals) as (keyof FrameCounts)[]) totals[key] += counts[key];
    } catch (error) {
      if (!(error instanceof ImportRefused)) throw error;
      refused.push(`${animation.project}/${animation.character}/${animation.animation}: ${error.message}`);
    }
    progress.tick();
  }
} finally {
  progress.finish();
  await disconnect();
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
console.log(`${root}: ${plural(plan.fileCount, "file")}, ${plural(plan.animations.length - refused.length, "animation")} imported.`);
console.log(`frames: ${totals.created} created, ${totals.updated} updated, ${totals.unchanged} unchanged`);
console.log(`skipped: ${plural(plan.skipped.length, "file")}`);
for (const { file, reason } of plan.skipped) console.log(`  ${file}: ${reason}`);
if (refused.length > 0) {
  console.log(`refused: ${plural(refused.length, "animation")}`);
  for (const line of refused) console.log(`  ${line}`);
  process.exitCode = 1;
}
