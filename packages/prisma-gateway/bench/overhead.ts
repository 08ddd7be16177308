// What the gateway costs, and what its cache saves: the app's generated client on Node.js reading through a gateway
// process (`accelerateUrl`), the same with `withAccelerate()` and a cacheStrategy (answered from the gateway's
// cache), that cached request sent again by node:http alone (the gateway's side of a cached read, without Prisma
// Client's compiling and fetch()), the client with @prisma/adapter-pg and a pool of its own, and node-postgres alone running the statements
// that client runs ("raw pg"); same pool size, same database, at 1 and 10 concurrent callers. Prints two tables.
//   tsx scripts/with-db.ts tsx packages/prisma-gateway/bench/overhead.ts [--rounds 3] [--operations 2000]
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import { withAccelerate } from "@prisma/extension-accelerate";
import { Agent, request } from "node:http";
import pg from "pg";
import { PrismaClient } from "../../../lib/generated/prisma/client";
import { startGatewayProcess } from "../../../scripts/support/gateway-serve";
import { createDatabase, databaseUrl, deployMigrations } from "../../../scripts/support/postgres-admin";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" }, operations: { type: "string", default: "2000" } } });
const rounds = Number(values.rounds);
const operations = Number(values.operations);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is not set: run through `bun run bench:gateway`, which provides one.");
const poolSize = 10;
const log = (line: string) => console.error(line);

const database = await createDatabase(databaseUrl(serverUrl, "postgres"), "bench_gateway");
try {
  deployMigrations(database.url);
  const pool = new pg.Pool({ connectionString: database.url, max: poolSize });
  const agent = new Agent({ keepAlive: true, maxSockets: poolSize });
  const direct = new PrismaClient({ adapter: new PrismaPg(pool) });
  const gateway = await startGatewayProcess({ DATABASE_URL: database.url, GATEWAY_POOL_MAX: String(poolSize), GATEWAY_LOG_LEVEL: "warn" });
  const viaGateway = new PrismaClient({ accelerateUrl: gateway.accelerateUrl });
  // The last /query request it sent, for autocannon to send again.
  let sent: { url: string; headers: Record<string, string>; body: string } | undefined;
  const capture = (url: string, init: { headers: Record<string, string>; body: string }) => {
    sent = { url, headers: init.headers, body: init.body };
    return fetch(url, init);
  };
  const cachedGateway = new PrismaClient({ accelerateUrl: gateway.accelerateUrl }).$extends(withAccelerate({ fetch: capture as unknown as typeof fetch }));
  // The statements the adapter-pg client runs for each read, replayed by node-postgres alone.
  const recorder = new PrismaClient({ adapter: new PrismaPg(pool), log: [{ emit: "event", level: "query" }] });
  let recorded: { text: string; values: unknown[] }[] = [];
  recorder.$on("query", (event) => recorded.push({ text: event.query, values: JSON.parse(event.params) as unknown[] }));
  try {
    const project = await direct.project.create({
      data: {
        slug: "bench",
        name: "Bench",
        characters: { create: Array.from({ length: 3 }, (_, c) => ({ name: `c${c}`, animations: { create: Array.from({ length: 3 }, (_, a) => ({ name: `a${a}`, frames: { create: Array.from({ length: 8 }, (_, index) => ({ index, image: "/f.png", width: 8, height: 8 })) } })) } })) },
      },
    });
    const where = { id: project.id };
    const tree = { characters: { include: { animations: { include: { _count: { select: { frames: true } } } } } } } as const;
    const cacheStrategy = { ttl: 3_600 };
    const statements = async (read: () => Promise<unknown>) => {
      recorded = [];
      await read();
      return recorded;
    };
    // A cached read's request as Prisma Client sent it, sent again over kept-alive connections.
    async function requestOf(read: () => Promise<unknown>) {
      await read();
      const { url, headers, body } = sent!;
      return () =>
        new Promise<void>((resolve, reject) => {
          const outgoing = request(url, { method: "POST", headers, agent }, (answer) => {
            answer.resume();
            answer.once("end", () => (answer.statusCode === 200 && answer.headers["accelerate-cache-status"] === "ttl" ? resolve() : reject(new Error(`${answer.statusCode} ${answer.headers["accelerate-cache-status"]}`))));
          });
          outgoing.once("error", reject);
          outgoing.end(body);
        });
    }
    const replay = (list: { text: string; values: unknown[] }[]) => async () => {
      for (const { text, values } of list) await pool.query(text, values);
    };
    const pointStatements = await statements(() => recorder.project.findUnique({ where }));
    const treeStatements = await statements(() => recorder.project.findUnique({ where, include: tree }));
    const cachedReads = {
      "point read": () => cachedGateway.project.findFirst({ where, cacheStrategy }),
      findProject: () => cachedGateway.project.findFirst({ where, include: tree, cacheStrategy }),
    };
    const requests = { "point read": await requestOf(cachedReads["point read"]), findProject: await requestOf(cachedReads.findProject) };
    const ways = {
      "raw pg": { "point read": replay(pointStatements), findProject: replay(treeStatements) },
      "adapter-pg": { "point read": () => direct.project.findUnique({ where }), findProject: () => direct.project.findUnique({ where, include: tree }) },
      gateway: { "point read": () => viaGateway.project.findUnique({ where }), findProject: () => viaGateway.project.findUnique({ where, include: tree }) },
      "gateway, cached": cachedReads,
      "gateway, cached, HTTP only": { "point read": requests["point read"], findProject: requests.findProject },
    };
    const reads = ["point read", "findProject"] as const;
    type Key = `${(typeof reads)[number]}|${keyof typeof ways}|${number}`;
    const results = new Map<Key, { p50: number; perSecond: number }[]>();
    // Warm every way: connections open, plans compiled and cached by each client, the cache filled.
    for (const way of Object.values(ways)) for (const read of Object.values(way)) for (let i = 0; i < 200; i++) await read();
    const measure = async (read: () => Promise<unknown>, concurrency: number) => {
      const latencies: number[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let k = next++; k < operations; k = next++) {
            const t = performance.now();
            await read();
            latencies.push(performance.now() - t);
          }
        }),
      );
      const wallMs = performance.now() - started;
      latencies.sort((a, b) => a - b);
      return { p50: latencies[Math.floor(latencies.length / 2)]!, perSecond: (operations / wallMs) * 1000 };
    };
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of [1, 10]) {
        for (const readName of reads) {
          // Alternate which way goes first, so a slow moment of the machine is shared.
          const order = Object.entries(ways) as [keyof typeof ways, (typeof ways)[keyof typeof ways]][];
          if (round % 2) order.reverse();
          for (const [wayName, way] of order) {
            const run = await measure(way[readName], concurrency);
            const key: Key = `${readName}|${wayName}|${concurrency}`;
            results.set(key, [...(results.get(key) ?? []), run]);
            log(`round ${round + 1}/${rounds} c=${concurrency} ${readName} ${wayName}: p50 ${run.p50.toFixed(2)} ms, ${run.perSecond.toFixed(0)}/s`);
          }
        }
      }
    }
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    const range = (list: number[], digits: number) => `${median(list).toFixed(digits)} (${Math.min(...list).toFixed(digits)}–${Math.max(...list).toFixed(digits)})`;
    const { rows } = await pool.query("show server_version");
    const names = Object.keys(ways) as (keyof typeof ways)[];
    const runs = (readName: string, way: keyof typeof ways, concurrency: number) => results.get(`${readName}|${way}|${concurrency}` as Key)!;
    const share = (readName: string, concurrency: number, of: keyof typeof ways, to: keyof typeof ways) =>
      range(runs(readName, of, concurrency).map((run, i) => run.perSecond / runs(readName, to, concurrency)[i]!.perSecond), 2);
    console.log(`\n${rounds} rounds, median (min–max); ${operations} reads per cell; pool of ${poolSize} everywhere; PostgreSQL ${rows[0].server_version}.`);
    console.log(`| read | callers | ${names.map((name) => `${name} reads/s`).join(" | ")} | gateway ÷ adapter-pg | cached ÷ raw pg | cached, HTTP only ÷ raw pg |`);
    console.log(`| --- | --- | ${names.map(() => "---").join(" | ")} | --- | --- | --- |`);
    for (const readName of reads) {
      for (const concurrency of [1, 10]) {
        const cells = names.map((name) => range(runs(readName, name, concurrency).map((r) => r.perSecond), 0));
        console.log(`| ${readName} | ${concurrency} | ${cells.join(" | ")} | ${share(readName, concurrency, "gateway", "adapter-pg")}x | ${share(readName, concurrency, "gateway, cached", "raw pg")}x | ${share(readName, concurrency, "gateway, cached, HTTP only", "raw pg")}x |`);
      }
    }
    console.log(`\n| read | callers | ${names.map((name) => `${name} p50, ms`).join(" | ")} |`);
    console.log(`| --- | --- | ${names.map(() => "---").join(" | ")} |`);
    for (const readName of reads) {
      for (const concurrency of [1, 10]) {
        console.log(`| ${readName} | ${concurrency} | ${names.map((name) => range(runs(readName, name, concurrency).map((r) => r.p50), 2)).join(" | ")} |`);
      }
    }
  } finally {
    await Promise.all([direct.$disconnect(), viaGateway.$disconnect(), cachedGateway.$disconnect(), recorder.$disconnect()]);
    await pool.end();
    agent.destroy();
    await gateway.stop();
  }
} finally {
  await database.drop();
}
