// What the cache reports goes to the caller's logger, with any connection string's password taken out: an error
// from Redis or PostgreSQL may quote the URL it was given.
import type { QueryCacheLogger } from "./types.ts";

export type Report = (message: string) => void;

/** Passwords in URLs (`scheme://user:password@`) and `password=` parameters replaced by `***`. */
export function redact(text: string): string {
  return text.replace(/(\b[a-z][\w+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@").replace(/(password\s*[=:]\s*)\S+/gi, "$1***");
}

export function reporter(logger: QueryCacheLogger = console): Report {
  return (message) => logger.error(`prisma-query-cache: ${redact(message)}`);
}
