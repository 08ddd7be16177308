// API keys: who may use the gateway. Each is compared in constant time against every configured key, so neither
// the time an answer takes nor which key matched tells a caller anything about the keys.
import { createHash, timingSafeEqual } from "node:crypto";

export type ApiKey = {
  /** Names the key in metrics and logs; the key itself is never written anywhere. */
  name: string;
  digest: Buffer;
};

const keyPattern = /^[A-Za-z0-9_-]{24,512}$/;
const namePattern = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** `[name:]key,[name:]key`: keys of 24 to 512 URL-safe characters (A-Z a-z 0-9 _ -), named key1, key2... unless named. */
export function parseApiKeys(list: string): ApiKey[] {
  const entries = list.split(",").map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error("must list at least one API key");
  const keys = entries.map((entry, index) => {
    const colon = entry.indexOf(":");
    const name = colon === -1 ? `key${index + 1}` : entry.slice(0, colon);
    const key = colon === -1 ? entry : entry.slice(colon + 1);
    if (!namePattern.test(name)) throw new Error(`entry ${index + 1}: a key's name is 1 to 32 lower-case letters, digits or dashes`);
    if (!keyPattern.test(key)) throw new Error(`entry ${index + 1}: a key is 24 to 512 characters from A-Z, a-z, 0-9, _ and -`);
    return { name, digest: digest(key) };
  });
  if (new Set(keys.map((key) => key.name)).size !== keys.length) throw new Error("two keys have the same name");
  return keys;
}

/** The key an `Authorization: Bearer <key>` header names, or undefined. Every key is compared, whichever matches. */
export function authenticate(keys: readonly ApiKey[], authorization: string | undefined): ApiKey | undefined {
  if (!authorization?.startsWith("Bearer ")) return undefined;
  const offered = digest(authorization.slice(7).trim());
  let found: ApiKey | undefined;
  for (const key of keys) {
    // Digests have one length whatever was sent, which timingSafeEqual requires.
    if (timingSafeEqual(key.digest, offered) && !found) found = key;
  }
  return found;
}

const digest = (key: string) => createHash("sha256").update(key).digest();
