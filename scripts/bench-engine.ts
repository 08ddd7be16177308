// Prints how fast the schema-engine bridge starts and how long `prisma migrate deploy` takes through it.
// Figures only: nothing here passes or fails. Uses DATABASE_URL's server, else the embedded PostgreSQL.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startEmbeddedPostgres } from "./support/embedded-postgres";
import { databaseUrl, dropDatabase, withAdmin } from "./support/postgres-admin";

const root = path.resolve(import.meta.dirname, "..");
const bridge = path.join(root, "packages/prisma-wasm-engine/bin/schema-engine");
const prisma = path.join(root, "node_modules/.bin/prisma");
const RUNS = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const ms = (value: number) => `${value.toFixed(0)} ms`;

function timeVersion() {
  const start = performance.now();
  spawnSync(bridge, ["--version"], { stdio: "ignore" });
  return performance.now() - start;
}

/** From spawn to the answer of the first request, the wasm compile and a database connection included. */
function timeFirstResponse(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(bridge, ["--datasource", JSON.stringify({ url })], { stdio: ["pipe", "pipe", "ignore"] });
    child.stdout.once("data", () => {
      const elapsed = performance.now() - start;
      child.stdin.end();
      child.once("exit", () => resolve(elapsed));
    });
    child.once("error", reject);
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getDatabaseVersion" })}\n`);
  });
}

/** The project's migrations when it has some; else a one-migration fixture in a folder of its own. */
function migrationsProject(): { cwd: string; label: string; cleanup: () => void } {
  if (existsSync(path.join(root, "prisma/migrations"))) {
    return { cwd: root, label: "prisma/migrations", cleanup: () => {} };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "bench-engine-"));
  mkdirSync(path.join(dir, "migrations/20240101000000_init"), { recursive: true });
  cpSync(path.join(root, "packages/prisma-wasm-engine/test/fixtures/v1.prisma"), path.join(dir, "schema.prisma"));
  cpSync(path.join(root, "packages/prisma-wasm-engine/test/expected/init.sql"), path.join(dir, "migrations/20240101000000_init/migration.sql"));
  writeFileSync(
    path.join(dir, "prisma.config.ts"),
    'export default { schema: "schema.prisma", migrations: { path: "migrations" }, datasource: { url: process.env.DATABASE_URL } };\n',
  );
  return { cwd: dir, label: "fixture (packages/prisma-wasm-engine/test/expected/init.sql)", cleanup: () => rmSync(dir, { recursive: true }) };
}

function timeDeploy(cwd: string, url: string) {
  const start = performance.now();
  const run = spawnSync(prisma, ["migrate", "deploy"], {
    cwd,
    env: { ...process.env, DATABASE_URL: url, PRISMA_SCHEMA_ENGINE_BINARY: bridge, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`migrate deploy failed:\n${run.stderr}`);
  return performance.now() - start;
}

const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ database: "postgres" });
const serverUrl = embedded?.url ?? databaseUrl(process.env.DATABASE_URL!, "postgres");
const project = migrationsProject();
try {
  const version = Array.from({ length: RUNS }, timeVersion);
  const first: number[] = [];
  for (let i = 0; i < RUNS; i++) first.push(await timeFirstResponse(serverUrl));
  const deploy: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const database = `bench_engine_${randomBytes(4).toString("hex")}`;
    await withAdmin(serverUrl, (admin) => admin.query(`create database ${database}`));
    try {
      deploy.push(timeDeploy(project.cwd, databaseUrl(serverUrl, database)));
    } finally {
      await dropDatabase(serverUrl, database);
    }
  }
  console.log(`schema-engine bridge, medians of ${RUNS} runs`);
  console.log(`  --version                      ${ms(median(version))}`);
  console.log(`  spawn to first RPC response    ${ms(median(first))}`);
  console.log(`  prisma migrate deploy          ${ms(median(deploy))}  (${project.label}, fresh database)`);
} finally {
  project.cleanup();
  await embedded?.stop();
}
