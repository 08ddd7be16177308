// Request bodies on both runtimes: read as a stream with a running byte count, so a body without a
// Content-Length (chunked) is stopped at the limit instead of being buffered whole first, and with a deadline, so a
// body that stalls or trickles in holds its connection for seconds, not for Node's 300 s request timeout.
import { HttpError } from "@/lib/http/error";

export const MAX_BODY_BYTES = 1024 * 1024;
/** The whole body must be in by then: 1 MiB at 70 KiB/s. */
export const BODY_READ_TIMEOUT_MS = 15_000;

const tooLarge = (limit: number) => new HttpError(413, "body_too_large", `The body must be at most ${limit} bytes.`);
const tooSlow = (ms: number) => new HttpError(408, "request_timeout", `The body did not arrive within ${ms / 1000} s.`);

/** The body's bytes, at most `limit` of them, all within `timeoutMs`; one more byte is a 413, a byte too late a 408. */
export async function readBytes(request: Request, limit = MAX_BODY_BYTES, timeoutMs = BODY_READ_TIMEOUT_MS): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(tooSlow(timeoutMs)), timeoutMs);
  });
  deadline.catch(() => {});
  try {
    for (;;) {
      const read = reader.read();
      // A read still pending at the deadline fails once the connection closes; nobody waits for it then.
      read.catch(() => {});
      const { done, value } = await Promise.race([read, deadline]);
      if (done) break;
      size += value.byteLength;
      // The rest is left unread, not cancelled: on Node.js that would reset the connection before the 413 (or the
      // 408) is out. Either closes the connection, and the server lingers for the client to read it first.
      if (size > limit) throw tooLarge(limit);
      chunks.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * `application/json` or a `+json` type (`application/merge-patch+json`), with no charset or UTF-8, the only
 * encoding JSON has (RFC 8259). Anything else, or no Content-Type at all, is a 415.
 */
export function assertJsonMediaType(request: Request) {
  const header = request.headers.get("content-type");
  if (!isJsonMediaType(header)) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `The body must be sent as application/json${header ? `, not ${header.split(";")[0]!.trim().slice(0, 100)}` : ""}.`,
    );
  }
}

export function isJsonMediaType(header: string | null): boolean {
  if (!header) return false;
  const [type = "", ...parameters] = header.split(";").map((part) => part.trim().toLowerCase());
  if (type !== "application/json" && !/^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type)) return false;
  return parameters.every((parameter) => {
    const [name, value = ""] = parameter.split("=").map((part) => part.trim());
    return name !== "charset" || value.replace(/^"(.*)"$/, "$1") === "utf-8";
  });
}
