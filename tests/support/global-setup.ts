// One PostgreSQL server for the whole run: the user's (DATABASE_URL) or an embedded one. Every test file makes its
// own database on it, cloned from a template that holds the project's migrations.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type RunningPostgres } from "../../scripts/support/embedded-postgres";
import { databaseUrl, dropDatabase, withAdmin } from "../../scripts/support/postgres-admin";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
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
    run("prisma", ["migrate", "deploy"], { DATABASE_URL: databaseUrl(serverUrl, templateDatabase) });
    // The HTTP tests run `next start`, so they need the production build of the current source.
    if (process.env.SKIP_NEXT_BUILD !== "1") run("next", ["build"], { NEXT_TELEMETRY_DISABLED: "1" });
  } catch (error) {
    await dropDatabase(serverUrl, templateDatabase);
    await embedded?.stop();
    throw error;
  }

  project.provide("serverUrl", serverUrl);
  project.provide("templateDatabase", templateDatabase);

  return async () => {
    await dropDatabase(serverUrl, templateDatabase);
    await embedded?.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
}

function run(command: string, args: string[], env: Record<string, string>) {
  try {
    execFileSync(`node_modules/.bin/${command}`, args, { env: { ...process.env, ...env }, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}
