// One server process of the cross-process tests (processes.test.ts): the fixture's client with the cache, Redis and
// the listener, behind four HTTP routes. Run with `node --import tsx`; configured by its environment.
import { createServer } from "node:http";
import { PrismaPg } from "@prisma/adapter-pg";
import { withQueryCache } from "../../src/index.ts";
import type { TestClient } from "./client";

const { CLIENT_MODULE, DATABASE_URL, REDIS_URL, PORT } = process.env;
const { PrismaClient } = (await import(CLIENT_MODULE!)) as { PrismaClient: new (options: object) => { $extends: (extension: unknown) => unknown } };
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: DATABASE_URL, max: 4 }) }).$extends(
  withQueryCache({ redisUrl: REDIS_URL, notifyUrl: DATABASE_URL, applicationName: "cache-test-server" }),
) as TestClient;
const cacheStrategy = { ttl: 300 };

async function answer(method: string, url: URL, body: string): Promise<[number, unknown]> {
  const [, resource, id] = url.pathname.split("/");
  if (resource === "stats") return [200, prisma.$cache.stats()];
  if (resource !== "authors") return [404, null];
  if (!id) return [200, await prisma.author.findMany({ take: Number(url.searchParams.get("limit") ?? 10), orderBy: { id: "desc" }, cacheStrategy })];
  if (method === "PATCH") return [200, await prisma.author.update({ where: { id }, data: { name: (JSON.parse(body) as { name: string }).name } })];
  const author = await prisma.author.findUnique({ where: { id }, cacheStrategy });
  return author ? [200, author] : [404, null];
}

createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    answer(request.method ?? "GET", new URL(request.url ?? "/", "http://server"), body).then(
      ([status, value]) => response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value)),
      (error: Error) => response.writeHead(500).end(error.message),
    );
  });
}).listen(Number(PORT), "127.0.0.1");
