// `bun run bench` at its smoke size through the real command, so the benchmark cannot rot: every section must finish
// and leave its tables, results.json and the growth chart. Timings are not checked; the smoke's sizes are too small.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, serverUrl } from "./support/db";
import { startNext } from "../scripts/support/next-start";

const out = mkdtempSync(path.join(tmpdir(), "bench-smoke-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const QUERIES = ["findProject", "listProjects", "listProjectsByName", "findProjectPage", "findAnimationPage", "createProject", "updateProject", "deleteProject", "appendFrame"];
type Table = { title: string; header: string[]; rows: { key: string; cells: (string | { value: number })[] }[] };

describe("bun run bench --smoke", () => {
  it("prints every section's tables, writes results.json and the growth chart, and drops its database", { timeout: 600_000 }, async () => {
    const server = serverUrl();
    const { stdout, stderr } = await promisify(execFile)("node_modules/.bin/bun", ["run", "bench", "--smoke", "--out", out], {
      env: { ...process.env, DATABASE_URL: server },
      maxBuffer: 16 * 1024 * 1024,
    });
    const titles = ["Query level", "Route level", "Query cache: hits", "Query cache: the miss path", "Tracing: one server at a time", "Tracing: query level"];
    for (const title of [...titles, "Cold start and memory", "Worst requests", "Growing data", "Targets"]) expect(stdout).toContain(`## ${title}`);
    expect(stdout).toMatch(/\| project by id \(tree \+ frame counts\) \| 1 \|/);

    const report = JSON.parse(readFileSync(path.join(out, "results.json"), "utf8")) as { size: string; tables: Table[] };
    expect(report.size).toBe("smoke");
    const table = (title: string) => report.tables.find((t) => t.title === title)!;
    const figures = (t: Table) => t.rows.flatMap((row) => row.cells.filter((cell) => typeof cell === "object").map((cell) => (cell as { value: number }).value));
    const queries = table("Query level");
    expect(new Set(queries.rows.map((row) => row.key.split("@")[0]))).toEqual(new Set(QUERIES));
    expect(queries.header).toEqual(["query", "c", "pg", "prisma vs pg", "drizzle vs pg", "prisma-prepared vs pg"]);
    for (const value of figures(queries)) expect(value).toBeGreaterThan(0);
    const routes = table("Route level");
    expect(routes.rows.map((row) => row.key).sort()).toEqual(["edge route", "next pg route", "node route", "node route, no cache", "pg route"]);
    for (const row of routes.rows) expect({ route: row.key, failed: row.cells.at(-1) }).toMatchObject({ route: row.key, failed: { value: 0 } });
    expect(table("Cold start and memory").rows.map((row) => row.key)).toEqual(["pg", "prisma", "drizzle"]);
    // The smoke loads only tracing off and on at once (bench/tracing.ts).
    expect(table("Tracing: all servers at once").rows.map((row) => row.key)).toEqual(["tracing off", "tracing on"]);
    // The biggest create is made; the biggest bad bodies are refused.
    expect(table("Worst requests").rows.map((row) => (row.cells[1] as { value: number }).value)).toEqual([201, 400, 400, 400]);
    // Every read of the app and updateProject, at both of the smoke's sizes.
    const growth = table("Growing data").rows.map((row) => row.key);
    for (const query of QUERIES.filter((q) => q.startsWith("find") || q.startsWith("list") || q === "updateProject")) {
      expect(growth.filter((key) => key.split(" ")[1]!.startsWith(`${query}@`))).toHaveLength(2);
    }
    expect(readFileSync(path.join(out, "growth.svg"), "utf8")).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^]*findProjectPage/);

    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    const name = /Database (bench_\w+)/.exec(stderr)?.[1];
    expect(name).toBeDefined();
    const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [name]);
    await admin.end();
    expect(rowCount).toBe(0);
  });
});

describe("the raw-pg floor of the route level", () => {
  it("is not in the production build", async () => {
    expect(existsSync(".next/server/app/api/bench")).toBe(false);
    const db = await createTestDatabase("bench_route");
    const next = await startNext({ DATABASE_URL: db.url });
    try {
      const response = await fetch(`${next.url}/api/bench/projects?limit=1`);
      expect(response.status).toBe(404);
    } finally {
      await next.stop();
      await db.drop();
    }
  });
});
