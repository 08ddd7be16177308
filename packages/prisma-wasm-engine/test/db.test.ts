import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dropDatabase, withDatabase } from "../src/postgres.mjs";
import {
  addMigration,
  expected,
  expectExit,
  expectNoShadowDatabases,
  projectsForFile,
  query,
  serverUrl,
  tables,
} from "./support";

const setup = projectsForFile();

describe.concurrent("db push", () => {
  it("refuses data loss, accepts it when told, and resets when forced", async () => {
    const p = await setup("push");
    expectExit(await p.prisma(["db", "push"]), 0);
    await query(p.url, `insert into authors (email, updated_at) values ('a@example.com', now())`);

    p.applySchema("v1-no-email.prisma");
    const refused = await p.prisma(["db", "push"]);
    expectExit(refused, 1);
    expect(refused.output).toContain("You are about to drop the column `email` on the `authors` table, which still contains 1 non-null values.");
    expect(refused.output).toContain("--accept-data-loss");
    expect(await query(p.url, "select email from authors")).toEqual([{ email: "a@example.com" }]);

    expectExit(await p.prisma(["db", "push", "--accept-data-loss"]), 0);
    const columns = await query(p.url, "select column_name from information_schema.columns where table_name = 'authors'");
    expect(columns.map((c) => c.column_name)).not.toContain("email");
    expect(await query(p.url, "select count(*)::int as n from authors")).toEqual([{ n: 1 }]);

    expectExit(await p.prisma(["db", "push", "--force-reset"]), 0);
    expect(await query(p.url, "select count(*)::int as n from authors")).toEqual([{ n: 0 }]);
  });
});

describe.concurrent("db pull", () => {
  it("round-trips a migrated database, keeping relations, @updatedAt and defaults", async () => {
    const p = await setup("pull");
    addMigration(p, "20240101000000_init", readFileSync(expected("init.sql"), "utf8"));
    expectExit(await p.prisma(["migrate", "deploy"]), 0);

    const pulled = await p.prisma(["db", "pull"]);
    expectExit(pulled, 0);
    const schema = readFileSync(path.join(p.dir, "schema.prisma"), "utf8");
    expect(schema).toMatch(/author\s+Author\s+@relation\(fields: \[authorId\], references: \[id\], onDelete: Cascade\)/);
    expect(schema).toMatch(/posts\s+Post\[\]/);
    expect(schema).toMatch(/updatedAt\s+DateTime\s+@updatedAt @map\("updated_at"\)/);
    expect(schema).toMatch(/createdAt\s+DateTime\s+@default\(now\(\)\)/);
    expect(schema).toMatch(/role\s+Role\s+@default\(MEMBER\)/);
    expect(schema).toMatch(/title\s+String\s+@default\("untitled"\)/);

    const diff = await p.prisma(["migrate", "diff", "--from-schema", "schema.prisma", "--to-config-datasource", "--exit-code"]);
    expectExit(diff, 0);
  });

  it("introspects from scratch into a schema with the relations", async () => {
    const p = await setup("pull_fresh");
    addMigration(p, "20240101000000_init", readFileSync(expected("init.sql"), "utf8"));
    expectExit(await p.prisma(["migrate", "deploy"]), 0);
    writeFileSync(path.join(p.dir, "schema.prisma"), 'datasource db {\n  provider = "postgresql"\n}\n');
    const pulled = await p.prisma(["db", "pull", "--print"]);
    expectExit(pulled, 0);
    expect(pulled.stdout).toContain("model authors {");
    expect(pulled.stdout).toMatch(/authors\s+authors\s+@relation\(fields: \[author_id\], references: \[id\], onDelete: Cascade\)/);
    expect(pulled.stdout).toContain("enum Role {");
  });
});

describe.concurrent("db execute", () => {
  it("runs a script from a file and from stdin, $$ bodies included", async () => {
    const p = await setup("execute");
    const script = `CREATE TABLE t (n int);
CREATE FUNCTION twice(i int) RETURNS int AS $$ BEGIN RETURN i * 2; END; $$ LANGUAGE plpgsql;
INSERT INTO t VALUES (twice(21));
`;
    writeFileSync(path.join(p.dir, "script.sql"), script);
    const fromFile = await p.prisma(["db", "execute", "--file", "script.sql"]);
    expectExit(fromFile, 0);
    expect(fromFile.stdout).toContain("Script executed successfully.");
    expect(await query(p.url, "select n from t")).toEqual([{ n: 42 }]);

    expectExit(await p.prisma(["db", "execute", "--stdin"], { input: "INSERT INTO t VALUES (1);" }), 0);
    expect(await query(p.url, "select count(*)::int as n from t")).toEqual([{ n: 2 }]);
  });

  it("fails with the server's message and changes nothing", async () => {
    const p = await setup("execute_fail");
    const run = await p.prisma(["db", "execute", "--stdin"], { input: "CREATE TABLE u (n int); SELECT 1/0;" });
    expectExit(run, 1);
    expect(run.output).toContain("division by zero");
    expect(await tables(p.url)).toEqual([]);
  });
});

describe.concurrent("connection failures", () => {
  it("wrong password: P1000, and the password is never printed", async (ctx) => {
    const p = await setup("password");
    const url = new URL(p.url);
    url.password = "not-the-password-4711";
    const accepted = await query(url.toString(), "select 1").then(
      () => true,
      () => false,
    );
    if (accepted) ctx.skip("this server trusts every password");
    const run = await p.prisma(["migrate", "status"], { url: url.toString() });
    expectExit(run, 1);
    expect(run.output).toContain("P1000");
    expect(run.output).toContain("Authentication failed against database server");
    expect(run.output).not.toContain("not-the-password-4711");
  });

  it("unreachable host: P1001", async () => {
    const p = await setup("unreachable");
    const url = new URL(p.url);
    url.host = "127.0.0.1:1";
    for (const args of [["migrate", "deploy"], ["db", "pull", "--print"]]) {
      const run = await p.prisma(args, { url: url.toString() });
      expectExit(run, 1);
      expect(run.output).toContain("P1001");
      expect(run.output).toContain("Can't reach database server at `127.0.0.1:1`");
    }
  });

  it("missing database: status reports P1003, deploy creates it", async () => {
    const p = await setup("missing");
    const name = `${new URL(p.url).pathname.slice(1)}_absent`;
    const url = withDatabase(p.url, name);
    try {
      const status = await p.prisma(["migrate", "status"], { url });
      expectExit(status, 1);
      expect(status.output).toContain(`P1003: Database \`${name}\` does not exist on the database server`);
      const deploy = await p.prisma(["migrate", "deploy"], { url });
      expectExit(deploy, 0);
      expect(deploy.output).toContain(`PostgreSQL database ${name} created`);
      expect(await tables(url)).toEqual(["_prisma_migrations"]);
    } finally {
      await dropDatabase(serverUrl(), name, { force: true });
    }
  });
});

it("leaves no shadow database behind", async () => {
  await expectNoShadowDatabases(serverUrl());
});
