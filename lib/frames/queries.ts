// The app's frame operations: what the API routes, the pages and the benchmark all call.
import { nextFrameIndex } from "#db/sql";
import type { FrameAppend } from "@/lib/api/schemas";
import { defaultCacheStrategy } from "@/lib/db/cache/settings";
import type { Db } from "@/lib/db/client";
import { MAX_FRAME_INDEX, PAGE_SIZE } from "@/lib/projects/rules";

/** An append to an animation whose frames already reach MAX_FRAME_INDEX. */
export class AnimationFull extends Error {
  override name = "AnimationFull";
  constructor() {
    super(`The animation's frames already reach index ${MAX_FRAME_INDEX}, the last one a frame may have.`);
  }
}

/**
 * Adds a frame after the animation's last one; null when there is no such animation, AnimationFull when that would
 * be past MAX_FRAME_INDEX. Concurrent appends get consecutive indexes, never the same one.
 */
export function appendFrame(db: Db, animationId: string, frame: FrameAppend) {
  return db.$transaction(async (tx) => {
    // The row lock queues appends to one animation until each has committed.
    const locked = await tx.$queryRaw<{ id: string }[]>`select id from animations where id = ${animationId}::uuid for update`;
    if (locked.length === 0) return null;
    const [next] = await tx.$queryRawTyped(nextFrameIndex(animationId));
    const index = next?.nextIndex ?? 0;
    if (index > MAX_FRAME_INDEX) throw new AnimationFull();
    return tx.frame.create({ data: { ...frame, animationId, index } });
  });
}

/**
 * An animation's page: a page of its frames in order from index `from`, its frame count, its character and project;
 * null when there is none.
 */
export async function findAnimationPage(db: Db, { slug, character, name }: { slug: string; character: string; name: string }, { from = 0 }: { from?: number } = {}) {
  const animation = await db.animation.findFirst({
    where: { name, character: { name: character, project: { slug } } },
    include: {
      frames: {
        where: { index: { gte: from } },
        orderBy: { index: "asc" },
        take: PAGE_SIZE.frames + 1,
        select: { index: true, image: true, width: true, height: true, durationMs: true },
      },
      character: { select: { name: true, project: { select: { slug: true, name: true } } } },
    },
    cacheStrategy: { ...defaultCacheStrategy(), tags: ["animation-pages"] },
  });
  if (!animation) return null;
  const { frames, ...rest } = animation;
  const more = frames.length > PAGE_SIZE.frames;
  return Object.assign(rest, { frames: more ? frames.slice(0, PAGE_SIZE.frames) : frames, nextFrom: more ? frames[PAGE_SIZE.frames]!.index : null });
}
