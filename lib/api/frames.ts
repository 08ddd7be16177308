// Frames over HTTP, shared by the Node.js and edge routes.
import { HttpError, idOf, json, readJson, route, type IdContext } from "@/lib/api/http";
import { frameAppend } from "@/lib/api/schemas";
import { prisma } from "@/lib/prisma";
import { nextFrameIndex } from "#db/sql";

/** Adds a frame after the animation's last one. Concurrent appends get consecutive indexes, never the same one. */
export const appendFrame = route(async (request: Request, context: IdContext) => {
  const animationId = await idOf(context);
  const input = await readJson(request, frameAppend);
  const frame = await prisma.$transaction(async (tx) => {
    // The row lock queues appends to one animation until each has committed.
    const locked = await tx.$queryRaw<{ id: string }[]>`select id from animations where id = ${animationId}::uuid for update`;
    if (locked.length === 0) throw new HttpError(404, "not_found", "No animation with this id.");
    const [next] = await tx.$queryRawTyped(nextFrameIndex(animationId));
    return tx.frame.create({ data: { ...input, animationId, index: next?.nextIndex ?? 0 } });
  });
  return json(frame, { status: 201 });
});
