// What the gateway costs: the app's generated client on Node.js reading through a gateway process (`accelerateUrl`)
// against the same client with @prisma/adapter-pg and a pool of its own, same pool size, same database, at 1 and 10
// concurrent callers. Prints one table.
//   tsx scripts/with-db.ts tsx packages/prisma-gateway/bench/overhead.ts [--rounds 3] [--operations 2000]
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
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
  try {
    const project = await direct.project.create({
      data: {
        slug: "bench",
        name: "Bench",
        characters: { create: Array.from({ length: 3 }, (_, c) => ({ name: `c${c}`, animations: { create: Array.from({ length: 3 }, (_, a) => ({ name: `a${a}`, frames: { create: Array.from({ length: 8 }, (_, index) => ({ index, image: "/f.png", width: 8, height: 8 })) } })) } })) },
      },
    });
    const reads = {
      "point read": (client: PrismaClient) => client.project.findUnique({ where: { id: project.id } }),
      findProject: (client: PrismaClient) =>
        client.project.findUnique({
          where: { id: project.id },
          include: { characters: { include: { animations: { include: { _count: { select: { frames: true } } } } } } },
        }),
    };
    const clients = { "adapter-pg": direct, gateway: viaGateway };
    type Key = `${keyof typeof reads}|${keyof typeof clients}|${number}`;
    const results = new Map<Key, { p50: number; perSecond: number }[]>();
    // Warm both: connections open, plans compiled and cached by each client.
    for (const client of Object.values(clients)) for (const read of Object.values(reads)) for (let i = 0; i < 200; i++) await read(client);
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of [1, 10]) {
        for (const [readName, read] of Object.entries(reads)) {
          // Alternate which client goes first, so a slow moment of the machine is shared.
          const order = Object.entries(clients);
          if (round % 2) order.reverse();
          for (const [clientName, client] of order) {
            const latencies: number[] = [];
            let next = 0;
            const started = performance.now();
            await Promise.all(
              Array.from({ length: concurrency }, async () => {
                for (let k = next++; k < operations; k = next++) {
                  const t = performance.now();
                  await read(client as PrismaClient);
                  latencies.push(performance.now() - t);
                }
              }),
            );
            const wallMs = performance.now() - started;
            latencies.sort((a, b) => a - b);
            const key = `${readName}|${clientName}|${concurrency}` as Key;
            results.set(key, [...(results.get(key) ?? []), { p50: latencies[Math.floor(latencies.length / 2)]!, perSecond: (operations / wallMs) * 1000 }]);
            log(`round ${round + 1}/${rounds} c=${concurrency} ${readName} ${clientName}: p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(2)} ms`);
          }
        }
      }
    }
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    const range = (list: number[], digits: number) => `${median(list).toFixed(digits)} (${Math.min(...list).toFixed(digits)}–${Math.max(...list).toFixed(digits)})`;
    const { rows } = await pool.query("show server_version");
    console.log(`\n${rounds} rounds, median (min–max); ${operations} reads per cell; pool of ${poolSize} on both; PostgreSQL ${rows[0].server_version}.`);
    console.log("| read | callers | adapter-pg p50, ms | gateway p50, ms | adapter-pg reads/s | gateway reads/s | gateway's share of adapter-pg's reads/s |");
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    for (const readName of Object.keys(reads)) {
      for (const concurrency of [1, 10]) {
        const directRuns = results.get(`${readName}|adapter-pg|${concurrency}` as Key)!;
        const gatewayRuns = results.get(`${readName}|gateway|${concurrency}` as Key)!;
        const share = gatewayRuns.map((run, i) => run.perSecond / directRuns[i]!.perSecond);
        console.log(
          `| ${readName} | ${concurrency} | ${range(directRuns.map((r) => r.p50), 2)} | ${range(gatewayRuns.map((r) => r.p50), 2)} | ${range(directRuns.map((r) => r.perSecond), 0)} | ${range(gatewayRuns.map((r) => r.perSecond), 0)} | ${range(share, 2)}x |`,
        );
      }
    }
  } finally {
    await Promise.all([direct.$disconnect(), viaGateway.$disconnect()]);
    await pool.end();
    await gateway.stop();
  }
} finally {
  await database.drop();
}
