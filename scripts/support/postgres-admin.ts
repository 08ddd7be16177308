import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";

/** The same server and credentials, another database. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function withAdmin<T>(serverUrl: string, run: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Drops the database, ending the sessions still on it. pg-pool's end() resolves before its connections have closed,
 * and a connection the server ends makes its pool emit "error", which crashes a process that does not listen for it:
 * sessions get up to two seconds to close on their own first.
 */
export async function dropDatabase(serverUrl: string, database: string) {
  await withAdmin(serverUrl, async (admin) => {
    for (let waited = 0; waited < 2_000; waited += 20) {
      const { rows } = await admin.query("select count(*)::int as sessions from pg_stat_activity where datname = $1", [database]);
      if (rows[0].sessions === 0) break;
      await sleep(20);
    }
    await admin.query(`drop database if exists "${database}" with (force)`);
  });
}

export type TestDatabase = { name: string; url: string; drop: () => Promise<void> };

/** A new database named `<prefix>_<random>`, empty or cloned from `template`. */
export async function createDatabase(serverUrl: string, prefix: string, template?: string): Promise<TestDatabase> {
  const name = `${prefix.replace(/\W/g, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  await withAdmin(serverUrl, (admin) =>
    admin.query(`create database "${name}"${template ? ` template "${template}"` : ""}`),
  );
  return { name, url: databaseUrl(serverUrl, name), drop: () => dropDatabase(serverUrl, name) };
}

/** `prisma migrate deploy` on the database at `url`; its output becomes the error when it fails. */
export function deployMigrations(url: string) {
  try {
    execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: url }, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`prisma migrate deploy failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}
