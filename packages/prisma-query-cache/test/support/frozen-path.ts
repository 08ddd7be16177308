// A TCP relay to a server whose connections can be made to go silent at once: neither end hears from the other again,
// and no FIN or RST tells them, as when a machine dies or the network between them splits. Connections made after
// that go through as normal, as to the server that took over.
import { createConnection, createServer, type Socket } from "node:net";

export type FreezableRelay = { url: string; freeze: () => void; close: () => Promise<void> };

export async function startFreezableRelay(targetUrl: string): Promise<FreezableRelay> {
  const target = new URL(targetUrl);
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((inbound) => {
    const outbound = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    inbound.pipe(outbound).pipe(inbound);
    const drop = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", drop).on("close", drop);
    outbound.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(targetUrl);
  url.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const frozen: Socket[] = [];
  return {
    url: url.toString(),
    freeze: () => {
      for (const pair of pairs) {
        for (const socket of pair) {
          socket.unpipe();
          socket.pause();
          socket.removeAllListeners("close");
          socket.on("error", () => {});
          frozen.push(socket);
        }
      }
      pairs.clear();
    },
    close: async () => {
      for (const socket of frozen) socket.destroy();
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
