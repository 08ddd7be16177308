import { randomBytes } from "node:crypto";
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

export async function dropDatabase(serverUrl: string, database: string) {
  await withAdmin(serverUrl, (admin) => admin.query(`drop database if exists "${database}" with (force)`));
}

export type TestDatabase = { name: string; url: string; drop: () => Promise<void> };

/** A new database named `test_<prefix>_<random>`, empty or cloned from `template`. */
export async function createDatabase(serverUrl: string, prefix: string, template?: string): Promise<TestDatabase> {
  const name = `test_${prefix.replace(/\W/g, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  await withAdmin(serverUrl, (admin) =>
    admin.query(`create database "${name}"${template ? ` template "${template}"` : ""}`),
  );
  return { name, url: databaseUrl(serverUrl, name), drop: () => dropDatabase(serverUrl, name) };
}
