// What the gateway costs, and what its cache saves: the app's generated client on Node.js reading through a gateway
// process (`accelerateUrl`), the same with `withAccelerate()` and a cacheStrategy (answered from the gateway's
// cache), the client with @prisma/adapter-pg and a pool of its own, and node-postgres alone running the statements
// that client runs ("raw pg"); same pool size, same database, at 1 and 10 concurrent callers. Prints two tables.
//   tsx scripts/with-db.ts tsx packages/prisma-gateway/bench/overhead.ts [--rounds 3] [--operations 2000]
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import { withAccelerate } from "@prisma/extension-accelerate";
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
  const direct = new PrismaClient({ adapter: new PrismaPg(pool) });
  const gateway = await startGatewayProcess({ DATABASE_URL: database.url, GATEWAY_POOL_MAX: String(poolSize), GATEWAY_LOG_LEVEL: "warn" });
  const viaGateway = new PrismaClient({ accelerateUrl: gateway.accelerateUrl });
  const cachedGateway = new PrismaClient({ accelerateUrl: gateway.accelerateUrl }).$extends(withAccelerate());
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
    const replay = (list: { text: string; values: unknown[] }[]) => async () => {
      for (const { text, values } of list) await pool.query(text, values);
    };
    const pointStatements = await statements(() => recorder.project.findUnique({ where }));
    const treeStatements = await statements(() => recorder.project.findUnique({ where, include: tree }));
    const ways = {
      "raw pg": { "point read": replay(pointStatements), findProject: replay(treeStatements) },
      "adapter-pg": { "point read": () => direct.project.findUnique({ where }), findProject: () => direct.project.findUnique({ where, include: tree }) },
      gateway: { "point read": () => viaGateway.project.findUnique({ where }), findProject: () => viaGateway.project.findUnique({ where, include: tree }) },
      "gateway, cached": {
        "point read": () => cachedGateway.project.findFirst({ where, cacheStrategy }),
        findProject: () => cachedGateway.project.findFirst({ where, include: tree, cacheStrategy }),
      },
    };
    const reads = ["point read", "findProject"] as const;
    type Key = `${(typeof reads)[number]}|${keyof typeof ways}|${number}`;
    const results = new Map<Key, { p50: number; perSecond: number }[]>();
    // Warm every way: connections open, plans compiled and cached by each client, the cache filled.
    for (const way of Object.values(ways)) for (const read of Object.values(way)) for (let i = 0; i < 200; i++) await read();
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of [1, 10]) {
        for (const readName of reads) {
          // Alternate which way goes first, so a slow moment of the machine is shared.
          const order = Object.entries(ways) as [keyof typeof ways, (typeof ways)[keyof typeof ways]][];
          if (round % 2) order.reverse();
          for (const [wayName, way] of order) {
            const read = way[readName];
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
            const key: Key = `${readName}|${wayName}|${concurrency}`;
            results.set(key, [...(results.get(key) ?? []), { p50: latencies[Math.floor(latencies.length / 2)]!, perSecond: (operations / wallMs) * 1000 }]);
            log(`round ${round + 1}/${rounds} c=${concurrency} ${readName} ${wayName}: p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(2)} ms`);
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
    console.log(`| read | callers | ${names.map((name) => `${name} reads/s`).join(" | ")} | gateway ÷ adapter-pg | gateway, cached ÷ raw pg |`);
    console.log(`| --- | --- | ${names.map(() => "---").join(" | ")} | --- | --- |`);
    for (const readName of reads) {
      for (const concurrency of [1, 10]) {
        const cells = names.map((name) => range(runs(readName, name, concurrency).map((r) => r.perSecond), 0));
        console.log(`| ${readName} | ${concurrency} | ${cells.join(" | ")} | ${share(readName, concurrency, "gateway", "adapter-pg")}x | ${share(readName, concurrency, "gateway, cached", "raw pg")}x |`);
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
    await gateway.stop();
  }
} finally {
  await database.drop();
}
