// The Prisma clients and their TypedSQL functions (prisma/sql), for `postinstall` and `bun run db:generate`:
//   tsx scripts/generate.ts [more prisma generate arguments...]
// A query's types come from the committed migrations, not from whatever state some database is in: the queries are
// described against a database built from prisma/migrations on the embedded PostgreSQL (.data/postgres), kept while
// the migrations stay the same. DATABASE_URL is never connected to, so installing needs no database of the user's
// and never writes to one.
import { spawn } from "node:child_process";
import path from "node:path";
import { config as loadDotenv } from "dotenv";
import pg from "pg";
import { startEmbeddedPostgres, type RunningPostgres } from "./support/embedded-postgres";
import { hasPendingMigrations, migrationsDatabase } from "./support/migrations-database";
import { databaseUrl, deployMigrations } from "./support/postgres-admin";

const root = path.resolve(import.meta.dirname, "..");
const migrationsDir = path.join(root, "prisma/migrations");
// The database `scripts/with-db.ts` gives `bun run dev` when DATABASE_URL is unset.
const devDatabase = "app";

process.chdir(root);
loadDotenv({ quiet: true });
const usesEmbeddedDatabase = !process.env.DATABASE_URL;

const started = Date.now();
let server: RunningPostgres;
try {
  server = await startEmbeddedPostgres({ database: "postgres" });
} catch (error) {
  console.error((error as Error).message);
  console.error(
    "TypedSQL's types are read from the committed migrations on the embedded PostgreSQL, with or without DATABASE_URL: " +
      "generating the client needs it.",
  );
  process.exit(1);
}

let code = 1;
const admin = new pg.Client({ connectionString: server.url });
try {
  await admin.connect();
  const { name, url, built } = await migrationsDatabase(admin, server.url, migrationsDir);
  if (usesEmbeddedDatabase) await updateDevDatabase(name);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.error(`TypedSQL: queries described against the committed migrations (${name}, ${built ? "built" : "kept from the last run"}, ${seconds} s).`);
  code = await run("node_modules/.bin/prisma", ["generate", "--sql", ...process.argv.slice(2)], url);
} catch (error) {
  console.error((error as Error).message);
} finally {
  await admin.end().catch(() => {});
  await server.stop();
}
process.exit(code);

/**
 * Brings the embedded database `bun run dev` uses to the committed migrations, as an install always has: a new one is
 * a copy of the migrations database; one that a migration is missing from gets `prisma migrate deploy`.
 */
async function updateDevDatabase(template: string) {
  const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [devDatabase]);
  if (!rowCount) {
    await admin.query(`create database ${admin.escapeIdentifier(devDatabase)} template ${admin.escapeIdentifier(template)}`);
    return;
  }
  const url = databaseUrl(server.url, devDatabase);
  if (!(await hasPendingMigrations(url, migrationsDir))) return;
  try {
    deployMigrations(url);
  } catch (error) {
    // The client is generated all the same; `bun run dev` tries again and shows the same error.
    console.error(`The embedded database "${devDatabase}" could not be migrated: ${(error as Error).message}`);
  }
}

/** Runs a command with DATABASE_URL set to `url`; Ctrl-C reaches it, and this process waits for it to end. */
function run(command: string, args: string[], url: string): Promise<number> {
  const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, DATABASE_URL: url } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, forward);
  return new Promise((resolve) => {
    child.on("error", (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(127);
    });
    child.on("exit", (exitCode, signal) => resolve(exitCode ?? 128 + (signal === "SIGINT" ? 2 : 15)));
  });
}
