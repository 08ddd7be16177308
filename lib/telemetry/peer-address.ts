// A route handler sees a Request, not the socket it came on, and `x-forwarded-for` is whatever the client sent.
// Node.js publishes every incoming request on a diagnostics channel before any handler runs: the socket's address
// is written into a header of the server's own there, overwriting anything a client sent under that name.
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";

export const peerAddressHeader = "x-sprite-store-peer-address";

export function recordPeerAddresses(): void {
  const cache = globalThis as unknown as { peerAddresses?: true };
  if (cache.peerAddresses) return;
  cache.peerAddresses = true;
  subscribe("http.server.request.start", (message) => {
    const { request } = message as { request: IncomingMessage };
    request.headers[peerAddressHeader] = request.socket.remoteAddress ?? "";
  });
}

const loopback = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

export const isLoopback = (address: string | null | undefined) => Boolean(address && loopback.test(address));
