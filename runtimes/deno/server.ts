// Deno: the app's API on Deno.serve, with lib/prisma.ts's one client for the process, over pg's node:net sockets.
//   deno run --config runtimes/deno/deno.json -A runtimes/deno/server.ts   (PORT, HOST; the app's env as usual)
import { createFetchHandler } from "../fetch-handler.ts";

type ServeInfo = { remoteAddr: { hostname: string } };
declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: (request: Request, info: ServeInfo) => Promise<Response>,
  ): unknown;
  env: { get(name: string): string | undefined };
};

const handle = createFetchHandler("deno");

Deno.serve(
  { port: Number(Deno.env.get("PORT") ?? 8000), hostname: Deno.env.get("HOST") ?? "127.0.0.1", onListen: () => {} },
  (request, info) => handle(request, info.remoteAddr.hostname),
);
