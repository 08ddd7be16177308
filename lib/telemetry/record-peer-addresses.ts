// Node.js publishes every incoming request on a diagnostics channel before any handler runs: the socket's address
// is written into the peer-address header there, overwriting anything a client sent under that name.
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { peerAddressHeader } from "@/lib/telemetry/peer-address";

export function recordPeerAddresses(): void {
  const cache = globalThis as unknown as { peerAddresses?: true };
  if (cache.peerAddresses) return;
  cache.peerAddresses = true;
  subscribe("http.server.request.start", (message) => {
    const { request } = message as { request: IncomingMessage };
    request.headers[peerAddressHeader] = request.socket.remoteAddress ?? "";
  });
}
