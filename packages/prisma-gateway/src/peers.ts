// Sends a request for a transaction another instance holds on to that instance, as it came (the caller's API key
// included: the owner checks it again), and streams the owner's answer back. Only instances named in GATEWAY_PEERS
// are ever reached, whatever an id says.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import { GatewayError } from "./errors";

/** Marks a forwarded request (the value is the sender's name): it is never forwarded again. */
export const forwardedHeader = "x-gateway-forwarded-by";

const passedOn = ["authorization", "content-type", "traceparent", "tracestate", "x-capture-telemetry", "cache-control", "accelerate-cache-tags"];

export function createPeers(self: string, peers: Map<string, string>) {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  return {
    has: (name: string) => name !== self && peers.has(name),
    /** Sends `request` (its body already read) to `name` and answers with what it answers; resolves to the status. */
    forward(name: string, request: IncomingMessage, body: Buffer | undefined, response: ServerResponse, outcome: (result: "ok" | "unreachable") => void): Promise<number> {
      const target = new URL(request.url ?? "/", peers.get(name));
      const headers: Record<string, string> = { [forwardedHeader]: self };
      for (const header of passedOn) {
        const value = request.headers[header];
        if (typeof value === "string") headers[header] = value;
      }
      if (body) headers["content-length"] = String(body.length);
      const client = target.protocol === "https:" ? https : http;
      return new Promise((resolve, reject) => {
        const outgoing = client.request(target, { method: request.method, headers, agent: target.protocol === "https:" ? agents.https : agents.http }, (answer) => {
          outcome("ok");
          response.writeHead(answer.statusCode ?? 502, filterHeaders(answer.headers));
          answer.pipe(response);
          answer.once("end", () => resolve(answer.statusCode ?? 502));
          answer.once("error", reject);
        });
        outgoing.once("error", () => {
          outcome("unreachable");
          // The transaction's connection is on an instance that cannot be reached: as far as the client can tell,
          // the connection is gone (P1017), which a retry of the whole transaction may overcome.
          reject(new GatewayError(503, "P1017", `The gateway instance holding this transaction (${name}) cannot be reached.`, true));
        });
        outgoing.end(body);
      });
    },
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function filterHeaders(headers: http.IncomingHttpHeaders) {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !["connection", "keep-alive", "transfer-encoding"].includes(name)) kept[name] = value;
  }
  return kept;
}
