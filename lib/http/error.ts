/** A failure the client can act on: its status, a stable `code` and a message for people. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Of a list in `details`, the entries left out. */
    readonly leftOut?: number,
  ) {
    super(message);
  }
}
