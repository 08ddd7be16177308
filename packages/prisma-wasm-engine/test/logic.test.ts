// The parts of the bridge that need no database: reading TypedSQL annotations, wording a failed migration, and
// numbering the steps of a migration that data-loss warnings point at.
import { describe, expect, it } from "vitest";
import { scriptSteps, stepIndexOf } from "../src/steps.mjs";
import { debugDbError, errorPosition } from "../src/migration-error.mjs";
import { parseSqlDoc, sanitizeSql } from "../src/sql-doc.mjs";

describe("TypedSQL annotations", () => {
  it("reads type, position, alias, nullability and documentation, as the native parser does", () => {
    const doc = parseSqlDoc(
      [
        "-- @description Posts by an author",
        "-- @param {Int} $1:userId? the author",
        "-- @param $2:title",
        "--   @param {Role} :role",
        "SELECT 1",
      ].join("\n"),
      ["Role"],
    );
    expect(doc).toEqual({
      description: "Posts by an author",
      params: [
        { typ: "int", position: 1, alias: "userId", nullable: true, documentation: "the author" },
        { position: 2, alias: "title", documentation: undefined },
        { typ: "Role", alias: "role", documentation: undefined },
      ],
    });
  });

  it.each([
    ["-- @param {Int} $1f x", "invalid position. Expected a number found: 1f"],
    ["-- @param {} $1", "missing type (accepted types are: 'Int', 'BigInt', 'Float', 'Boolean', 'String', 'DateTime', 'Json', 'Bytes', 'Decimal')"],
    ["-- @param {Int $1", "missing closing bracket"],
    ["-- @param {Int}", "missing position or alias (eg: $1:alias)"],
    ["-- @param $1:a\n-- @param $1:b", "duplicate parameter (position or alias is already used)"],
  ])("refuses %j", (source, message) => {
    expect(() => parseSqlDoc(source, [])).toThrow(`SQL documentation parsing: ${message}`);
  });

  it("drops comment lines and trims the others, keeping where each line came from", () => {
    expect(sanitizeSql("-- @param $1:a\n  SELECT a\n\n  FROM t\n")).toEqual({ sql: "SELECT a\n\nFROM t", lines: [2, 3, 4] });
  });
});

describe("a failed migration's message", () => {
  const script = 'CREATE TABLE "a" (id int);\nCREATE TABLE "b" (id int);\nSELECT * FROM "missing";\n';

  it("shows the failing line and the ones before it, numbered as the native engine numbers them", () => {
    expect(errorPosition({ position: String(script.indexOf('"missing"') + 1), script } as never)).toBe(
      '\n\nPosition:\n\x1b[1m  0\x1b[0m\n\x1b[1m  1\x1b[0m CREATE TABLE "a" (id int);\n\x1b[1m  2\x1b[0m CREATE TABLE "b" (id int);\n\x1b[1m  3\x1b[1;31m SELECT * FROM "missing";\x1b[0m',
    );
    expect(errorPosition({ script } as never)).toBe("");
  });

  it("ends with the driver's rendering of the error", () => {
    expect(
      debugDbError({ severity: "ERROR", code: "42P01", message: 'relation "missing" does not exist', position: "55", routine: "parserOpenTable" } as never),
    ).toBe(
      'DbError { severity: "ERROR", parsed_severity: Some(Error), code: SqlState(E42P01), message: "relation \\"missing\\" does not exist", detail: None, hint: None, position: Some(Original(55)), where_: None, schema: None, table: None, column: None, datatype: None, constraint: None, file: None, line: None, routine: Some("parserOpenTable") }',
    );
  });
});

describe("data-loss warnings point at their step", () => {
  const steps = scriptSteps(
    '-- DropForeignKey\nALTER TABLE "posts" DROP CONSTRAINT "posts_author_id_fkey";\n\n-- AlterTable\nALTER TABLE "authors" DROP COLUMN "email";\n\n-- DropTable\nDROP TABLE "posts";\n',
  );

  it("finds the step that names the table and column", () => {
    expect(steps).toHaveLength(3);
    expect(stepIndexOf("You are about to drop the column `email` on the `authors` table, which still contains 1 non-null values.", steps)).toBe(1);
    expect(stepIndexOf("You are about to drop the `posts` table, which is not empty (3 rows).", steps)).toBe(0);
    expect(stepIndexOf("Something else entirely.", steps)).toBe(0);
  });
});
