// Writes a planned animation to the database. Rows are found by their natural keys (project slug, character and
// animation names, frame index), so importing the same tree again changes nothing. Nothing is ever deleted: a frame
// whose file is gone keeps its row.
import type { PlannedAnimation } from "@/lib/assets/scan";
import type { Db } from "@/lib/db/client";

export type FrameCounts = { created: number; updated: number; unchanged: number };

// One transaction holds every frame of an animation; a long one must not be cut off by the 5 s default.
const TRANSACTION_TIMEOUT_MS = 120_000;

/** One transaction per animation: after an interruption an animation is either wholly imported or not at all. */
export function importAnimation(db: Db, { project: slug, character: characterName, animation: animationName, frames }: PlannedAnimation) {
  return db.$transaction(
    async (tx): Promise<FrameCounts> => {
      const project = await tx.project.upsert({ where: { slug }, create: { slug, name: slug }, update: {} });
      const character = await tx.character.upsert({
        where: { projectId_name: { projectId: project.id, name: characterName } },
        create: { projectId: project.id, name: characterName },
        update: {},
      });
      const animation = await tx.animation.upsert({
        where: { characterId_name: { characterId: character.id, name: animationName } },
        create: { characterId: character.id, name: animationName },
        update: {},
      });

      const existing = new Map(
        (await tx.frame.findMany({ where: { animationId: animation.id } })).map((frame) => [frame.index, frame]),
      );
      const created = frames.filter((frame) => !existing.has(frame.index));
      const changed = frames.filter((frame) => {
        const row = existing.get(frame.index);
        return row && (row.image !== frame.image || row.width !== frame.width || row.height !== frame.height);
      });

      if (created.length > 0) {
        await tx.frame.createMany({ data: created.map((frame) => ({ ...frame, animationId: animation.id })) });
      }
      for (const { index, ...fields } of changed) {
        await tx.frame.update({ where: { animationId_index: { animationId: animation.id, index } }, data: fields });
      }
      return { created: created.length, updated: changed.length, unchanged: frames.length - created.length - changed.length };
    },
    { timeout: TRANSACTION_TIMEOUT_MS },
  );
}
