// Node's defaults let a client hold a connection for 60 s sending its headers and 300 s sending its request, and
// Node checks them only every 30 s. `next start` and `next dev` create their http.Server before any code of the app
// runs and hand it to no one, but Node.js publishes every request on a diagnostics channel with its server, its
// socket and its response:
// - the server's limits are set the first time it is seen; Node reads them at each check, so they hold for every
//   connection, the ones already open included;
// - each request gets a deadline of its own, exact to the millisecond: a request still arriving when it passes, and
//   not yet answered, is answered 408 and its connection closed. Routes that read a body answer 408 sooner
//   (lib/http/body.ts); this covers the rest, such as an edge route, whose body Next.js reads whole before it runs.
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** From a connection's first byte to the end of its headers (Node's check, every 30 s). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** From the end of a request's headers to the end of its body. */
export const REQUEST_TIMEOUT_MS = 20_000;
/** Long enough for a client still sending to read the 408 before the close resets the connection. */
const LINGER_MS = 2_000;

const timedOut = JSON.stringify({
  error: { code: "request_timeout", message: `The request did not arrive whole within ${REQUEST_TIMEOUT_MS / 1000} s.` },
});

export function limitSlowClients(): void {
  const cache = globalThis as unknown as { slowClientLimits?: WeakSet<Server> };
  if (cache.slowClientLimits) return;
  const limited = (cache.slowClientLimits = new WeakSet<Server>());
  subscribe("http.server.request.start", (message) => {
    const { request, response, socket, server } = message as { request: IncomingMessage; response: ServerResponse; socket: Socket; server: Server };
    if (!limited.has(server)) {
      limited.add(server);
      server.headersTimeout = HEADERS_TIMEOUT_MS;
      server.requestTimeout = REQUEST_TIMEOUT_MS;
    }
    const deadline = setTimeout(() => answerTimedOut(request, response, socket), REQUEST_TIMEOUT_MS).unref();
    response.once("close", () => clearTimeout(deadline));
  });
}

// Written to the socket, as Node.js writes its own 408: the response object is the route's, which may still be
// waiting for the body, and it must find the connection gone rather than a response it did not start.
function answerTimedOut(request: IncomingMessage, response: ServerResponse, socket: Socket) {
  if (request.complete || response.headersSent || !socket.writable) return;
  socket.end(
    `HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(timedOut)}\r\n\r\n${timedOut}`,
  );
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
