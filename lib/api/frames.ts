// Frames over HTTP, shared by the Node.js and edge routes.
import { HttpError, idOf, json, readJson, route, type IdContext } from "@/lib/api/http";
import { frameAppend } from "@/lib/api/schemas";
import * as frames from "@/lib/frames/queries";
import { prisma } from "@/lib/prisma";

/** Adds a frame after the animation's last one. */
export const appendFrame = route(async (request: Request, context: IdContext) => {
  const animationId = await idOf(context);
  const frame = await frames.appendFrame(prisma, animationId, await readJson(request, frameAppend)).catch((error: unknown) => {
    throw error instanceof frames.AnimationFull ? new HttpError(409, "animation_full", error.message) : error;
  });
  if (!frame) throw new HttpError(404, "not_found", "No animation with this id.");
  return json(frame, { status: 201 });
});
