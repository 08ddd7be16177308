// A database holding exactly the committed migrations (prisma/migrations), which TypedSQL's queries are described
// against. It is named after a hash of the migration files and kept: the next run with the same migrations reuses it,
// a changed or added migration gets a new one, and the old one is dropped.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { databaseUrl, deployMigrations } from "./postgres-admin";

const prefix = "typedsql_";
// Marks a database whose migrations all applied; one without it was cut short and is built again.
const complete = "prisma/migrations applied";
// Held for a whole run, so that an install and a `db:generate` on one checkout take turns (an arbitrary constant).
const lockKey = 7_301_955_128;

export type MigrationsDatabase = { name: string; url: string; built: boolean };

/** Every file under `dir`, its path and its bytes: what `prisma migrate deploy` reads. */
export function migrationsHash(dir: string): string {
  const hash = createHash("sha256");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => statSync(path.join(dir, file)).isFile())
    .map((file) => file.split(path.sep).join("/"))
    .sort();
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(path.join(dir, file))).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** Names of the migrations in `dir`, as `_prisma_migrations` records them. */
export function migrationNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * The migrations database on the server `admin` is connected to, built if missing. Takes a lock that `admin` holds
 * until its session ends: keep it for as long as the database is in use.
 */
export async function migrationsDatabase(admin: pg.Client, serverUrl: string, migrationsDir: string): Promise<MigrationsDatabase> {
  await admin.query("select pg_advisory_lock($1)", [lockKey]);
  const name = `${prefix}${migrationsHash(migrationsDir)}`;
  const url = databaseUrl(serverUrl, name);
  const { rows } = await admin.query<{ datname: string; note: string | null }>(
    "select datname, shobj_description(oid, 'pg_database') as note from pg_database where starts_with(datname, $1)",
    [prefix],
  );
  for (const row of rows) {
    if (row.datname === name && row.note === complete) continue;
    await admin.query(`drop database ${admin.escapeIdentifier(row.datname)} with (force)`);
  }
  if (rows.some((row) => row.datname === name && row.note === complete)) return { name, url, built: false };

  await admin.query(`create database ${admin.escapeIdentifier(name)} template template0`);
  try {
    deployMigrations(url);
  } catch (error) {
    await admin.query(`drop database if exists ${admin.escapeIdentifier(name)} with (force)`);
    throw error;
  }
  await admin.query(`comment on database ${admin.escapeIdentifier(name)} is ${admin.escapeLiteral(complete)}`);
  return { name, url, built: true };
}

/** Whether the database at `url` lacks one of the migrations in `dir` (or has no migration history at all). */
export async function hasPendingMigrations(url: string, migrationsDir: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      "select migration_name from _prisma_migrations where finished_at is not null and rolled_back_at is null",
    );
    const applied = new Set(rows.map((row) => row.migration_name));
    return migrationNames(migrationsDir).some((name) => !applied.has(name));
  } catch (error) {
    if ((error as { code?: string }).code === "42P01") return true; // no _prisma_migrations table
    throw error;
  } finally {
    await client.end();
  }
}
