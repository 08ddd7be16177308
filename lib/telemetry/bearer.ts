import { createHash, timingSafeEqual } from "node:crypto";

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Whether `Authorization` carries `Bearer <token>`. Digests have one length, so the time taken says nothing of the token. */
export function bearerMatches(authorization: string | null, token: string): boolean {
  const presented = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1] ?? "";
  return timingSafeEqual(digest(presented), digest(token));
}
