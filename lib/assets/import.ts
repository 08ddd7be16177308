// Writes a planned animation to the database. Rows are found by their natural keys (project slug, character and
// animation names, frame index), so importing the same tree again changes nothing. Nothing is ever deleted: a frame
// whose file is gone keeps its row.
import type { PlannedAnimation } from "@/lib/assets/scan";
import type { Db } from "@/lib/db/client";
import { MAX_ANIMATIONS_PER_CHARACTER, MAX_CHARACTERS_PER_PROJECT } from "@/lib/projects/rules";

export type FrameCounts = { created: number; updated: number; unchanged: number };

// One transaction holds every frame of an animation; a long one must not be cut off by the 5 s default.
const TRANSACTION_TIMEOUT_MS = 120_000;

/** An animation the import leaves out because taking it would break a rule of lib/projects/rules.ts. */
export class ImportRefused extends Error {
  override name = "ImportRefused";
}

/** One transaction per animation: after an interruption an animation is either wholly imported or not at all. */
export function importAnimation(db: Db, { project: slug, character: characterName, animation: animationName, frames }: PlannedAnimation) {
  return db.$transaction(
    async (tx): Promise<FrameCounts> => {
      const project = await tx.project.upsert({ where: { slug }, create: { slug, name: slug }, update: {} });
      // A new character or animation is counted in before it is made, so a tree cannot grow a project past its rules.
      const character =
        (await tx.character.findUnique({ where: { projectId_name: { projectId: project.id, name: characterName } }, select: { id: true } })) ??
        (await createWithin(
          () => tx.character.count({ where: { projectId: project.id } }),
          MAX_CHARACTERS_PER_PROJECT,
          `project ${slug} holds ${MAX_CHARACTERS_PER_PROJECT} characters, the most a project may`,
          () => tx.character.create({ data: { projectId: project.id, name: characterName }, select: { id: true } }),
        ));
      const animation =
        (await tx.animation.findUnique({ where: { characterId_name: { characterId: character.id, name: animationName } }, select: { id: true } })) ??
        (await createWithin(
          () => tx.animation.count({ where: { characterId: character.id } }),
          MAX_ANIMATIONS_PER_CHARACTER,
          `${slug}/${characterName} holds ${MAX_ANIMATIONS_PER_CHARACTER} animations, the most a character may`,
          () => tx.animation.create({ data: { characterId: character.id, name: animationName }, select: { id: true } }),
        ));

      const existing = new Map(
        (await tx.frame.findMany({ where: { animationId: animation.id }, select: { index: true, image: true, width: true, height: true } })).map(
          (frame) => [frame.index, frame],
        ),
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

async function createWithin<T>(count: () => Promise<number>, most: number, refusal: string, create: () => Promise<T>): Promise<T> {
  if ((await count()) >= most) throw new ImportRefused(refusal);
  return create();
}
