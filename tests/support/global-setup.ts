// One PostgreSQL server for the whole run: the user's (DATABASE_URL) or an embedded one. Every test file makes its
// own database on it, cloned from a template that holds the project's migrations.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type RunningPostgres } from "../../scripts/support/embedded-postgres";
import { databaseUrl, deployMigrations, dropDatabase, withAdmin } from "../../scripts/support/postgres-admin";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
    templateDatabase: string;
  }
}

type Server = { serverUrl: string; templateDatabase: string; users: number; stop: () => Promise<void> };
// The engine and app projects each run this; the second finds the first's server on globalThis and shares it.
const shared = globalThis as unknown as { testPostgres?: Promise<Server> };

export default async function setup(project: TestProject) {
  const server = await (shared.testPostgres ??= start());
  server.users++;
  project.provide("serverUrl", server.serverUrl);
  project.provide("templateDatabase", server.templateDatabase);
  return async () => {
    if (--server.users > 0) return;
    delete shared.testPostgres;
    await server.stop();
  };
}

async function start(): Promise<Server> {
  let embedded: RunningPostgres | undefined;
  // A server of the run's own when none is given: a fresh cluster costs about a second, and no run can stop one
  // that another run is using.
  const scratch = mkdtempSync(path.join(tmpdir(), "test-postgres-"));
  chmodSync(scratch, 0o755); // the server runs as the postgres user when this runs as root
  const serverUrl = process.env.DATABASE_URL
    ? databaseUrl(process.env.DATABASE_URL, "postgres")
    : (embedded = await startEmbeddedPostgres({ dataDir: path.join(scratch, "data"), database: "postgres" })).url;

  const templateDatabase = `test_template_${randomBytes(4).toString("hex")}`;
  try {
    await withAdmin(serverUrl, (admin) => admin.query(`create database ${templateDatabase}`));
    deployMigrations(databaseUrl(serverUrl, templateDatabase));
  } catch (error) {
    await dropDatabase(serverUrl, templateDatabase);
    await embedded?.stop();
    throw error;
  }

  return {
    serverUrl,
    templateDatabase,
    users: 0,
    stop: async () => {
      await dropDatabase(serverUrl, templateDatabase);
      await embedded?.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
