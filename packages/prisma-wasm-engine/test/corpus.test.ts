// Schemas written to cover what large real-world schemas use (61 models: self-relations, many-to-many, every
// referential action, views, pg_trgm and citext, operator classes, GIN/GiST/BRIN/hash indexes, composite keys,
// enums, arrays, JSON, native types, several PostgreSQL schemas). Each goes from empty to SQL, is applied, and
// must then show no difference from its schema, and none after `db pull` either.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectExit, fixture, projectsForFile, query } from "./support";

const setup = projectsForFile();

const CORPUS = ["commerce", "social", "multischema"];

describe.concurrent("schema corpus round trips", () => {
  it("has 60 models or more", () => {
    const models = CORPUS.map((name) => readFileSync(fixture(`corpus/${name}.prisma`), "utf8").match(/^model /gm)?.length ?? 0);
    expect(models.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(60);
  });

  it.each(CORPUS)("%s: empty -> SQL -> applied -> no difference, and none after db pull", async (name) => {
    const p = await setup(`corpus_${name}`, `corpus/${name}.prisma`);

    const script = await p.prisma(["migrate", "diff", "--from-empty", "--to-schema", "schema.prisma", "--script", "-o", "init.sql"]);
    expectExit(script, 0);
    const sql = readFileSync(path.join(p.dir, "init.sql"), "utf8");
    expect(sql).toMatch(/CREATE TABLE/);
    await query(p.url, sql);
    // Prisma does not create views; the database gets them from SQL of their own.
    const views = fixture(`corpus/${name}.views.sql`);
    if (existsSync(views)) await query(p.url, readFileSync(views, "utf8"));

    const applied = await p.prisma(["migrate", "diff", "--from-config-datasource", "--to-schema", "schema.prisma", "--exit-code"]);
    expectExit(applied, 0);
    expect(applied.stdout).toContain("No difference detected.");

    const pulled = await p.prisma(["db", "pull", "--print"]);
    expectExit(pulled, 0);
    const pulledSchema = pulled.stdout.slice(Math.max(0, pulled.stdout.search(/^(generator|datasource) /m)));
    writeFileSync(path.join(p.dir, "pulled.prisma"), pulledSchema);
    expect(pulledSchema.match(/^model /gm)?.length).toBe(readFileSync(fixture(`corpus/${name}.prisma`), "utf8").match(/^model /gm)?.length);

    const afterPull = await p.prisma(["migrate", "diff", "--from-config-datasource", "--to-schema", "pulled.prisma", "--exit-code"]);
    expectExit(afterPull, 0);
    expect(afterPull.stdout).toContain("No difference detected.");
  });
});
