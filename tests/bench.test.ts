// `bun run bench` at its smoke size through the real command, so the benchmark cannot rot: it must finish and
// leave its table, results.json and charts. Timings are not checked; the smoke's sizes are too small to mean much.
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

const QUERIES = ["findProject", "listProjects", "findAnimationPage", "createProject", "updateProject", "deleteProject", "appendFrame"];

describe("bun run bench --smoke", () => {
  it("prints the table, writes results.json and the charts, and drops its database", { timeout: 180_000 }, async () => {
    const server = serverUrl();
    const { stdout, stderr } = await promisify(execFile)("node_modules/.bin/bun", ["run", "bench", "--smoke", "--out", out], {
      env: { ...process.env, DATABASE_URL: server },
      maxBuffer: 16 * 1024 * 1024,
    });
    for (const heading of ["Query level", "Route level", "Query cache", "Cold start", "Growing data", "Targets"]) expect(stdout).toContain(heading);
    expect(stdout).toMatch(/\| project by id \(tree \+ frame counts\) \| 1 \|/);

    const report = JSON.parse(readFileSync(path.join(out, "results.json"), "utf8"));
    expect(report.smoke).toBe(true);
    expect(new Set(report.queries.map((m: { query: string }) => m.query))).toEqual(new Set(QUERIES));
    expect(new Set(report.queries.map((m: { stack: string }) => m.stack))).toEqual(new Set(["pg", "prisma", "drizzle", "prisma-prepared"]));
    for (const m of report.queries) expect(m.opsPerSecond).toBeGreaterThan(0);
    expect(report.routes.routes.map((r: { route: string }) => r.route).sort()).toEqual(["edge route", "next pg route", "node route", "node route, no cache", "pg route"]);
    for (const r of report.routes.routes) expect({ route: r.route, non2xx: r.non2xx, errors: r.errors }).toEqual({ route: r.route, non2xx: 0, errors: 0 });
    expect(report.coldStart).toHaveLength(3);
    expect(report.growth.length).toBeGreaterThan(0);

    const charts = { queries: "prisma", throughput: "prisma", routes: "node route", growth: "prisma" };
    for (const [chart, label] of Object.entries(charts)) {
      const svg = readFileSync(path.join(out, `${chart}.svg`), "utf8");
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg).toContain(label);
    }

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
