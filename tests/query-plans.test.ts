// Every operation of the app reads and writes only the rows it returns or changes, however big the tables: on a
// million frames, each statement an operation sends is planned and run under EXPLAIN ANALYZE, and no plan may scan a
// whole table of the tree or read more than a small multiple of the rows the operation answers with or changes.
// A fast machine cannot hide a full scan here, and an operation added later without an entry below fails the test.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "./support/db";
import { planNodes, recordStatements, rowsRead, type SentStatement } from "./support/statements";
import type { TestDatabase } from "../scripts/support/postgres-admin";

type Db = import("@/lib/db/client").Db;
type Modules = {
  projects: typeof import("@/lib/projects/queries");
  frames: typeof import("@/lib/frames/queries");
  assets: typeof import("@/lib/assets/import");
};
/** One call of an operation, and how many rows it answers with or changes: the measure its plans are held to. */
type Case = { label: string; run: (db: Db, m: Modules) => Promise<unknown>; rows: (result: unknown) => number };

// 1,000 projects × 2 characters × 5 animations × 100 frames: counting one animation's frames would read 100 rows
// for one shown, and any scan of a whole table reads thousands of times what an operation returns.
const SIZE = { projects: 1_000, characters: 2, animations: 5, frames: 100 };
const FRAMES = SIZE.projects * SIZE.characters * SIZE.animations * SIZE.frames;
// A node may read this many times the rows its operation answers with or changes, plus a few.
const FACTOR = 4;
const SLACK = 16;
const WHOLE_TABLES = ["projects", "characters", "animations", "frames"];

let database: TestDatabase;
let admin: pg.Client;
let db: Db;
let close: () => Promise<void>;
let modules: Modules;

// Ids in key order, as the app's UUIDv7 ids are: the seed writes a million rows in seconds.
const seed = `
  INSERT INTO projects (id, slug, name, updated_at)
    SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'p' || g, 'Project ' || g, now()
    FROM generate_series(1, ${SIZE.projects}) g;
  INSERT INTO characters (id, project_id, name, updated_at)
    SELECT ('00000001-0000-7000-8000-' || lpad(to_hex(row_number() OVER (ORDER BY p.id, g)), 12, '0'))::uuid, p.id, 'c' || g, now()
    FROM projects p, generate_series(1, ${SIZE.characters}) g;
  INSERT INTO animations (id, character_id, name, updated_at)
    SELECT ('00000002-0000-7000-8000-' || lpad(to_hex(row_number() OVER (ORDER BY c.id, g)), 12, '0'))::uuid, c.id, 'a' || g, now()
    FROM characters c, generate_series(1, ${SIZE.animations}) g;
  INSERT INTO frames (id, animation_id, index, image, width, height, updated_at)
    SELECT ('00000003-0000-7000-8000-' || lpad(to_hex(row_number() OVER (ORDER BY a.id, g)), 12, '0'))::uuid, a.id, g, '/f/' || g || '.png', 32, 32, now()
    FROM animations a, generate_series(0, ${SIZE.frames - 1}) g ORDER BY a.id, g;
  ANALYZE;`;

beforeAll(async () => {
  database = await createTestDatabase("plans");
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(seed);
  vi.stubEnv("DATABASE_URL", database.url);
  vi.stubEnv("CACHE_ENABLED", "false");
  const { createDatabase } = await import("@/lib/db/client");
  const created = createDatabase({ url: database.url });
  db = created.prisma;
  close = created.close;
  modules = {
    projects: await import("@/lib/projects/queries"),
    frames: await import("@/lib/frames/queries"),
    assets: await import("@/lib/assets/import"),
  };
}, 300_000);
afterAll(async () => {
  await close?.();
  await admin?.end();
  await database?.drop();
});

/** Objects in an answer: a project, each character, animation and frame in it. */
function objectsIn(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + objectsIn(item), 0);
  if (value === null || typeof value !== "object" || value instanceof Date) return 0;
  return 1 + Object.values(value).reduce((sum: number, field) => sum + objectsIn(field), 0);
}

const projectId = (n: number) => `00000000-0000-7000-8000-${n.toString(16).padStart(12, "0")}`;
const characterId = (n: number) => `00000001-0000-7000-8000-${n.toString(16).padStart(12, "0")}`;
const animationId = (n: number) => `00000002-0000-7000-8000-${n.toString(16).padStart(12, "0")}`;
const tree = (characters: number, animations: number, frames: number) =>
  Array.from({ length: characters }, (_, c) => ({
    name: `new ${c}`,
    animations: Array.from({ length: animations }, (_, a) => ({
      name: `walk ${a}`,
      frames: Array.from({ length: frames }, (_, index) => ({ index, image: `/n/${index}.png`, width: 16, height: 16 })),
    })),
  }));

const cases: Record<string, Case[]> = {
  listProjects: [
    { label: "first page of 20", run: (db, m) => m.projects.listProjects(db, { limit: 20 }), rows: objectsIn },
    { label: "a page after a cursor", run: (db, m) => m.projects.listProjects(db, { limit: 20, cursor: projectId(500) }), rows: objectsIn },
  ],
  listProjectsByName: [
    { label: "first page", run: (db, m) => m.projects.listProjectsByName(db), rows: objectsIn },
    { label: "a later page", run: (db, m) => m.projects.listProjectsByName(db, { cursor: `${projectId(500)}.Project 500` }), rows: objectsIn },
  ],
  findProject: [
    { label: "by id", run: (db, m) => m.projects.findProject(db, projectId(700)), rows: objectsIn },
    { label: "characters after a cursor", run: (db, m) => m.projects.findProject(db, projectId(700), { cursor: "c1" }), rows: objectsIn },
  ],
  findProjectPage: [{ label: "by slug", run: (db, m) => m.projects.findProjectPage(db, "p701"), rows: objectsIn }],
  findCharacter: [
    { label: "by id", run: (db, m) => m.projects.findCharacter(db, characterId(900)), rows: objectsIn },
    { label: "animations after a cursor", run: (db, m) => m.projects.findCharacter(db, characterId(900), { cursor: "a2" }), rows: objectsIn },
  ],
  findCharacterPage: [{ label: "by slug and name", run: (db, m) => m.projects.findCharacterPage(db, { slug: "p702", name: "c2" }), rows: objectsIn }],
  findAnimationPage: [
    { label: "first frames", run: (db, m) => m.frames.findAnimationPage(db, { slug: "p703", character: "c1", name: "a3" }), rows: objectsIn },
    { label: "frames from an index", run: (db, m) => m.frames.findAnimationPage(db, { slug: "p703", character: "c1", name: "a3" }, { from: 60 }), rows: objectsIn },
  ],
  createProject: [
    {
      label: "2 characters × 3 animations × 20 frames",
      run: (db, m) => m.projects.createProject(db, { slug: "created", name: "Created", characters: tree(2, 3, 20) }),
      rows: () => 1 + 2 + 2 * 3 + 2 * 3 * 20,
    },
  ],
  updateProject: [{ label: "name", run: (db, m) => m.projects.updateProject(db, projectId(704), { name: "Renamed" }), rows: objectsIn }],
  deleteProject: [
    {
      label: "a project and its tree",
      run: (db, m) => m.projects.deleteProject(db, projectId(705)),
      rows: () => 1 + SIZE.characters * (1 + SIZE.animations * (1 + SIZE.frames)),
    },
  ],
  appendFrame: [
    { label: "after 100 frames", run: (db, m) => m.frames.appendFrame(db, animationId(4000), { image: "/x.png", width: 8, height: 8 }), rows: objectsIn },
  ],
  importAnimation: [
    {
      label: "a new animation of 30 frames in an existing character",
      run: (db, m) =>
        m.assets.importAnimation(db, {
          project: "p706",
          character: "c1",
          animation: "imported",
          frames: Array.from({ length: 30 }, (_, index) => ({ index, image: `/i/${index}.png`, width: 8, height: 8 })),
        }),
      rows: () => 30,
    },
    {
      label: "an existing animation, every frame changed",
      run: (db, m) =>
        m.assets.importAnimation(db, {
          project: "p706",
          character: "c1",
          animation: "a1",
          frames: Array.from({ length: SIZE.frames }, (_, index) => ({ index, image: `/j/${index}.png`, width: 8, height: 8 })),
        }),
      rows: () => SIZE.frames,
    },
  ],
};

describe(`on ${FRAMES.toLocaleString("en")} frames`, () => {
  it("has an entry for every operation the app performs", () => {
    const operations = Object.values(modules).flatMap((module) =>
      Object.entries(module)
        .filter(([name, value]) => typeof value === "function" && /^[a-z]/.test(name))
        .map(([name]) => name),
    );
    expect(operations.filter((name) => !(name in cases))).toEqual([]);
  });

  for (const [operation, calls] of Object.entries(cases)) {
    for (const { label, run, rows } of calls) {
      it(`${operation}: ${label}`, async () => {
        const { result, statements } = await recordStatements(() => run(db, modules), { explain: true });
        const planned = statements.filter((statement): statement is Required<SentStatement> => statement.plan !== undefined);
        expect(planned.length).toBeGreaterThan(0);
        const bound = FACTOR * rows(result) + SLACK;
        for (const { text, plan } of planned) {
          for (const node of planNodes(plan)) {
            const where = `${node["Node Type"]} on ${node["Relation Name"] ?? node["Index Name"] ?? "-"} in: ${text.slice(0, 300)}`;
            if (node["Node Type"] === "Seq Scan") expect(WHOLE_TABLES, `a whole-table scan: ${where}`).not.toContain(node["Relation Name"]);
            expect(rowsRead(node), `rows read by ${where}`).toBeLessThanOrEqual(bound);
          }
        }
      });
    }
  }
});

describe("a create's work grows with its rows, linearly", () => {
  // Statements sent and bytes sent (SQL text and values) for a tree of 2 characters × 5 animations × `frames` each.
  const measure = async (frames: number) => {
    const { statements } = await recordStatements(() =>
      modules.projects.createProject(db, { slug: `linear-${frames}`, name: "Linear", characters: tree(2, 5, frames) }),
    );
    const bytes = statements.reduce((sum, { text, values }) => sum + text.length + JSON.stringify(values).length, 0);
    return { statements: statements.length, bytes };
  };

  it("sends at most twice the statements and bytes for twice the rows, and a handful in all", async () => {
    const sizes = [125, 250, 500, 999];
    const measured: { statements: number; bytes: number }[] = [];
    for (const frames of sizes) measured.push(await measure(frames));
    const rows = sizes.map((frames) => 2 + 10 + 10 * frames);
    console.log(rows.map((n, i) => `${n} rows: ${measured[i]!.statements} statements, ${measured[i]!.bytes} bytes`).join("; "));
    for (let i = 1; i < sizes.length; i++) {
      const growth = rows[i]! / rows[i - 1]!;
      expect(measured[i]!.statements).toBeLessThanOrEqual(growth * measured[i - 1]!.statements);
      // A row's values take a few more digits as the frame indexes grow: a tenth more bytes per row at most.
      expect(measured[i]!.bytes).toBeLessThanOrEqual(1.1 * growth * measured[i - 1]!.bytes);
    }
    // BEGIN, one INSERT per level (frames in chunks of a few thousand rows), the read of the answer, COMMIT.
    expect(measured.at(-1)!.statements).toBeLessThanOrEqual(10);
  });
});
