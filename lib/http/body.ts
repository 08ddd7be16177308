// Request bodies on both runtimes: read as a stream with a running byte count, so a body without a
// Content-Length (chunked) is stopped at the limit instead of being buffered whole first.
import { HttpError } from "@/lib/http/error";

export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = (limit: number) => new HttpError(413, "body_too_large", `The body must be at most ${limit} bytes.`);

/** The body's bytes, at most `limit` of them; one more and reading stops with a 413. */
export async function readBytes(request: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    // The rest is left unread, not cancelled: on Node.js that would reset the connection before the 413 is
    // out. The 413 closes the connection, and the server lingers for the client to read it first.
    if (size > limit) throw tooLarge(limit);
    chunks.push(value);
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
