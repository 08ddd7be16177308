// A response can be complete while its request's body is still arriving: a 413 stops reading at the limit. When
// that response closes the connection, Node.js closes the socket as soon as the response is written, with the
// unread body still in it; the kernel answers such a close with a reset, and a reset that arrives before the client
// has read the response destroys it, so the client sees ECONNRESET or EPIPE instead of the 413. Apache and nginx
// avoid this with a lingering close, as this module does for `next start`'s server: send FIN after the response, give
// the client time to read it and stop sending, then close.
//
// Node.js publishes every finished response on a diagnostics channel before it decides what to do with the
// connection, so this needs no handle on the server Next.js creates; but the close itself is Node's call of
// `socket.destroySoon()` right after, which nothing public can put off, so it is replaced on that one socket.
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

/** Long enough for a client to read the answer; short enough that one who never does holds a socket only briefly. */
const LINGER_MS = 2_000;

export function lingerOnEarlyResponses(): void {
  const cache = globalThis as unknown as { lingeringClose?: true };
  if (cache.lingeringClose) return;
  cache.lingeringClose = true;
  subscribe("http.server.response.finish", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    if (request.complete || socket.destroyed) return;
    // Called next if the response closes the connection (`Connection: close` from either side). A connection kept
    // alive stays as Node.js leaves it.
    socket.destroySoon = () => {
      Reflect.deleteProperty(socket, "destroySoon");
      if (request.complete) socket.destroySoon();
      else lingeringClose(request, socket);
    };
  });
}

function lingeringClose(request: IncomingMessage, socket: Socket) {
  socket.end();
  // A body the route stopped reading is left where it stopped: every chunk read in JavaScript is memory until the
  // next collection, and a client still sending has plenty to send. The rest waits in the kernel's buffers, which
  // fill and hold the client up; closing over it resets the connection, harmless once the client has read its answer.
  const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once("close", () => clearTimeout(timer));
  // A body nobody had started reading, Node.js drains itself, dropping each chunk; once it is all in, nothing is left
  // to reset.
  request.once("end", () => socket.destroy());
}
