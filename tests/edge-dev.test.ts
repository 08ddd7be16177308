// `next dev` hot reload against one database: Node.js keeps one pool across edits; each edit gives edge routes a new
// sandbox whose old connections the bridge closes once they go idle.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../scripts/support/free-port";
import { createTestDatabase } from "./support/db";
import type { TestDatabase } from "../scripts/support/postgres-admin";

const edits = 5;
const edited = "lib/api/health.ts"; // imported by both /api/health and /api/edge/health
const applicationName = `reload-${process.pid}`;
const statementTimeoutMs = 1000; // the bridge closes sessions idle for this + 5 s
let db: TestDatabase;
let admin: pg.Client;
const original = readFileSync(edited, "utf8");

beforeAll(async () => {
  db = await createTestDatabase("reload");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});
afterAll(async () => {
  writeFileSync(edited, original);
  await admin?.end();
  await db?.drop();
});

async function backends() {
  const { rows } = await admin.query<{ application_name: string; n: number }>(
    "select application_name, count(*)::int as n from pg_stat_activity where application_name in ($1, $1 || '/edge') group by 1",
    [applicationName],
  );
  const count = (name: string) => rows.find((r) => r.application_name === name)?.n ?? 0;
  return { node: count(applicationName), edge: count(`${applicationName}/edge`) };
}

it(`keeps backends bounded over ${edits} edits`, { timeout: 240_000 }, async () => {
  const port = await freePort();
  const dev = spawn("node_modules/.bin/next", ["dev", "-p", String(port), "-H", "127.0.0.1"], {
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: db.url,
      DB_APPLICATION_NAME: applicationName,
      DB_STATEMENT_TIMEOUT_MS: String(statementTimeoutMs),
      DB_POOL_IDLE_TIMEOUT_MS: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  dev.stdout.on("data", (chunk) => (output += chunk));
  dev.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => dev.once("exit", resolve));
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    expect(res.status, `${path}\n${output}`).toBe(200);
  };

  try {
    for (let i = 0; i < 600 && !(await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const counts = [];
    for (let edit = 0; edit <= edits; edit++) {
      if (edit > 0) {
        writeFileSync(edited, `${original}\n// edit ${edit}\n`);
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
      await get("/api/health");
      await get("/api/edge/health");
      counts.push(await backends());
    }
    const idleMs = statementTimeoutMs + 5_000;
    await new Promise((resolve) => setTimeout(resolve, idleMs + 2_000));
    const afterIdle = await backends();
    await get("/api/edge/health");
    await get("/api/health");

    console.log(
      `backends after each of ${edits} edits: ${counts.map((c) => `node ${c.node} / edge ${c.edge}`).join(", ")}; ` +
        `${idleMs} ms later: node ${afterIdle.node} / edge ${afterIdle.edge}`,
    );
    expect(new Set(counts.map((c) => c.node))).toEqual(new Set([1]));
    expect(afterIdle.node).toBe(1);
    // The sandbox in use keeps at most DB_EDGE_POOL_MAX (2); the ones reloads left behind are gone.
    expect(afterIdle.edge).toBeLessThanOrEqual(2);
  } finally {
    writeFileSync(edited, original);
    dev.kill("SIGTERM");
    await exited;
  }
});
