import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  addMigration,
  expectExit,
  expectMatchesFile,
  expectNoShadowDatabases,
  expected,
  fixture,
  projectsForFile,
  type Project,
  query,
  serverUrl,
  tables,
} from "./support";

const setup = projectsForFile();

/** The script part of `migrate diff` output: the CLI adds its own blank line after it. */
const printed = (stdout: string) => `${stdout.slice(stdout.indexOf("-- ")).trimEnd()}\n`;

const init = async () => readFileSync(expected("init.sql"), "utf8");

describe.concurrent("migrate dev", () => {
  it("creates the first migration, then a change, then nothing when nothing changed", async () => {
    const p = await setup("dev");
    expectExit(await p.prisma(["migrate", "dev", "--name", "init"]), 0);
    expect(p.migrations()).toHaveLength(1);
    expect(p.migrations()[0]).toMatch(/^\d{14}_init$/);
    expectMatchesFile(p.migrationSql(p.migrations()[0]!), "init.sql");
    expect(await tables(p.url)).toEqual(["_prisma_migrations", "authors", "posts"]);

    p.applySchema("v2.prisma");
    const change = await p.prisma(["migrate", "dev", "--name", "add_views"]);
    expectExit(change, 0);
    expect(p.migrations()).toHaveLength(2);
    expectMatchesFile(p.migrationSql(p.migrations()[1]!), "add_views.sql");
    const columns = await query(p.url, "select column_name from information_schema.columns where table_name = 'posts'");
    expect(columns.map((c) => c.column_name)).toContain("views");

    const again = await p.prisma(["migrate", "dev", "--name", "nothing"]);
    expectExit(again, 0);
    expect(again.stdout).toContain("Already in sync");
    expect(p.migrations()).toHaveLength(2);
  });

  it("--create-only writes the migration without applying it", async () => {
    const p = await setup("create_only");
    const run = await p.prisma(["migrate", "dev", "--name", "init", "--create-only"]);
    expectExit(run, 0);
    expect(p.migrations()).toHaveLength(1);
    expectMatchesFile(p.migrationSql(p.migrations()[0]!), "init.sql");
    expect(await tables(p.url)).not.toContain("authors");

    expectExit(await p.prisma(["migrate", "dev"]), 0);
    expect(await tables(p.url)).toContain("authors");
  });

  it("refuses a change that would lose data, naming the data at stake", async () => {
    const p = await setup("dev_data_loss");
    expectExit(await p.prisma(["migrate", "dev", "--name", "init"]), 0);
    await query(p.url, `insert into authors (email, updated_at) values ('a@example.com', now())`);
    p.applySchema("v1-no-email.prisma");
    const run = await p.prisma(["migrate", "dev", "--name", "drop_email"]);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("You are about to drop the column `email` on the `authors` table");
    expect(p.migrations()).toHaveLength(1);
    expect(await query(p.url, "select email from authors")).toEqual([{ email: "a@example.com" }]);
  });

  it("detects drift and asks for a reset instead of touching the database", async () => {
    const p = await setup("drift");
    expectExit(await p.prisma(["migrate", "dev", "--name", "init"]), 0);
    await query(p.url, "create table sneaky (id int)");
    const run = await p.prisma(["migrate", "dev", "--name", "next"]);
    expect(run.code).toBe(130);
    expect(run.stdout).toContain("Drift detected");
    expect(await tables(p.url)).toContain("sneaky");
  });
});

describe.concurrent("migrate deploy, status, reset, resolve", () => {
  it("deploys onto an empty database, then reports it up to date", async () => {
    const p = await setup("deploy");
    addMigration(p, "20240101000000_init", await init());
    const pending = await p.prisma(["migrate", "status"]);
    expectExit(pending, 1);
    expect(pending.stdout).toContain("Following migration have not yet been applied:\n20240101000000_init");

    const deploy = await p.prisma(["migrate", "deploy"]);
    expectExit(deploy, 0);
    expect(deploy.stdout).toContain("Applying migration `20240101000000_init`");
    expect(deploy.stdout).toContain("All migrations have been successfully applied.");
    expect(await tables(p.url)).toEqual(["_prisma_migrations", "authors", "posts"]);

    const status = await p.prisma(["migrate", "status"]);
    expectExit(status, 0);
    expect(status.stdout).toContain("Database schema is up to date!");
  });

  it("deploys with no migrations folder at all", async () => {
    const p = await setup("deploy_none");
    const run = await p.prisma(["migrate", "deploy"]);
    expectExit(run, 0);
    expect(run.stdout).toContain("No migration found in");
  });

  it("rolls a failing migration back whole, quotes the server, and lets resolve settle it", async () => {
    const p = await setup("failed");
    addMigration(p, "20240101000000_init", await init());
    addMigration(p, "20240102000000_bad", 'CREATE TABLE "extra" (id int);\nSELECT * FROM "missing_table";\n');
    const run = await p.prisma(["migrate", "deploy"]);
    expectExit(run, 1);
    expect(run.output).toContain("P3018");
    expect(run.output).toContain("Migration name: 20240102000000_bad");
    expect(run.output).toContain('relation "missing_table" does not exist');
    // The native engine's "Position" context: the failing line of the script, numbered, after the lines before it.
    expect(run.output).toContain(
      'Position:\n\x1b[1m  0\x1b[0m\n\x1b[1m  1\x1b[0m CREATE TABLE "extra" (id int);\n\x1b[1m  2\x1b[1;31m SELECT * FROM "missing_table";\x1b[0m',
    );
    expect(run.output).toContain('DbError { severity: "ERROR", parsed_severity: Some(Error), code: SqlState(E42P01)');
    expect(await tables(p.url)).not.toContain("extra");

    const status = await p.prisma(["migrate", "status"]);
    expectExit(status, 1);
    expect(status.output).toContain("Following migration have failed:\n20240102000000_bad");

    expectExit(await p.prisma(["migrate", "resolve", "--rolled-back", "20240102000000_bad"]), 0);
    addMigration(p, "20240102000000_bad", 'CREATE TABLE "extra" (id int);\n');
    expectExit(await p.prisma(["migrate", "deploy"]), 0);
    expect(await tables(p.url)).toContain("extra");
  });

  it("resolve --applied marks a failed migration as applied", async () => {
    const p = await setup("resolve_applied");
    addMigration(p, "20240101000000_bad", "SELECT 1/0;\n");
    expectExit(await p.prisma(["migrate", "deploy"]), 1);
    expectExit(await p.prisma(["migrate", "resolve", "--applied", "20240101000000_bad"]), 0);
    const status = await p.prisma(["migrate", "status"]);
    expectExit(status, 0);
    expect(status.stdout).toContain("Database schema is up to date!");
  });

  it("runs a migration whose function body holds semicolons inside $$", async () => {
    const p = await setup("dollar");
    addMigration(
      p,
      "20240101000000_fn",
      `CREATE FUNCTION add_one(i int) RETURNS int AS $$
BEGIN
  i := i + 1;
  RETURN i;
END;
$$ LANGUAGE plpgsql;
`,
    );
    expectExit(await p.prisma(["migrate", "deploy"]), 0);
    expect(await query(p.url, "select add_one(41) as n")).toEqual([{ n: 42 }]);
  });

  it("reset --force empties the database and replays the migrations", async () => {
    const p = await setup("reset");
    addMigration(p, "20240101000000_init", await init());
    expectExit(await p.prisma(["migrate", "deploy"]), 0);
    await query(p.url, `insert into authors (email, updated_at) values ('a@example.com', now())`);
    await query(p.url, "create table stray (id int)");
    const run = await p.prisma(["migrate", "reset", "--force"]);
    expectExit(run, 0);
    expect(await tables(p.url)).toEqual(["_prisma_migrations", "authors", "posts"]);
    expect(await query(p.url, "select * from authors")).toEqual([]);
  });

  it("honours ?schema= for the tables and the history", async () => {
    const p = await setup("schema_param");
    addMigration(p, "20240101000000_init", await init());
    const url = `${p.url}?schema=app`;
    expectExit(await p.prisma(["migrate", "deploy"], { url }), 0);
    expect(await tables(p.url, "app")).toEqual(["_prisma_migrations", "authors", "posts"]);
    expect(await tables(p.url, "public")).toEqual([]);
    const status = await p.prisma(["migrate", "status"], { url });
    expectExit(status, 0);
    expect(status.stdout).toContain('schema "app"');
  });
});

describe.concurrent("migrate diff", () => {
  let deployed: Project;
  beforeAll(async () => {
    deployed = await setup("diff");
    addMigration(deployed, "20240101000000_init", await init());
    expectExit(await deployed.prisma(["migrate", "deploy"]), 0);
  });

  it("--from-empty --to-schema, as a summary and as a script", async () => {
    const summary = await deployed.prisma(["migrate", "diff", "--from-empty", "--to-schema", "schema.prisma"]);
    expectExit(summary, 0);
    expect(summary.stdout).toContain("[+] Added tables\n  - authors\n  - posts");
    const script = await deployed.prisma(["migrate", "diff", "--from-empty", "--to-schema", "schema.prisma", "--script"]);
    expectExit(script, 0);
    expectMatchesFile(printed(script.stdout), "diff-empty-to-v1.sql");
  });

  it("-o writes the script to a file", async () => {
    const run = await deployed.prisma(["migrate", "diff", "--from-empty", "--to-schema", "schema.prisma", "--script", "-o", "out.sql"]);
    expectExit(run, 0);
    expectMatchesFile(readFileSync(`${deployed.dir}/out.sql`, "utf8"), "diff-empty-to-v1.sql");
  });

  it("--from-config-datasource --to-schema with --exit-code", async () => {
    const same = await deployed.prisma(["migrate", "diff", "--from-config-datasource", "--to-schema", "schema.prisma", "--exit-code"]);
    expectExit(same, 0);
    expect(same.stdout).toContain("No difference detected.");
    const v2 = fixture("v2.prisma");
    const changed = await deployed.prisma(["migrate", "diff", "--from-config-datasource", "--to-schema", v2, "--script", "--exit-code"]);
    expectExit(changed, 2);
    expectMatchesFile(printed(changed.stdout), "add_views.sql");
  });

  it("--from-schema --to-config-datasource", async () => {
    const run = await deployed.prisma(["migrate", "diff", "--from-schema", "schema.prisma", "--to-config-datasource", "--exit-code"]);
    expectExit(run, 0);
  });

  it("--from-migrations --to-schema and --from-empty --to-migrations replay on a shadow database", async () => {
    const v2 = fixture("v2.prisma");
    const run = await deployed.prisma(["migrate", "diff", "--from-migrations", "migrations", "--to-schema", v2, "--script"]);
    expectExit(run, 0);
    expectMatchesFile(printed(run.stdout), "add_views.sql");
    const back = await deployed.prisma(["migrate", "diff", "--from-migrations", "migrations", "--to-config-datasource", "--exit-code"]);
    expectExit(back, 0);
  });
});

describe.concurrent("migrate diff with no database", () => {
  const unreachable = "postgresql://nobody@127.0.0.1:1/nowhere";

  it("between two schema files, with an unreachable URL or none at all", async () => {
    const p = await setup("offline_diff");
    const v2 = fixture("v2.prisma");
    for (const url of [unreachable, ""]) {
      const run = await p.prisma(["migrate", "diff", "--from-schema", "schema.prisma", "--to-schema", v2, "--script"], { url });
      expectExit(run, 0);
      expectMatchesFile(printed(run.stdout), "add_views.sql");
    }
    const fromEmpty = await p.prisma(["migrate", "diff", "--from-empty", "--to-schema", "schema.prisma", "--script"], { url: unreachable });
    expectExit(fromEmpty, 0);
    expectMatchesFile(printed(fromEmpty.stdout), "diff-empty-to-v1.sql");
  });

  it("from migrations, replayed on the configured shadow database alone", async () => {
    const p = await setup("offline_shadow");
    addMigration(p, "20240101000000_init", await init());
    writeFileSync(
      path.join(p.dir, "prisma.config.ts"),
      `export default {
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  datasource: { url: process.env.DATABASE_URL, shadowDatabaseUrl: ${JSON.stringify(p.url)} },
};
`,
    );
    const run = await p.prisma(["migrate", "diff", "--from-migrations", "migrations", "--to-schema", "schema.prisma", "--exit-code"], { url: unreachable });
    expectExit(run, 0);
    expect(run.stdout).toContain("No difference detected.");
  });
});

it("leaves no shadow database behind", async () => {
  await expectNoShadowDatabases(serverUrl());
});
