// Web Crypto rather than node:crypto: the edge runtime has no node:crypto, and the same checks run there.
const encoder = new TextEncoder();
const digest = async (text: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));

/**
 * Whether `Authorization` carries `Bearer <token>` for one of `tokens`. Digests have one length and every token is
 * compared in full, so the time taken says nothing of any token, nor of which one matched.
 */
export async function bearerMatches(authorization: string | null, tokens: string | readonly string[]): Promise<boolean> {
  const presented = await digest(/^Bearer (\S+)$/.exec(authorization ?? "")?.[1] ?? "");
  let matched = false;
  for (const token of typeof tokens === "string" ? [tokens] : tokens) {
    const expected = await digest(token);
    let difference = 0;
    for (let i = 0; i < expected.length; i++) difference |= expected[i]! ^ presented[i]!;
    matched = (difference === 0) || matched;
  }
  return matched;
}
