// A route handler sees a Request, not the socket it came on, and `x-forwarded-for` is whatever the client sent. The
// server writes the socket's address into a header of its own, overwriting anything a client sent under that name:
// Node.js in record-peer-addresses.ts, Deno and Bun in runtimes/fetch-handler.ts. Edge-safe: no node:* import.

export const peerAddressHeader = "x-sprite-store-peer-address";

const loopback = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

export const isLoopback = (address: string | null | undefined) => Boolean(address && loopback.test(address));

/** Whether the request came over a loopback connection, as the server recorded it. */
export const fromLoopback = (request: Request) => isLoopback(request.headers.get(peerAddressHeader));
