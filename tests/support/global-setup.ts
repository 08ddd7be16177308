// One PostgreSQL server for the whole run: the user's (DATABASE_URL) or an embedded one. Every test file makes its
// own database on it, cloned from a template that holds the project's migrations.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type RunningPostgres } from "../../scripts/embedded-postgres";
import { databaseUrl, dropDatabase, withAdmin } from "./postgres";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  let embedded: RunningPostgres | undefined;
  const serverUrl = process.env.DATABASE_URL
    ? databaseUrl(process.env.DATABASE_URL, "postgres")
    : (embedded = await startEmbeddedPostgres({ dataDir: ".data/postgres-test", database: "postgres" })).url;

  const templateDatabase = `test_template_${randomBytes(4).toString("hex")}`;
  await withAdmin(serverUrl, (admin) => admin.query(`create database ${templateDatabase}`));
  execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: databaseUrl(serverUrl, templateDatabase) },
    stdio: ["ignore", "ignore", "inherit"],
  });

  // The HTTP tests run `next start`, so they need the production build of the current source.
  if (process.env.SKIP_NEXT_BUILD !== "1") {
    execFileSync("node_modules/.bin/next", ["build"], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, stdio: ["ignore", "ignore", "inherit"] });
  }

  project.provide("serverUrl", serverUrl);
  project.provide("templateDatabase", templateDatabase);

  return async () => {
    await dropDatabase(serverUrl, templateDatabase);
    await embedded?.stop();
  };
}
