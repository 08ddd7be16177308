// Drives the real Prisma CLI through the bridge, in a throwaway project folder per test. The PostgreSQL server comes
// from the run's global setup (`provide("serverUrl", ...)`); every test file makes its own databases on it.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, inject, vi } from "vitest";
import { createDatabase, dropDatabase, withDatabase } from "../src/postgres.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
  }
}

// A test here runs the CLI several times, each a Node process that loads the wasm engine: seconds apiece, and many
// more on a machine whose cores are busy. The limits only catch a hang.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const packageDir = path.resolve(import.meta.dirname, "..");
export const bridge = path.join(packageDir, "bin/schema-engine");
const prismaBin = createRequire(import.meta.url).resolve("prisma/build/index.js");

/** A URL of the test server's maintenance database. */
export const serverUrl = () => inject("serverUrl");

export type TestDatabase = { name: string; url: string; drop: () => Promise<void> };

/** A new empty database named `test_<prefix>_<random>` on the test server. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `test_${prefix.replace(/\W/g, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  await createDatabase(serverUrl(), name);
  return { name, url: withDatabase(serverUrl(), name), drop: () => dropDatabase(serverUrl(), name, { force: true }) };
}
export const fixture = (name: string) => path.join(import.meta.dirname, "fixtures", name);
export const expected = (name: string) => path.join(import.meta.dirname, "expected", name);

export type Run = { code: number | null; stdout: string; stderr: string; output: string };

export type Project = {
  dir: string;
  url: string;
  prisma: (args: string[], options?: { url?: string; input?: string }) => Promise<Run>;
  applySchema: (fixtureName: string) => void;
  migrations: () => string[];
  migrationSql: (name: string) => string;
  remove: () => void;
};

/**
 * A project folder with its own schema and config; the config reads the URL from the environment. `inPackage` puts
 * it under test/.work, where the generated client resolves the packages it imports.
 */
export function project(url: string, schemaFixture = "v1.prisma", { inPackage = false } = {}): Project {
  const parent = inPackage ? path.join(packageDir, "test/.work") : tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, "engine-test-"));
  writeFileSync(
    path.join(dir, "prisma.config.ts"),
    `export default {
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  datasource: { url: process.env.DATABASE_URL },
};
`,
  );
  const applySchema = (name: string) => cpSync(fixture(name), path.join(dir, "schema.prisma"));
  applySchema(schemaFixture);
  const migrationsDir = path.join(dir, "migrations");
  return {
    dir,
    url,
    prisma: (args, options = {}) => runPrisma(dir, args, options.url ?? url, options.input),
    applySchema,
    migrations: () => {
      try {
        return readdirSync(migrationsDir, { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => entry.name)
          .sort();
      } catch {
        return [];
      }
    },
    migrationSql: (name) => readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Writes a hand-made migration into the project. */
export function addMigration(p: Project, name: string, sql: string) {
  mkdirSync(path.join(p.dir, "migrations", name), { recursive: true });
  writeFileSync(path.join(p.dir, "migrations", name, "migration.sql"), sql);
  writeFileSync(path.join(p.dir, "migrations", "migration_lock.toml"), 'provider = "postgresql"\n');
}

function runPrisma(cwd: string, args: string[], url: string, input?: string): Promise<Run> {
  return run(cwd, process.execPath, [prismaBin, ...args], url, input);
}

/** Runs a command in the project folder with a bare environment: the URL, and the bridge as the schema engine. */
export function run(cwd: string, command: string, args: string[], url: string, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "test",
        DATABASE_URL: url,
        PRISMA_SCHEMA_ENGINE_BINARY: bridge,
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        NO_COLOR: "1",
      },
      stdio: "pipe",
    });
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => ((stdout += chunk), (output += chunk)));
    child.stderr.on("data", (chunk: Buffer) => ((stderr += chunk), (output += chunk)));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, output }));
    child.stdin.end(input ?? "");
  });
}

export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

export const tables = async (url: string, schema = "public") =>
  (
    await query<{ table_name: string }>(
      url,
      `select table_name from information_schema.tables where table_schema = '${schema}' order by table_name`,
    )
  ).map((row) => row.table_name);

export const shadowDatabases = async (serverUrl: string) =>
  (
    await query<{ datname: string }>(
      serverUrl,
      "select datname from pg_database where datname like 'prisma_migrate_shadow_db_%'",
    )
  ).map((row) => row.datname);

/** Other test files may be mid-command; a leaked shadow database is one that never goes away. */
export async function expectNoShadowDatabases(serverUrl: string) {
  await expect.poll(() => shadowDatabases(serverUrl), { timeout: 30_000, interval: 500 }).toEqual([]);
}

/** Compares with a reviewed file under test/expected; UPDATE_EXPECTED=1 rewrites it instead. */
export function expectMatchesFile(actual: string, name: string) {
  if (process.env.UPDATE_EXPECTED) writeFileSync(expected(name), actual);
  expect(actual).toBe(readFileSync(expected(name), "utf8"));
}

/** Fails with the CLI's output in the message, which says far more than "expected 1 to be 0". */
export function expectExit(run: Run, code: number) {
  expect(run.code, run.output).toBe(code);
}

/**
 * For one test file: `setup(name)` makes a fresh empty database and a project folder pointing at it; both are
 * removed after the file.
 */
export function projectsForFile() {
  const databases: TestDatabase[] = [];
  const projects: Project[] = [];
  afterAll(async () => {
    for (const p of projects) p.remove();
    await Promise.all(databases.map((db) => db.drop()));
  });
  return async function setup(name: string, schema = "v1.prisma", options: { inPackage?: boolean } = {}) {
    const db = await createTestDatabase(`engine_${name}`);
    databases.push(db);
    const p = project(db.url, schema, options);
    projects.push(p);
    return p;
  };
}
