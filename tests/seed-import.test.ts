// The seed and the sample tree describe the same frames: importing the sample tree into a seeded database finds
// every frame as the seed wrote it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { writeSampleTree } from "@/lib/assets/sample";
import { frameCounts, runImport } from "./support/assets";
import { databaseForThisFile } from "./support/db";

const db = databaseForThisFile("seed_import");
const tree = mkdtempSync(path.join(os.tmpdir(), "seed-import-"));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

it("imports the sample tree over the seed without creating or updating a frame", async () => {
  const seed = spawnSync("node_modules/.bin/tsx", ["prisma/seed.ts"], { env: { ...process.env, DATABASE_URL: db.url }, encoding: "utf8" });
  expect(seed.status, seed.stderr).toBe(0);
  await writeSampleTree(tree);
  const run = await runImport(tree, db.url);
  expect(run.code, run.stderr).toBe(0);
  expect(frameCounts(run.stdout)).toEqual({ created: 0, updated: 0, unchanged: 13 });
});
