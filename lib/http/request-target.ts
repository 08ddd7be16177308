// Next.js decodes a path's percent-escapes to match dynamic routes and answers one it cannot decode with a bare
// 500 of its own; checked before routing, it is the client's 400 instead.

/** Whether every `%` in a request target starts a valid escape and the escapes decode to UTF-8. */
export function isWellFormedTarget(target: string): boolean {
  try {
    decodeURIComponent(target);
    return true;
  } catch {
    return false;
  }
}

export const malformedTargetBody = {
  error: { code: "invalid_url", message: "The request URL has a malformed percent-encoding." },
};
