import { describe, expect, it } from "vitest";
import { modelGraph, modelsForTables, modelsRead, modelsWritten, statementWrites } from "../../src/invalidation.ts";

// The shape of the generated client's runtime data model, for the schema's four models.
const relation = (name: string, type: string) => ({ name, kind: "object", type });
const scalar = (name: string) => ({ name, kind: "scalar", type: "String" });
const graph = modelGraph({
  models: {
    Project: { dbName: "projects", fields: [scalar("id"), scalar("name"), relation("characters", "Character")] },
    Character: { dbName: "characters", fields: [scalar("id"), relation("project", "Project"), relation("animations", "Animation")] },
    Animation: { dbName: "animations", fields: [scalar("id"), relation("character", "Character"), relation("frames", "Frame")] },
    Frame: { dbName: "frames", fields: [scalar("id"), scalar("index"), relation("animation", "Animation")] },
    Tag: { dbName: "tags", fields: [scalar("id")] },
  },
});
const sorted = (models: Set<string> | null) => (models ? [...models].sort() : null);

describe("models a read depends on", () => {
  it("its own alone for a plain read", () => {
    expect(sorted(modelsRead(graph, "Project", { where: { id: "1" } }))).toEqual(["Project"]);
  });

  it("every model an include or select reaches, at any depth", () => {
    const args = { include: { characters: { include: { animations: { select: { frames: { take: 1 } } } } } } };
    expect(sorted(modelsRead(graph, "Project", args))).toEqual(["Animation", "Character", "Frame", "Project"]);
  });

  it("models named in relation filters and counts", () => {
    expect(sorted(modelsRead(graph, "Animation", { where: { character: { project: { slug: "x" } } } }))).toEqual([
      "Animation",
      "Character",
      "Project",
    ]);
    expect(sorted(modelsRead(graph, "Project", { include: { _count: { select: { characters: true } } } }))).toEqual(["Character", "Project"]);
    expect(sorted(modelsRead(graph, "Character", { include: { _count: true } }))).toEqual(["Animation", "Character", "Project"]);
  });
});

describe("models a write changes", () => {
  it("its own for a plain update", () => {
    expect(sorted(modelsWritten(graph, "Project", "update", { where: { id: "1" }, data: { name: "x" } }))).toEqual(["Project"]);
  });

  it("every model a nested write touches", () => {
    const args = {
      data: {
        name: "x",
        characters: { create: [{ name: "c", animations: { create: { name: "a", frames: { createMany: { data: [] } } } } }] },
      },
    };
    expect(sorted(modelsWritten(graph, "Project", "create", args))).toEqual(["Animation", "Character", "Frame", "Project"]);
    expect(sorted(modelsWritten(graph, "Frame", "update", { where: { id: "1" }, data: { animation: { connect: { id: "2" } } } }))).toEqual([
      "Animation",
      "Frame",
    ]);
  });

  it("not the models its filter or include merely mention", () => {
    const args = { where: { character: { project: { slug: "x" } } }, data: { fps: 1 }, include: { frames: true } };
    expect(sorted(modelsWritten(graph, "Animation", "update", args))).toEqual(["Animation"]);
  });

  it("everything a delete can cascade to", () => {
    expect(sorted(modelsWritten(graph, "Project", "delete", { where: { id: "1" } }))).toEqual(["Animation", "Character", "Frame", "Project"]);
    expect(sorted(modelsWritten(graph, "Tag", "deleteMany", {}))).toEqual(["Tag"]);
  });

  it("nothing for reads, everything for an operation it does not know", () => {
    expect(modelsWritten(graph, "Project", "findMany", {})?.size).toBe(0);
    expect(modelsWritten(graph, "Project", "somethingNew", {})).toBeNull();
  });

  it("everything for raw SQL that writes, nothing for raw SQL that reads", () => {
    expect(modelsWritten(graph, undefined, "$executeRaw", { strings: ["select 1"] })).toBeNull();
    expect(modelsWritten(graph, undefined, "$queryRaw", ["update projects set name = $1 returning id", "x"])).toBeNull();
    expect(modelsWritten(graph, undefined, "$queryRaw", ["select id from animations where id = $1 for update", "x"])?.size).toBe(0);
    expect(modelsWritten(graph, undefined, "$queryRawUnsafe", ["select 1"])?.size).toBe(0);
  });
});

describe("raw statements", () => {
  it.each([
    ["select * from projects", false],
    ["SELECT id FROM animations WHERE id = $1 FOR UPDATE", false],
    ["with x as (select 1) select * from x", false],
    ["select 'insert into' as text", false],
    ['select "update" from t', false],
    ["-- delete\nselect 1", false],
    ["explain select 1", false],
    ["insert into projects values (1)", true],
    ["with gone as (delete from frames returning id) select count(*) from gone", true],
    ["select * into copy_of_projects from projects", true],
    ["truncate frames", true],
    ["call refresh_everything()", true],
    ["  update projects set name = 'x'", true],
  ])("%j writes: %s", (sql, writes) => {
    expect(statementWrites(sql)).toBe(writes);
  });
});

describe("tables a NOTIFY names", () => {
  it("map to their models; an unknown table means every model", () => {
    expect(sorted(modelsForTables(graph, ["frames", "projects"]))).toEqual(["Frame", "Project"]);
    expect(modelsForTables(graph, ["_prisma_migrations"])).toBeNull();
  });
});
