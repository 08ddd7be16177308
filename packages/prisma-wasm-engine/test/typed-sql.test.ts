// TypedSQL (`prisma generate --sql`): the bridge describes each query on the server, the CLI generates the functions,
// tsc checks their types, and they run against the database.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expectExit, expectMatchesFile, fixture, projectsForFile, query, run, type Project } from "./support";

const setup = projectsForFile();
const resolve = createRequire(import.meta.url).resolve;

// The app this package lives in, when it does: its schema's models and its own queries join the fixture's.
const appPrisma = path.resolve(import.meta.dirname, "../../../prisma");
const hasApp = existsSync(path.join(appPrisma, "sql"));

/** The functions the app's migrations define, which its queries may call (`db push` makes the tables, not these). */
function appFunctions() {
  const migrations = path.join(appPrisma, "migrations");
  return readdirSync(migrations, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => readFileSync(path.join(migrations, entry.name, "migration.sql"), "utf8").match(/CREATE FUNCTION[\s\S]*?\$\$;/g) ?? []);
}

/** The fixture schema, plus the app's models (everything after its datasource block) when there is an app. */
function schemaWithApp() {
  const fixtureSchema = readFileSync(fixture("typedsql.prisma"), "utf8");
  if (!hasApp) return fixtureSchema;
  const app = readFileSync(path.join(appPrisma, "schema.prisma"), "utf8");
  return `${fixtureSchema}\n${app.slice(app.indexOf("}", app.indexOf("datasource db")) + 1)}`;
}

const SEED = `
insert into authors (id, email, name, role, tags, scores, profile) values
  (1, 'ada@example.com', 'Ada', 'ADMIN', '{lisp,math}', '{3,5}', '{"city": "London"}'),
  (2, 'bob@example.com', null, 'MEMBER', '{go}', '{}', null);
insert into posts (id, title, views, rating, published, author_id) values
  ('00000000-0000-7000-8000-000000000001', 'Notes', 120, 4.5, true, 1),
  ('00000000-0000-7000-8000-000000000002', 'Draft', 3, null, false, 2),
  ('00000000-0000-7000-8000-000000000003', 'Orphan', 50, null, true, null);
`;

/** The generated query modules, in file order, as one text to compare with a reviewed copy. */
const generatedSql = (p: Project) =>
  readdirSync(path.join(p.dir, "generated/sql"))
    .sort()
    .map((file) => `// ${file}\n${readFileSync(path.join(p.dir, "generated/sql", file), "utf8")}`)
    .join("\n");

describe("generate --sql", () => {
  let p: Project;
  let generate: Awaited<ReturnType<Project["prisma"]>>;
  beforeAll(async () => {
    p = await setup("typedsql", "typedsql.prisma", { inPackage: true });
    writeFileSync(path.join(p.dir, "schema.prisma"), schemaWithApp());
    expectExit(await p.prisma(["db", "push"]), 0);
    cpSync(fixture("typedsql"), path.join(p.dir, "sql"), { recursive: true });
    if (hasApp) cpSync(path.join(appPrisma, "sql"), path.join(p.dir, "sql"), { recursive: true });
    if (hasApp) for (const definition of appFunctions()) await query(p.url, definition);
    await query(p.url, SEED);
    generate = await p.prisma(["generate", "--sql"]);
  });

  it("generates a typed function per query, as the native engine's description makes them", () => {
    expectExit(generate, 0);
    expectMatchesFile(generatedSql(p), "typedsql.ts.txt");
  });

  it("types that compile and functions that return the rows", async () => {
    expectExit(generate, 0);
    cpSync(fixture("typedsql-check.mts"), path.join(p.dir, "check.mts"));
    cpSync(fixture("typedsql-tsconfig.json"), path.join(p.dir, "tsconfig.json"));
    const tsc = await run(p.dir, process.execPath, [resolve("typescript/bin/tsc"), "-p", "."], p.url);
    expectExit(tsc, 0);

    const checked = await run(p.dir, process.execPath, ["--import", resolve("tsx/esm"), "check.mts"], p.url);
    expectExit(checked, 0);
    const rows = JSON.parse(checked.stdout);
    expect(rows.authorByEmail).toEqual([
      { id: 1, email: "ada@example.com", name: "Ada", role: "ADMIN", createdAt: expect.any(String) },
    ]);
    expect(rows.postsWithAuthor).toEqual(
      expect.arrayContaining([
        { title: "Notes", authorEmail: "ada@example.com", authorName: "Ada" },
        { title: "Draft", authorEmail: "bob@example.com", authorName: null },
        { title: "Orphan", authorEmail: null, authorName: null },
      ]),
    );
    expect(rows.statsByRole).toEqual([
      { role: "ADMIN", posts: "1n", totalViews: "120", bestRating: "4.5" },
      { role: "MEMBER", posts: "1n", totalViews: "3", bestRating: null },
    ]);
    expect(rows.authorsWithRole).toEqual([{ email: "bob@example.com" }]);
    expect(rows.authorsTagged).toEqual([{ email: "ada@example.com", tags: ["lisp", "math"], scores: [3, 5] }]);
    expect(rows.authorProfile).toEqual([{ profile: { city: "London" }, city: "London" }]);
    expect(rows.popularPostsByAda).toEqual([
      { id: "00000000-0000-7000-8000-000000000001", title: "Notes", views: "120n", published: true },
    ]);
    expect(rows.popularPostsByAnyone.map((post: { title: string }) => post.title)).toEqual(["Notes", "Orphan"]);
    expect(rows.renamePost).toEqual([{ id: "00000000-0000-7000-8000-000000000002", title: "Second draft", rating: null }]);
  });

  it.skipIf(!hasApp)("the app's own queries, over the app's schema", async () => {
    expectExit(generate, 0);
    const [project] = await query<{ id: string }>(
      p.url,
      `insert into projects (id, slug, name, updated_at) values ('00000000-0000-7000-8000-00000000000a', 'demo', 'Demo', now()) returning id`,
    );
    const [animation] = await query<{ id: string }>(
      p.url,
      `with c as (insert into characters (id, project_id, name, updated_at) values (gen_random_uuid(), '${project!.id}', 'hero', now()) returning id)
       insert into animations (id, character_id, name, updated_at) select gen_random_uuid(), c.id, 'idle', now() from c returning id`,
    );
    await query(
      p.url,
      `insert into frames (id, animation_id, index, image, width, height, updated_at)
       select gen_random_uuid(), '${animation!.id}', i, '/f.png', 32, 32, now() from generate_series(0, 1) i`,
    );
    const script = `
      import { PrismaPg } from "@prisma/adapter-pg";
      import { PrismaClient } from "./generated/client.ts";
      import { nextFrameIndex, projectsByName } from "./generated/sql.ts";
      const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL }) });
      const next = await prisma.$queryRawTyped(nextFrameIndex("${animation!.id}"));
      const page = await prisma.$queryRawTyped(projectsByName("", "00000000-0000-0000-0000-000000000000", 10));
      await prisma.$disconnect();
      process.stdout.write(JSON.stringify({ next, page }));
    `;
    writeFileSync(path.join(p.dir, "app-queries.mts"), script);
    const ran = await run(p.dir, process.execPath, ["--import", resolve("tsx/esm"), "app-queries.mts"], p.url);
    expectExit(ran, 0);
    const { next, page } = JSON.parse(ran.stdout);
    expect(next).toEqual([{ nextIndex: 2 }]);
    expect(page).toEqual([expect.objectContaining({ id: project!.id, slug: "demo", characterCount: 1 })]);
  });
});

describe.concurrent("generate --sql with a broken query", () => {
  it("names the file and the line of a syntax error, and of a column with no name", async () => {
    const p = await setup("typedsql_broken", "typedsql.prisma", { inPackage: true });
    expectExit(await p.prisma(["db", "push"]), 0);
    mkdirSync(path.join(p.dir, "sql"));
    cpSync(fixture("typedsql/authorByEmail.sql"), path.join(p.dir, "sql/authorByEmail.sql"));
    writeFileSync(
      path.join(p.dir, "sql/misspelt.sql"),
      "-- @param {String} $1:email\nSELECT id, email\nFORM authors\nWHERE email = $1\n",
    );
    writeFileSync(path.join(p.dir, "sql/unnamed.sql"), "SELECT id + 1 FROM authors\n");
    const generate = await p.prisma(["generate", "--sql"]);
    expect(generate.code).not.toBe(0);
    expect(generate.output).toMatch(/misspelt\.sql[\s\S]*syntax error at or near "authors" \(line 3, column 6\)/);
    expect(generate.output).toMatch(/unnamed\.sql[\s\S]*Invalid column name '\?column\?' for index 0/);
    expect(generate.output).not.toContain("authorByEmail.sql");
  });

  it("refuses an unknown type in a @param annotation, naming the types it takes", async () => {
    const p = await setup("typedsql_param", "typedsql.prisma", { inPackage: true });
    expectExit(await p.prisma(["db", "push"]), 0);
    mkdirSync(path.join(p.dir, "sql"));
    writeFileSync(path.join(p.dir, "sql/badParam.sql"), "-- @param {Integer} $1:id\nSELECT email FROM authors WHERE id = $1\n");
    const generate = await p.prisma(["generate", "--sql"]);
    expect(generate.code).not.toBe(0);
    expect(generate.output).toContain("badParam.sql");
    expect(generate.output).toContain(
      "SQL documentation parsing: invalid type: 'Integer' (accepted types are: 'Int', 'BigInt', 'Float', 'Boolean', 'String', 'DateTime', 'Json', 'Bytes', 'Decimal', 'Role')",
    );
  });
});
