// Bun: the app's API on Bun.serve, with lib/prisma.ts's one client for the process, over pg's sockets.
//   bun runtimes/bun/server.ts   (PORT, HOST; the app's env as usual)
import { createFetchHandler } from "../fetch-handler";

type Server = { requestIP(request: Request): { address: string } | null };
declare const Bun: {
  serve(options: { port: number; hostname: string; fetch: (request: Request, server: Server) => Promise<Response> }): unknown;
};

const handle = createFetchHandler("bun");

Bun.serve({
  port: Number(process.env.PORT ?? 3000),
  hostname: process.env.HOST ?? "127.0.0.1",
  fetch: (request, server) => handle(request, server.requestIP(request)?.address),
});
